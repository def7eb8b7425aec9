#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the test suite and print its URL on stdout.
#
# Installs Debian's postgresql package when it is missing (as root), creates a cluster in a
# temporary directory owned by the postgres user (the server refuses to run as root), listens on
# 127.0.0.1 only, and trusts local connections: it is for tests, never for data.
#   usage: export DUTYBOUND_TEST_POSTGRES_URL="$(bash scripts/test-postgres.sh)"
#   stop:  bash scripts/test-postgres.sh stop
set -euo pipefail
DATA=${DUTYBOUND_PG_DIR:-/tmp/dutybound-test-pg}
PORT=${DUTYBOUND_PG_PORT:-55432}

bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$dir" ] && echo "$dir"
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    su postgres -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}

if [ "${1:-}" = "stop" ]; then
  [ -d "$DATA" ] && as_postgres "$(bindir)/pg_ctl -D $DATA -m fast stop" >/dev/null || true
  exit 0
fi

if [ -z "$(bindir)" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL is not installed: sudo apt-get install -y postgresql" >&2
    exit 1
  fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
BIN=$(bindir)

if ! as_postgres "$BIN/pg_ctl -D $DATA status" >/dev/null 2>&1; then
  rm -rf "$DATA"
  mkdir -p "$DATA"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$DATA"
  as_postgres "$BIN/initdb -D $DATA -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
  as_postgres "$BIN/pg_ctl -D $DATA -l $DATA/server.log -w \
    -o '-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200' \
    start" >/dev/null
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
