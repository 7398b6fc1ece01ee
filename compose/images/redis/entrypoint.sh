#!/bin/sh
# A Redis server or a Sentinel: WS_NAME picks its generated config. Sentinel rewrites its
# file, so each start works on a fresh copy of the generated one.
set -eu
dir=/var/lib/windshear/$WS_NAME
mkdir -p "$dir"
if [ -f "/etc/windshear/$WS_NAME/sentinel.conf" ]; then
  cp "/etc/windshear/$WS_NAME/sentinel.conf" "$dir/sentinel.conf"
  exec redis-sentinel "$dir/sentinel.conf"
fi
exec redis-server "/etc/windshear/$WS_NAME/redis.conf"
