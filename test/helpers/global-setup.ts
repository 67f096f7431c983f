import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../../infra/db';
import { startEmbeddedPostgres } from '../../infra/embedded-postgres';
import { connectTemporal, registerSearchAttributes } from '../../infra/temporal';
import { freePort, startTemporalDevServer } from '../../infra/temporal-dev-server';

/**
 * One real Postgres and one real Temporal dev server for the whole jest run. The schema is migrated
 * once into a template database; each test file clones it (test/helpers/database.ts).
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanxiang-test-pg-'));
  const pgPort = await freePort();
  const pg = await startEmbeddedPostgres({ dataDir, port: pgPort, database: 'template_sanxiang', persistent: false });
  await migrate(pg.databaseUrl);

  const temporalPort = await freePort();
  const dev = await startTemporalDevServer({ port: temporalPort, namespace: 'default' });
  const connection = await connectTemporal(dev.address);
  await registerSearchAttributes(connection, 'default');
  await connection.close();

  process.env.TEST_TEMPLATE_DATABASE_URL = pg.databaseUrl;
  process.env.TEST_TEMPORAL_ADDRESS = dev.address;
  (globalThis as any).__SANXIANG_TEST_STOP__ = async () => {
    await dev.stop();
    await pg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  console.log(`\n[test] Postgres :${pgPort} and Temporal dev server ${dev.address} up in ${Date.now() - started} ms`);
}
