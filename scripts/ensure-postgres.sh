#!/usr/bin/env bash
# Makes sure PostgreSQL accepts connections on 127.0.0.1:5432, as the storage
# tests expect (test/helpers/db.ts). Starts the local cluster if it is down and
# installs PostgreSQL from Debian's packages if it is missing. Idempotent.
set -euo pipefail

HOST=127.0.0.1
PORT=5432

ready() { command -v pg_isready >/dev/null && pg_isready -q -h "$HOST" -p "$PORT"; }

if ready; then
  echo "ensure-postgres: PostgreSQL is ready on $HOST:$PORT"
  exit 0
fi

fresh_install=0
if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-postgres: PostgreSQL is not installed and this is not root; install the 'postgresql' package." >&2
    exit 1
  fi
  echo "ensure-postgres: installing PostgreSQL from apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q postgresql
  fresh_install=1
fi

version="$(ls /etc/postgresql | sort -V | tail -n 1)"
if [ ! -d "/etc/postgresql/$version/main" ]; then
  pg_createcluster "$version" main
  fresh_install=1
fi

if [ "$fresh_install" -eq 1 ]; then
  # Tests connect over TCP without a password; only loopback is trusted, and
  # the first matching pg_hba line wins, so prepend it.
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  fi
fi

echo "ensure-postgres: starting cluster $version/main"
# A cluster that is already running (e.g. on another port) makes this fail; the
# readiness check below is what decides.
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
if [ "$fresh_install" -eq 1 ]; then
  pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
fi

for _ in $(seq 1 30); do
  if ready; then
    echo "ensure-postgres: PostgreSQL is ready on $HOST:$PORT"
    exit 0
  fi
  sleep 1
done

echo "ensure-postgres: PostgreSQL is still not accepting connections on $HOST:$PORT." >&2
echo "ensure-postgres: check 'pg_lsclusters' and /var/log/postgresql/postgresql-$version-main.log" >&2
exit 1
