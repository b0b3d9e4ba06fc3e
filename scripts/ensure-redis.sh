#!/usr/bin/env bash
# Makes sure a Redis server answers on 127.0.0.1:6379, for the cluster tests (issue 9). Starts one
# (no persistence: tests keep nothing) if it is installed but down, and installs redis-server from
# Debian's packages if it is missing. Idempotent; fails loudly rather than letting tests skip.
set -euo pipefail
. "$(dirname "$0")/lib/apt-install.sh"

ready() { command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

if ready; then
  echo "ensure-redis: Redis is ready on 127.0.0.1:6379"
  exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  apt_install ensure-redis redis-server
fi
echo "ensure-redis: starting redis-server on 127.0.0.1:6379"
mkdir -p /tmp/ov2x-redis
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /tmp/ov2x-redis --logfile /tmp/ov2x-redis/redis.log
for _ in $(seq 1 50); do
  if ready; then echo "ensure-redis: Redis is ready on 127.0.0.1:6379"; exit 0; fi
  sleep 0.1
done
echo "ensure-redis: redis-server did not answer on 127.0.0.1:6379 (see /tmp/ov2x-redis/redis.log)" >&2
exit 1
