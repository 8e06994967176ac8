#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and the bench (issue 9): initdb into a temporary directory, listen on
# 127.0.0.1:${PG_PORT:-54329} only, trust auth (local, disposable: never a production set-up), and print the URL to
# export as TEST_POSTGRES_URL. Idempotent: if the cluster already answers, it only prints the URL.
#
#   export TEST_POSTGRES_URL="$(scripts/ci-postgres.sh)"
#   scripts/ci-postgres.sh stop        # stop it and delete its directory
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user (Debian's package creates it).
# Binaries: Debian's postgresql (/usr/lib/postgresql/<version>/bin), or PG_BIN, or whatever is on PATH.
set -euo pipefail

PORT="${PG_PORT:-54329}"
DIR="${PG_DIR:-${TMPDIR:-/tmp}/wbt-postgres-$PORT}"
DB="${PG_DB:-wbt_test}"
URL="postgres://postgres@127.0.0.1:$PORT/$DB"

if [ -z "${PG_BIN:-}" ]; then
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  [ -n "$PG_BIN" ] || PG_BIN="$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")"
fi
[ -x "$PG_BIN/initdb" ] || { echo "ci-postgres: no PostgreSQL binaries found (install Debian's postgresql, or set PG_BIN)" >&2; exit 1; }

# Run a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; else "$@"; fi
}

if [ "${1:-start}" = stop ]; then
  [ -d "$DIR" ] && as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
  exit 0
fi

ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; }

if ! ready; then
  if [ ! -f "$DIR/data/PG_VERSION" ]; then
    rm -rf "$DIR"
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    as_owner "$PG_BIN/initdb" -D "$DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; exit 1; }
  fi
  # fsync stays on: the durability tests mean what they say on PostgreSQL too.
  as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR -c max_connections=200 -c shared_buffers=64MB" start >/dev/null \
    || { cat "$DIR/server.log" >&2; exit 1; }
  for _ in $(seq 1 60); do ready && break; sleep 0.5; done
  ready || { echo "ci-postgres: the server did not come up on port $PORT (log: $DIR/server.log)" >&2; exit 1; }
fi

if ! "$PG_BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
fi
echo "$URL"
