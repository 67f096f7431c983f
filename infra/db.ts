import path from 'node:path';
import { Pool, type PoolClient } from 'pg';
import { importEsm } from './esm';

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', 'migrations');

export function createPool(databaseUrl: string, max = 10, statementTimeoutMs = Number(process.env.STATEMENT_TIMEOUT_MS) || 15_000): Pool {
  // Every statement has a deadline (statement_timeout, STATEMENT_TIMEOUT_MS).
  const pool = new Pool({ connectionString: databaseUrl, max, statement_timeout: statementTimeoutMs });
  // An idle client losing its connection must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/** Applies pending migrations (node-pg-migrate; .sql and .cjs files in migrations/). */
export async function migrate(databaseUrl: string, log: (msg: string) => void = () => undefined): Promise<string[]> {
  const { runner } = await importEsm<{ runner: (options: Record<string, unknown>) => Promise<Array<{ name: string }>> }>('node-pg-migrate');
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    count: Infinity,
    checkOrder: true,
    log: (msg: string) => log(msg),
    logger: { info: () => undefined, warn: log, error: log, debug: () => undefined },
  });
  return applied.map((m) => m.name);
}

export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** The least-privileged role the API and worker connect as (deploy/postgres/roles.sql in compose). */
export const APP_ROLE = 'sanxiang_app';
/** Its password on the embedded Postgres (loopback only, like the superuser's local default). */
export const EMBEDDED_APP_PASSWORD = 'sanxiang_app';

/**
 * Makes `sanxiang_app` a login role with the rights the running service needs and no more (issue
 * 14): read and write rows, use sequences, no DDL (it owns nothing, so it can neither ALTER a table
 * nor disable a trigger), and on every append-only table (those guarded by refuse_record_change:
 * the case record, its documents, the anchors) only SELECT and INSERT, no UPDATE, DELETE or TRUNCATE.
 * Run by the owner after the migrations (the embedded setup: the cluster's superuser owns the
 * schema); idempotent. Returns the URL the service then uses.
 */
export async function ensureAppRole(ownerUrl: string, password = EMBEDDED_APP_PASSWORD): Promise<string> {
  const { Client } = await import('pg');
  const c = new Client({ connectionString: ownerUrl });
  await c.connect();
  try {
    const role = c.escapeIdentifier(APP_ROLE);
    const exists = (await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE])).rowCount! > 0;
    // Never a superuser, never able to create roles or databases, nor to bypass row security.
    const attrs = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${c.escapeLiteral(password)}`;
    await c.query(`${exists ? 'ALTER' : 'CREATE'} ROLE ${role} ${exists ? 'WITH ' : ''}${attrs}`).catch(async (err: { code?: string }) => {
      // Two starts racing on a new cluster: the other created it.
      if (err.code !== '42710') throw err;
      await c.query(`ALTER ROLE ${role} WITH ${attrs}`);
    });
    const db = c.escapeIdentifier((await c.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d);
    await c.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${role}`);
    await c.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    await c.query(`REVOKE CREATE ON SCHEMA public FROM ${role}`);
    await c.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await c.query(`REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM ${role}`);
    await c.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    // The migrations' bookkeeping is the owner's.
    await c.query(`REVOKE INSERT, UPDATE, DELETE ON TABLE pgmigrations FROM ${role}`).catch(() => undefined);
    for (const table of await appendOnlyTables(c)) {
      await c.query(`REVOKE UPDATE, DELETE, TRUNCATE ON TABLE ${c.escapeIdentifier(table)} FROM ${role}`);
    }
  } finally {
    await c.end();
  }
  const url = new URL(ownerUrl);
  url.username = APP_ROLE;
  url.password = password;
  return url.toString();
}

/** Tables whose rows may never change: those with a trigger running refuse_record_change(). */
export async function appendOnlyTables(c: { query: Pool['query'] } | PoolClient | import('pg').Client): Promise<string[]> {
  const { rows } = await (c as Pool).query<{ t: string }>(
    `SELECT DISTINCT c.relname AS t FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE p.proname = 'refuse_record_change' AND NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace ORDER BY 1`,
  );
  return rows.map((r) => r.t);
}
