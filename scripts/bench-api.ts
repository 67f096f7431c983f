/**
 * HTTP throughput of the API on real Postgres (embedded, in a temporary directory), with autocannon
 * on loopback: each route's requests per second as a ratio of GET /health (no auth, no database)
 * measured in the same run. Bounded: a few seconds per route, then everything stops.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../api/app';
import { DEMO_PERSON_ID, signToken } from '../api/auth';
import { loadConfig } from '../infra/config';
import { createPool, migrate } from '../infra/db';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { logger } from '../infra/logger';
import { freePort } from '../infra/temporal-dev-server';
import { note, type BenchSection } from './benchkit';

const SECONDS_PER_ROUTE = 3;
const CONNECTIONS = 10;

async function run(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanxiang-bench-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  const pool = createPool(pg.databaseUrl, 10);
  // These routes never reach Temporal: a lazy connection is never opened.
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  try {
    await migrate(pg.databaseUrl);
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const app = createApp({ config, pool, temporal: new Client({ connection }), log: logger.child({}, { level: 'silent' }) });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const token = await signToken(config.JWT_SECRET, { personId: DEMO_PERSON_ID, unit: 'benxi.sfj', roles: ['supervisor'] });

    const measure = async (label: string, url: string, auth: boolean) => {
      const result = await autocannon({ url: base + url, connections: CONNECTIONS, duration: SECONDS_PER_ROUTE, headers: auth ? { authorization: `Bearer ${token}` } : {} });
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${label}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      return { label, rps: result.requests.average, p99: result.latency.p99 };
    };
    const rssBefore = process.memoryUsage().rss;
    const baseline = await measure('GET /health (baseline)', '/health', false);
    const rows = [
      baseline,
      await measure('GET /api/me (JWT + unit tree)', '/api/me', true),
      await measure('GET /api/units (JWT + query)', '/api/units', true),
      await measure('GET /api/calendar/days, one year', '/api/calendar/days?from=2025-01-01&to=2025-12-31', true),
    ];
    for (const r of rows) {
      note(`${r.label.padEnd(40)} ${r.rps.toFixed(0).padStart(7)} req/s  p99 ${String(r.p99).padStart(4)} ms  ratio ${(r.rps / baseline.rps).toFixed(2)} of baseline`);
    }
    note(`RSS ${(rssBefore / 2 ** 20).toFixed(0)} MiB before load, ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB after (${CONNECTIONS} connections, ${SECONDS_PER_ROUTE} s a route)`);
    await new Promise((r) => server.close(r));
  } finally {
    await connection.close().catch(() => undefined);
    await pool.end();
    await pg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export const benchSection: BenchSection = {
  name: 'api',
  description: 'HTTP requests per second on real Postgres, as ratios of GET /health measured in the same run',
  run,
};
