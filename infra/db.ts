import path from 'node:path';
import { Pool, type PoolClient } from 'pg';
import { importEsm } from './esm';

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', 'migrations');

export function createPool(databaseUrl: string, max = 10): Pool {
  const pool = new Pool({ connectionString: databaseUrl, max });
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
