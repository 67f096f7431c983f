import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../../infra/db';
import { startEmbeddedPostgres } from '../../infra/embedded-postgres';
import { connectTemporal, registerSearchAttributes } from '../../infra/temporal';
import { freePort, startTemporalDevServer } from '../../infra/temporal-dev-server';
import { startWorkflowBundles } from './workflow-bundle';

/**
 * One real Postgres and one real Temporal dev server for the whole jest run. The schema is migrated
 * once into a template database; each test file clones it (test/helpers/database.ts). The workflow
 * code is bundled once, in the background from here on (test/helpers/workflow-bundle.ts).
 */
/**
 * A deleted workflow disappears once the history service's queues acknowledge its close task; they
 * do so every 30 s by default, so each deletion in the tests (kit-api) waited ~30 s. Temporal's own
 * functional tests of deletion use 1 s; semantics are unchanged, only the acknowledgement cadence.
 */
const TEST_DEV_SERVER_CONFIG = {
  'history.transferProcessorUpdateAckInterval': '1s',
  'history.visibilityProcessorUpdateAckInterval': '1s',
};

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const timing: Record<string, unknown> = { at: new Date(started).toISOString() };
  const recordSetup = (values: Record<string, unknown>) => writeTimings(Object.assign(timing, values));
  recordSetup({});
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanxiang-test-pg-'));
  const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanxiang-test-bundles-'));
  // Not awaited: test files that need a bundle wait for its file (test/helpers/workflow-bundle.ts).
  const bundling = startWorkflowBundles(bundleDir).then(() => {
    const bundlesMs = Date.now() - started;
    process.stderr.write(`[test] workflow bundles built in ${bundlesMs} ms\n`);
    recordSetup({ bundlesMs });
  });
  const pgPort = await freePort();
  const pg = await startEmbeddedPostgres({ dataDir, port: pgPort, database: 'template_sanxiang', persistent: false });
  await migrate(pg.databaseUrl);

  const temporalPort = await freePort();
  const dev = await startTemporalDevServer({ port: temporalPort, namespace: 'default', dynamicConfig: TEST_DEV_SERVER_CONFIG });
  const connection = await connectTemporal(dev.address);
  await registerSearchAttributes(connection, 'default');
  await connection.close();

  process.env.TEST_TEMPLATE_DATABASE_URL = pg.databaseUrl;
  process.env.TEST_TEMPORAL_ADDRESS = dev.address;
  (globalThis as any).__SANXIANG_TEST_STOP__ = async () => {
    await bundling;
    await dev.stop();
    await pg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(bundleDir, { recursive: true, force: true });
  };
  const setupMs = Date.now() - started;
  recordSetup({ setupMs });
  console.log(`\n[test] Postgres :${pgPort} and Temporal dev server ${dev.address} up in ${setupMs} ms`);
}

/** The global setup's own timings for `npm run bench -- suite` (jest's results start after it). */
function writeTimings(timing: Record<string, unknown>): void {
  const file = path.join(__dirname, '..', '..', '.data', 'test-global-setup.json');
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(timing)}\n`);
  } catch {
    // timings only
  }
}
