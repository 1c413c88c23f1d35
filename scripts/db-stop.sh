#!/usr/bin/env bash
# Stops the cluster started by db-start.sh and removes it; `db-stop.sh keep` only stops it
# (db-start.sh then starts it again with its data).
set -euo pipefail
DIR="${ELITE_PG_DIR:-/tmp/elite-pg}"
if [ -d "$DIR/data" ]; then su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D $DIR/data -m fast -w stop" >/dev/null 2>&1 || true; fi
if [ "${1:-}" != "keep" ]; then rm -rf "$DIR"; fi
