#!/usr/bin/env bash
# Installs (Debian/Ubuntu, as root), configures and starts the services the tests talk to:
# PostgreSQL, Redis and MariaDB on loopback. Idempotent: what is installed, configured or
# running is left as it is, so a second run takes seconds. Called by `.ci/run` and `make test`.
#
#   scripts/services.sh           install what is missing, configure, start, wait for each port
#   scripts/services.sh --check   only report what is up (exit 1 when something is not)
#
# Ports come from the same variables the tests read: PGPORT, REDIS_PORT, MYSQL_PORT.
set -euo pipefail

PG_PORT="${PGPORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"
MYSQL_PORT="${MYSQL_PORT:-3306}"
LOG_DIR="${THREADLINE_SERVICE_LOGS:-/var/log/threadline}"

say() { echo "[services] $*"; }
fail() { echo "[services] $*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # name port log-file
  local name=$1 port=$2 log=${3:-}
  for _ in $(seq 1 60); do
    if port_open "$port"; then say "$name is up on 127.0.0.1:$port"; return 0; fi
    sleep 0.5
  done
  echo "[services] $name did not come up on 127.0.0.1:$port within 30 s" >&2
  if [[ -n "$log" && -r "$log" ]]; then echo "--- last lines of $log ---" >&2; tail -n 30 "$log" >&2; fi
  exit 1
}

if [[ "${1:-}" == "--check" ]]; then
  status=0
  for entry in "PostgreSQL:$PG_PORT" "Redis:$REDIS_PORT" "MariaDB:$MYSQL_PORT"; do
    if port_open "${entry#*:}"; then say "${entry%%:*} up on ${entry#*:}"; else say "${entry%%:*} DOWN on ${entry#*:}"; status=1; fi
  done
  exit $status
fi

# --- install -------------------------------------------------------------------------------------
# The Debian package that provides each command the steps below use.
declare -A PACKAGE_OF=([pg_ctlcluster]=postgresql [redis-server]=redis-server [mariadbd]=mariadb-server)
missing=()
command -v pg_ctlcluster >/dev/null && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=("${PACKAGE_OF[pg_ctlcluster]}")
command -v redis-server >/dev/null || missing+=("${PACKAGE_OF[redis-server]}")
[[ -x /usr/sbin/mariadbd ]] || missing+=("${PACKAGE_OF[mariadbd]}")

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    fail "missing ${missing[*]} and not root: run as root, or install them first: sudo apt-get install -y ${missing[*]}"
  fi
  command -v apt-get >/dev/null || fail "missing ${missing[*]} and no apt-get here: install PostgreSQL, Redis and MariaDB with this system's package manager"
  say "installing ${missing[*]}"
  start=$SECONDS
  export DEBIAN_FRONTEND=noninteractive
  # A fresh image may hold no package lists, or stale ones: refresh once, only when needed.
  if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/threadline-apt.log 2>&1; then
    apt-get update -q >>/tmp/threadline-apt.log 2>&1 || true
    apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/threadline-apt.log 2>&1 \
      || { tail -n 30 /tmp/threadline-apt.log >&2; fail "apt-get install ${missing[*]} failed (log above)"; }
  fi
  say "installed in $((SECONDS - start)) s"
fi

if [[ $(id -u) -ne 0 ]]; then
  # Without root nothing below can be configured; services someone else started are fine.
  down=()
  port_open "$PG_PORT" || down+=("PostgreSQL on $PG_PORT")
  port_open "$REDIS_PORT" || down+=("Redis on $REDIS_PORT")
  port_open "$MYSQL_PORT" || down+=("MariaDB on $MYSQL_PORT")
  ((${#down[@]})) || { say "all services up"; exit 0; }
  fail "down: ${down[*]}; starting and configuring them needs root: run this script as root (sudo $0)"
fi
mkdir -p "$LOG_DIR"

# --- PostgreSQL ----------------------------------------------------------------------------------
pg_version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$pg_version main"; then
  say "creating PostgreSQL $pg_version cluster main"
  pg_createcluster "$pg_version" main --port "$PG_PORT" >/dev/null
fi
pg_conf_dir="/etc/postgresql/$pg_version/main"
hba="$pg_conf_dir/pg_hba.conf"
# Trust on the Unix socket and on loopback; our lines go first so they win over the defaults.
if ! grep -q '^# threadline: trust' "$hba"; then
  tmp=$(mktemp)
  {
    echo '# threadline: trust on the Unix socket and loopback (test machines only)'
    echo 'local   all   all                  trust'
    echo 'host    all   all   127.0.0.1/32   trust'
    echo 'host    all   all   ::1/128        trust'
    cat "$hba"
  } >"$tmp"
  cat "$tmp" >"$hba" && rm -f "$tmp"
  port_open "$PG_PORT" && pg_ctlcluster "$pg_version" main reload
fi
pg_log="/var/log/postgresql/postgresql-$pg_version-main.log"
if ! port_open "$PG_PORT"; then
  # Cluster files may be left from an earlier machine state with a stale pid file: start cleans it.
  pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start || { tail -n 30 "$pg_log" >&2 || true; fail "PostgreSQL did not start"; }
fi
wait_for PostgreSQL "$PG_PORT" "$pg_log"
for db in test root; do
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE \"$db\""
done
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'root'" | grep -q 1 \
  || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc 'CREATE ROLE root SUPERUSER LOGIN'

# --- Redis ---------------------------------------------------------------------------------------
if ! port_open "$REDIS_PORT"; then
  mkdir -p /var/lib/threadline-redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /var/lib/threadline-redis --logfile "$LOG_DIR/redis.log"
fi
wait_for Redis "$REDIS_PORT" "$LOG_DIR/redis.log"

# --- MariaDB -------------------------------------------------------------------------------------
if ! port_open "$MYSQL_PORT"; then
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
  if [[ ! -d /var/lib/mysql/mysql ]]; then
    say "initialising the MariaDB data directory"
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db >"$LOG_DIR/mariadb-install.log" 2>&1 \
      || { tail -n 30 "$LOG_DIR/mariadb-install.log" >&2; fail "mariadb-install-db failed"; }
  fi
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- \
    --user=mysql --port="$MYSQL_PORT" --bind-address=127.0.0.1 --log-error="$LOG_DIR/mariadb.log"
fi
wait_for MariaDB "$MYSQL_PORT" "$LOG_DIR/mariadb.log"
# root with an empty password over TCP (mysql_native_password), on localhost and 127.0.0.1.
if ! mariadb -h 127.0.0.1 -P "$MYSQL_PORT" -u root -e 'SELECT 1' >/dev/null 2>&1; then
  say "configuring MariaDB root for password-less TCP logins"
  mariadb -u root <<'SQL'
ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('');
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED VIA mysql_native_password USING PASSWORD('');
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
fi
mariadb -h 127.0.0.1 -P "$MYSQL_PORT" -u root -e 'CREATE DATABASE IF NOT EXISTS test' \
  || fail "MariaDB root cannot log in over TCP with an empty password"
say "PostgreSQL, Redis and MariaDB ready"
