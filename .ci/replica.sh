#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL (127.0.0.1:5432) on 127.0.0.1:$REPLICA_PORT, for the
# read-replica tests (tests/operations/test_replicas.py). `make replica` runs it; `make replica-stop`
# runs it with `stop`.
#
# Rerun-safe: an old replica on the port is stopped and its data directory wiped before a fresh
# pg_basebackup -R (which writes standby.signal and primary_conninfo). The primary is never restarted:
# the only change it may need is a pg_hba.conf line for replication connections, and that takes a
# reload. pg_ctl refuses to run as root, so the replica's server runs as the OS user postgres.
set -euo pipefail

REPLICA_PORT="${REPLICA_PORT:-5433}"
PRIMARY_HOST="${PRIMARY_HOST:-127.0.0.1}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
PG_VERSION="${PG_VERSION:-15}"
PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"
DATA_DIR="${REPLICA_DATA_DIR:-/var/tmp/booky-replica-$REPLICA_PORT}"
LOG_FILE="$DATA_DIR.log"
# The replica connects as postgres: a role with REPLICATION (root is a superuser, which also works,
# but postgres exists on every Debian install).
REPLICATION_USER="${REPLICATION_USER:-postgres}"

as_postgres() { runuser -u postgres -- "$@"; }
primary_sql() { psql -X -q -At -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U root -d postgres -c "$1"; }

stop_replica() {
  if [ -f "$DATA_DIR/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DATA_DIR" "$LOG_FILE"
}

if [ "${1:-}" = "stop" ]; then
  stop_replica
  echo "Replica on port $REPLICA_PORT stopped and removed."
  exit 0
fi

if ! pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT"; then
  echo "The primary PostgreSQL at $PRIMARY_HOST:$PRIMARY_PORT does not answer." >&2
  exit 1
fi
wal_level="$(primary_sql 'SHOW wal_level')"
if [ "$wal_level" = "minimal" ]; then
  echo "The primary has wal_level=minimal: streaming needs 'replica' (a restart, not done here)." >&2
  exit 1
fi

# "all" in pg_hba.conf's database column does not cover replication connections; they need their own
# line. Added once, before the other rules, and applied with a reload (no restart).
hba_file="$(primary_sql 'SHOW hba_file')"
if ! grep -Eq "^[[:space:]]*host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust" "$hba_file"; then
  { echo "host replication all 127.0.0.1/32 trust  # booky: .ci/replica.sh"; cat "$hba_file"; } >"$hba_file.new"
  chown --reference="$hba_file" "$hba_file.new"
  chmod --reference="$hba_file" "$hba_file.new"
  mv "$hba_file.new" "$hba_file"
  primary_sql 'SELECT pg_reload_conf()' >/dev/null
  echo "Allowed replication connections from 127.0.0.1 in $hba_file (reloaded, not restarted)."
fi

stop_replica
# Anything else still listening there would take the replica's port.
if pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT"; then
  echo "Port $REPLICA_PORT is taken by another server; set REPLICA_PORT." >&2
  exit 1
fi

mkdir -p "$(dirname "$DATA_DIR")"
# -c fast: a checkpoint now instead of waiting for the next one; -X stream: the WAL written during the
# copy comes along, so the replica is consistent as soon as it starts.
as_postgres "$PG_BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$REPLICATION_USER" \
  -D "$DATA_DIR" -X stream -c fast -R
# Debian keeps a cluster's configuration in /etc, so the copy has none: the replica gets its own. A hot
# standby refuses to start with max_connections (and its kin) below the primary's: they are copied.
primary_settings="$(primary_sql "SELECT string_agg(name || ' = ' || setting, E'\n') FROM pg_settings
  WHERE name IN ('max_connections', 'max_worker_processes', 'max_wal_senders',
                 'max_prepared_transactions', 'max_locks_per_transaction')")"
cat >"$DATA_DIR/postgresql.conf" <<EOF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
hot_standby = on
$primary_settings
EOF
printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$DATA_DIR/pg_hba.conf"
: >"$DATA_DIR/pg_ident.conf"
chown postgres: "$DATA_DIR/postgresql.conf" "$DATA_DIR/pg_hba.conf" "$DATA_DIR/pg_ident.conf"
touch "$LOG_FILE" && chown postgres: "$LOG_FILE"
as_postgres "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -w -t 60 start >/dev/null

for _ in $(seq 60); do
  in_recovery="$(psql -X -At -h 127.0.0.1 -p "$REPLICA_PORT" -U root -d postgres -c 'SELECT pg_is_in_recovery()' 2>/dev/null || true)"
  [ "$in_recovery" = "t" ] && break
  sleep 0.5
done
if [ "$in_recovery" != "t" ]; then
  echo "The replica on port $REPLICA_PORT did not come up in recovery; its log:" >&2
  tail -n 30 "$LOG_FILE" >&2
  exit 1
fi
streaming="$(primary_sql "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")"
echo "Replica of $PRIMARY_HOST:$PRIMARY_PORT streaming on 127.0.0.1:$REPLICA_PORT (data $DATA_DIR, log $LOG_FILE; $streaming streaming replica(s) on the primary)."
