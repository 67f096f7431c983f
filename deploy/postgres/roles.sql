-- Roles and databases of a deployment, run once by the Postgres superuser on a new cluster
-- (docker-compose: deploy/postgres/init.sh from /docker-entrypoint-initdb.d; npm run prod-like: on
-- the embedded Postgres). psql variables: temporal_password, owner_password, app_password.
--
--   temporal       owns temporal and temporal_visibility (Temporal's schema tool and server)
--   sanxiang_owner owns database sanxiang and its schema: the migrations (setup job) run as it
--   sanxiang_app   the API and the worker: read and write rows, no DDL, and on the case record
--                  only SELECT and INSERT (migration 0004 revokes the rest)

CREATE ROLE temporal LOGIN PASSWORD :'temporal_password';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;

CREATE ROLE sanxiang_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE sanxiang_app LOGIN PASSWORD :'app_password';
CREATE DATABASE sanxiang OWNER sanxiang_owner;
REVOKE ALL ON DATABASE sanxiang FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE sanxiang TO sanxiang_app;

\connect sanxiang
-- The public schema belongs to the database owner (pg_database_owner); the app may only use it.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO sanxiang_app;
ALTER DEFAULT PRIVILEGES FOR ROLE sanxiang_owner IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO sanxiang_app;
ALTER DEFAULT PRIVILEGES FOR ROLE sanxiang_owner IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO sanxiang_app;
