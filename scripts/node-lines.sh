#!/usr/bin/env bash
# Runs the vitest suite under each supported Node line (the build stays as it is).
# Pins and binaries: scripts/node-line.sh. Prints one count line per Node line, then the total.
#   usage: scripts/node-lines.sh [version ...]     (default: every pinned line)
#   env:   THREADLINE_NODE_CACHE (cache dir), VITEST_ARGS (extra vitest arguments, e.g. --project core)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -gt 0 ]; then VERSIONS=("$@"); else mapfile -t VERSIONS < <(bash scripts/node-line.sh pinned); fi
REPORTS="$(mktemp -d)"
trap 'rm -rf "$REPORTS"' EXIT

# The suite runs against the packages' dist/: build once with the machine's node if it is missing.
if [ ! -f packages/node/dist/register.js ]; then npx turbo run build --output-logs=errors-only; fi

total_passed=0 total_failed=0 total_skipped=0 summary=()
for version in "${VERSIONS[@]}"; do
  bin="$(bash scripts/node-line.sh bin "$version")"
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
