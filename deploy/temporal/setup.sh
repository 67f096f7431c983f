#!/bin/sh
# Temporal's own schema and the application's namespace. Run by the temporalio/admin-tools container
# (docker-compose.yml: `temporal-schema`, then `temporal-namespace`) and by `npm run prod-like` with
# the same tools built locally. Idempotent: run it again after every server upgrade.
#
#   setup.sh schema      temporal-sql-tool: schema-version tables, then every versioned step of the
#                        installed server, in temporal and temporal_visibility (both must exist:
#                        deploy/postgres/roles.sql creates them). Before the server starts.
#   setup.sh namespace   waits for the frontend, then creates the namespace with its retention, or
#                        sets the retention of an existing one. After the server starts.
#
# Environment: SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD (temporal-sql-tool's own variables),
# TEMPORAL_SCHEMA_DIR (default /etc/temporal/schema/postgresql/v12, as in admin-tools),
# TEMPORAL_ADDRESS (the temporal CLI's), TEMPORAL_NAMESPACE, TEMPORAL_RETENTION (e.g. 1825d).
set -eu

schema() {
  export SQL_PLUGIN=postgres12
  dir="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"
  for db in temporal temporal_visibility; do
    versioned="$dir/temporal/versioned"
    [ "$db" = temporal_visibility ] && versioned="$dir/visibility/versioned"
    # setup-schema -v 0.0 only creates the bookkeeping tables; it refuses when they exist already.
    if ! out=$(temporal-sql-tool --db "$db" setup-schema -v 0.0 2>&1); then
      case "$out" in
        *already\ exists*) echo "[temporal-setup] $db: schema version tables present" ;;
        *) echo "$out" >&2; exit 1 ;;
      esac
    fi
    temporal-sql-tool --db "$db" update-schema -d "$versioned"
    echo "[temporal-setup] $db: schema up to date ($versioned)"
  done
}

namespace() {
  ns="${TEMPORAL_NAMESPACE:?set TEMPORAL_NAMESPACE}"
  retention="${TEMPORAL_RETENTION:?set TEMPORAL_RETENTION, e.g. 1825d}"
  tries=0
  until temporal operator cluster health >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -gt 120 ] && { echo "[temporal-setup] frontend at ${TEMPORAL_ADDRESS:-127.0.0.1:7233} not serving after 120 s" >&2; exit 1; }
    sleep 1
  done
  if temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1; then
    # Right after a create, the frontend's namespace cache may not know it yet (~10 s): retry.
    tries=0
    until temporal operator namespace update --namespace "$ns" --retention "$retention"; do
      tries=$((tries + 1))
      [ "$tries" -gt 30 ] && exit 1
      sleep 1
    done
    echo "[temporal-setup] namespace $ns: retention set to $retention"
  else
    temporal operator namespace create --namespace "$ns" --retention "$retention" \
      --description "三项制度 service: case files, legal reviews, calendar publication"
    echo "[temporal-setup] namespace $ns: created, retention $retention"
  fi
}

case "${1:-}" in
  schema) schema ;;
  namespace) namespace ;;
  *) echo "usage: setup.sh schema|namespace" >&2; exit 2 ;;
esac
