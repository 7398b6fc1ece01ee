#!/bin/sh
# PostgreSQL 15 under pg_auto_failover, as chaos/platforms/local/components.ts does it:
# the monitor, the first node (our own initdb, registers as primary) and the standby
# (cloned by pg_autoctl with pg_basebackup). /etc/windshear/$WS_NAME/pg.env sets PG_ROLE,
# PG_HOST, PG_PORT, MONITOR_URI, PRIMARY_HOST, PRIMARY_PORT. A restarted container runs
# the node pg_autoctl already created (its config file exists).
set -eu
conf=/etc/windshear/$WS_NAME
. "$conf/pg.env"
dir=/var/lib/windshear/$WS_NAME
export PGDATA="$dir/pgdata" HOME="$dir" XDG_CONFIG_HOME="$dir/xdg/config" \
  XDG_DATA_HOME="$dir/xdg/data" XDG_RUNTIME_DIR="$dir/xdg/run" PGHOST=/var/run/postgresql LANG=C.UTF-8
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$dir" "$XDG_RUNTIME_DIR"
if [ -f "$XDG_CONFIG_HOME/pg_autoctl$PGDATA/pg_autoctl.cfg" ]; then
  # A container killed with SIGKILL leaves its pid files; nothing else runs in it at start, so
  # they are stale. pg_autoctl is PID 1 again and would take its own old pidfile for a running
  # instance ("already running with PID 1") and exit: measured after az-loss on compose.
  rm -f "$XDG_RUNTIME_DIR/pg_autoctl$PGDATA/pg_autoctl.pid" "$PGDATA/postmaster.pid"
  exec pg_autoctl run --pgdata "$PGDATA"
fi

init() {
  [ -f "$PGDATA/PG_VERSION" ] && return 0
  initdb -D "$PGDATA" --auth=trust --data-checksums -U postgres
  cat "$conf/pg_hba.extra.conf" >> "$PGDATA/pg_hba.conf"
  cat "$conf/postgresql.extra.conf" >> "$PGDATA/postgresql.conf"
}

# The start order the local platform keeps (monitor, then the primary registered, then the
# standby cloned from it), waited for here rather than by Compose health checks: these poll once
# a second only while starting, and Docker's health checks can run every 30 s (compose/README.md).
monitor_sql() {
  psql -Atq -h "$MONITOR_HOST" -p "$MONITOR_PORT" -U postgres -d pg_auto_failover -c "$1" 2>/dev/null
}
wait_for() {
  for _ in $(seq 1 600); do "$@" && return 0; sleep 1; done
  echo "gave up after 600 s waiting for: $*" >&2
  exit 1
}
monitor_up() { monitor_sql 'select 1 from pgautofailover.node limit 0' >/dev/null; }
primary_serving() {
  case "$(monitor_sql "select reportedstate from pgautofailover.node where nodehost = '$PRIMARY_HOST'")" in
  single | wait_primary | primary) return 0 ;;
  *) return 1 ;;
  esac
}

case "$PG_ROLE" in
monitor)
  init
  pg_autoctl create monitor --pgdata "$PGDATA" --pgport "$PG_PORT" --hostname "$PG_HOST" \
    --no-ssl --skip-pg-hba
  exec pg_autoctl run --pgdata "$PGDATA"
  ;;
primary)
  wait_for monitor_up
  init
  ;;
replica)
  wait_for primary_serving
  # pg_basebackup waits for a spread checkpoint on the primary; an immediate one lets it go.
  (for _ in $(seq 1 60); do
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break
    psql -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -c checkpoint >/dev/null 2>&1 || true
    sleep 3
  done) &
  ;;
esac
exec pg_autoctl create postgres --pgdata "$PGDATA" --pghost /var/run/postgresql --pgport "$PG_PORT" \
  --listen "$PG_HOST" --hostname "$PG_HOST" --name "$WS_NAME" --monitor "$MONITOR_URI" \
  --no-ssl --skip-pg-hba --dbname "$PG_DATABASE" --run
