#!/bin/sh
# docker-entrypoint-initdb.d hook of the postgres image: runs once, on an empty data volume.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v temporal_password="$TEMPORAL_DB_PASSWORD" \
  -v owner_password="$SANXIANG_OWNER_PASSWORD" \
  -v app_password="$SANXIANG_APP_PASSWORD" \
  -f /etc/sanxiang/roles.sql
