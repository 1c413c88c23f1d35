#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on 127.0.0.1 for the real-database tests, the way CI
# does: initdb + pg_ctl as the postgres user under a temp dir, password authentication, no
# systemd. Installs Debian's postgresql-15 when missing (needs root). Prints the DATABASE_URL.
#   npm run db:start            # then: export DATABASE_URL=...; npm run test:postgres
#   npm run db:stop
set -euo pipefail
PORT="${ELITE_PG_PORT:-54329}"
DIR="${ELITE_PG_DIR:-/tmp/elite-pg}"
PASSWORD="${ELITE_PG_PASSWORD:-elite-test}"
BIN=/usr/lib/postgresql/15/bin

if [ ! -x "$BIN/pg_ctl" ]; then
  echo "db: installing postgresql-15 from Debian" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2
fi
URL="postgres://postgres:$PASSWORD@127.0.0.1:$PORT/postgres"
START="$BIN/pg_ctl -D $DIR/data -l $DIR/log -w -o \"-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off\" start"
if [ -f "$DIR/data/PG_VERSION" ]; then
  # An existing cluster (stopped by `db-stop.sh keep`, or running): start it if needed.
  if ! su postgres -c "$BIN/pg_ctl -D $DIR/data status" >/dev/null 2>&1; then
    rm -f "$DIR/data/postmaster.pid"
    if ! su postgres -c "$START" >/dev/null; then rm -rf "$DIR"; exec "$0"; fi
  fi
  echo "$URL"
  exit 0
fi
rm -rf "$DIR"
mkdir -p "$DIR"
chown postgres:postgres "$DIR"
printf '%s\n' "$PASSWORD" > "$DIR/pwfile"
chown postgres:postgres "$DIR/pwfile"
su postgres -c "$BIN/initdb -D $DIR/data -U postgres --pwfile=$DIR/pwfile -A scram-sha-256 --no-sync" >/dev/null
rm -f "$DIR/pwfile"
su postgres -c "$START" >/dev/null
echo "$URL"
