#!/usr/bin/env bash
# make otel-e2e: starts the real backends (Jaeger, Prometheus, Temporal dev server), runs the e2e
# suite against them, and stops them on exit, even when a test fails.
# With a Docker engine: docker-compose.otel.yml (Redis and Postgres from it too). Without one: the
# backends as local processes (scripts/e2e-backends.sh), with Redis and the Postgres clusters of
# the test setup. THREADLINE_E2E_MODE=compose|local forces a mode.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${THREADLINE_E2E_MODE:-}"
if [[ -z "$mode" ]]; then
  if docker info >/dev/null 2>&1; then mode=compose; else mode=local; fi
fi
compose=(docker compose -f docker-compose.otel.yml)

case "$mode" in
  compose)
    echo "[otel-e2e] backends from docker-compose.otel.yml"
    trap '"${compose[@]}" down -v' EXIT
    "${compose[@]}" up -d --wait --wait-timeout 180
    export DATABASE_URL=postgres://postgres@localhost:5432/test
    ;;
  local)
    echo "[otel-e2e] no Docker engine: backends as local processes (scripts/e2e-backends.sh)"
    bash scripts/services.sh
    trap 'bash scripts/e2e-backends.sh stop' EXIT
    bash scripts/e2e-backends.sh start
    ;;
  *) echo "[otel-e2e] THREADLINE_E2E_MODE must be compose or local, not $mode" >&2; exit 2 ;;
esac

export THREADLINE_E2E_BACKEND=jaeger TEMPORAL_ADDRESS=localhost:7233
cd integration
status=0
npx vitest run --config vitest.e2e.config.ts --reporter=default --reporter=json --outputFile=../.vitest-e2e-results.json || status=$?
cd ..
node -e "const r=require('./.vitest-e2e-results.json'); console.log('e2e (jaeger, $mode): ' + r.numPassedTests + ' passed, ' + r.numFailedTests + ' failed, ' + (r.numPendingTests + r.numTodoTests) + ' skipped')" || true
exit $status
