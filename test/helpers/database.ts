import { randomBytes } from 'node:crypto';
import { Client, type Pool } from 'pg';
import { createPool } from '../../infra/db';

/** A fresh database for one test file: a clone of the migrated template (fast, isolated). */
export async function freshDatabase(): Promise<{ url: string; pool: Pool; drop: () => Promise<void> }> {
  const templateUrl = process.env.TEST_TEMPLATE_DATABASE_URL;
  if (!templateUrl) throw new Error('TEST_TEMPLATE_DATABASE_URL unset: run the tests through jest (global setup)');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: templateUrl.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template_sanxiang`);
  } finally {
    await admin.end();
  }
  const url = templateUrl.replace(/\/[^/]+$/, `/${name}`);
  const pool = createPool(url, 5);
  return {
    url,
    pool,
    drop: async () => {
      await pool.end();
      const c = new Client({ connectionString: templateUrl.replace(/\/[^/]+$/, '/postgres') });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
