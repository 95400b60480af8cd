#!/usr/bin/env bash
# Starts or stops the e2e backends as local processes on loopback, for machines without a Docker
# engine: Jaeger v2 all-in-one (memory storage), the Temporal CLI's dev server (its own SQLite
# state) and Prometheus (temp data dir, scraping the example app). Same ports as
# docker-compose.otel.yml, so the e2e suite cannot tell the two apart.
#
#   scripts/e2e-backends.sh start   build/install what is missing, start all three, wait until ready
#   scripts/e2e-backends.sh stop    stop what `start` started and delete its state
#
# A backend that does not come up within its wait fails `start` with the last lines of its log,
# after stopping whatever was started.
set -euo pipefail
cd "$(dirname "$0")/.."

STATE="${THREADLINE_E2E_STATE:-/tmp/threadline-e2e}"
WAIT_SECONDS="${THREADLINE_E2E_WAIT_SECONDS:-60}"
say() { echo "[e2e-backends] $*"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_ok() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }
temporal_healthy() { "$TEMPORAL_BIN" operator cluster health --address 127.0.0.1:7233 >/dev/null 2>&1; }

stop_all() {
  [[ -d "$STATE" ]] || return 0
  local pidfile pid
  for pidfile in "$STATE"/*.pid; do
    [[ -e "$pidfile" ]] || continue
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pidfile in "$STATE"/*.pid; do
    [[ -e "$pidfile" ]] || continue
    pid=$(cat "$pidfile")
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    say "stopped $(basename "$pidfile" .pid) (pid $pid)"
  done
  rm -rf "$STATE"
}

fail_start() { # name log
  echo "[e2e-backends] $1 did not become ready within ${WAIT_SECONDS} s" >&2
  echo "--- last lines of $2 ---" >&2
  tail -n 40 "$2" >&2 || true
  stop_all
  exit 1
}

launch() { # name log command...
  local name=$1 log=$2
  shift 2
  setsid "$@" >"$log" 2>&1 </dev/null &
  echo $! >"$STATE/$name.pid"
}

wait_ready() { # name what log check-command...
  local name=$1 what=$2 log=$3 start=$SECONDS
  shift 3
  local pid
  pid=$(cat "$STATE/$name.pid")
  until "$@"; do
    kill -0 "$pid" 2>/dev/null || { echo "[e2e-backends] $name exited" >&2; fail_start "$name" "$log"; }
    ((SECONDS - start < WAIT_SECONDS)) || fail_start "$name" "$log"
    sleep 0.5
  done
  say "$name: $what ready in $((SECONDS - start)) s"
}

start_all() {
  for port in 4317 4318 13133 16686 7233 9090; do
    if port_open "$port"; then
      echo "[e2e-backends] port $port is already in use: stop what listens there (make down, or scripts/e2e-backends.sh stop)" >&2
      exit 1
    fi
  done
  bash scripts/e2e-build.sh   # also installs Debian's prometheus when missing
  eval "$(bash scripts/e2e-build.sh --print)"
  stop_all
  mkdir -p "$STATE/prometheus-data"
  trap 'stop_all; exit 1' INT TERM

  launch jaeger "$STATE/jaeger.log" "$JAEGER_BIN"
  launch temporal "$STATE/temporal.log" "$TEMPORAL_BIN" server start-dev --headless --ip 127.0.0.1 --port 7233 \
    --db-filename "$STATE/temporal.sqlite" --log-level warn
  # The compose file's scrape config, with the host the app runs on seen from here.
  sed 's/host\.docker\.internal/127.0.0.1/g' integration/docker/prometheus.yml >"$STATE/prometheus.yml"
  launch prometheus "$STATE/prometheus.log" prometheus --config.file="$STATE/prometheus.yml" \
    --storage.tsdb.path="$STATE/prometheus-data" --web.listen-address=127.0.0.1:9090 --enable-feature=exemplar-storage

  wait_ready jaeger "health check" "$STATE/jaeger.log" http_ok http://127.0.0.1:13133/status
  wait_ready jaeger "query API" "$STATE/jaeger.log" http_ok http://127.0.0.1:16686/api/services
  wait_ready temporal "frontend (cluster health)" "$STATE/temporal.log" temporal_healthy
  wait_ready prometheus "readiness" "$STATE/prometheus.log" http_ok http://127.0.0.1:9090/-/ready
  trap - INT TERM
}

case "${1:-}" in
  start) start_all ;;
  stop) stop_all ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
