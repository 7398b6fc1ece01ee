#!/bin/sh
# Healthy: PostgreSQL answers, and (nodes) the monitor reports this node in a serving state.
set -eu
. "/etc/windshear/$WS_NAME/pg.env"
pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
[ "$PG_ROLE" = monitor ] && exit 0
state=$(psql -Atq -h "$MONITOR_HOST" -p "$MONITOR_PORT" -U postgres -d pg_auto_failover \
  -c "select reportedstate from pgautofailover.node where nodename = '$WS_NAME'")
case "$state" in single | wait_primary | primary | secondary) exit 0 ;; *) exit 1 ;; esac
