#!/usr/bin/env bash
# Stops the cluster started by db-start.sh and removes it.
set -euo pipefail
DIR="${ELITE_PG_DIR:-/tmp/elite-pg}"
if [ -d "$DIR/data" ]; then su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D $DIR/data -m fast stop" >/dev/null || true; fi
rm -rf "$DIR"
