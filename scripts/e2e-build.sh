#!/usr/bin/env bash
# Builds the e2e backends from their Go modules through the module proxy, into a cache outside
# the repo, reused when present: Jaeger v2 (all-in-one) and the Temporal CLI (`server start-dev`);
# installs Debian's prometheus when missing (as root). make test's Temporal and exemplar suites
# start private instances of the same binaries.
# Both go.mod files carry `replace` directives, so `go install mod@version` refuses: the module is
# downloaded and built inside its own directory instead.
#
#   scripts/e2e-build.sh            build what is missing, print the binary paths
#   scripts/e2e-build.sh --print    print the paths the binaries have (or will have)
set -euo pipefail

JAEGER_VERSION="${THREADLINE_JAEGER_VERSION:-v1.75.0}"    # the Go module tag of Jaeger v2.12
TEMPORAL_CLI_VERSION="${THREADLINE_TEMPORAL_CLI_VERSION:-v1.5.1}"   # v1.9.1 replaces a nested module (cliext) the proxy does not serve
CACHE="${THREADLINE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/threadline/e2e}"

jaeger_bin="$CACHE/jaeger-$JAEGER_VERSION/jaeger"
temporal_bin="$CACHE/temporal-$TEMPORAL_CLI_VERSION/temporal"

if [[ "${1:-}" == "--print" ]]; then
  echo "JAEGER_BIN=$jaeger_bin"
  echo "TEMPORAL_BIN=$temporal_bin"
  exit 0
fi

command -v go >/dev/null || { echo "[e2e-build] no Go toolchain: install Go >= 1.26 (https://go.dev/dl)" >&2; exit 1; }

build() { # name module version package output
  local name=$1 module=$2 version=$3 package=$4 output=$5
  if [[ -x "$output" ]]; then echo "[e2e-build] $name $version cached at $output"; return 0; fi
  local start=$SECONDS dir
  dir=$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  [[ -d "$dir" ]] || { echo "[e2e-build] go mod download $module@$version gave no directory" >&2; exit 1; }
  echo "[e2e-build] $name $version downloaded in $((SECONDS - start)) s"
  mkdir -p "$(dirname "$output")"
  start=$SECONDS
  # The module cache is read-only; building in it only writes to GOCACHE and the output path.
  (cd "$dir" && GOFLAGS=-mod=mod go build -trimpath -ldflags='-s -w' -o "$output.tmp" "./$package")
  mv "$output.tmp" "$output"
  echo "[e2e-build] $name $version built in $((SECONDS - start)) s: $output"
}

build Jaeger github.com/jaegertracing/jaeger "$JAEGER_VERSION" cmd/jaeger "$jaeger_bin"
build "Temporal CLI" github.com/temporalio/cli "$TEMPORAL_CLI_VERSION" cmd/temporal "$temporal_bin"

if ! command -v prometheus >/dev/null; then
  [[ $(id -u) -eq 0 ]] || { echo "[e2e-build] no prometheus: sudo apt-get install -y prometheus" >&2; exit 1; }
  echo "[e2e-build] installing Debian's prometheus"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus >/tmp/threadline-apt-prometheus.log 2>&1 \
    || { apt-get update -q >>/tmp/threadline-apt-prometheus.log 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus >>/tmp/threadline-apt-prometheus.log 2>&1; } \
    || { tail -n 20 /tmp/threadline-apt-prometheus.log >&2; exit 1; }
fi
