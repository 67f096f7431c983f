import express from 'express';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { errorMapper } from '../../api/errors';
import { logger } from '../../infra/logger';
import { freePort } from '../../infra/temporal-dev-server';

/**
 * With Postgres away the API answers 503 + Retry-After (retry later), never a 500: the error is a
 * real one from `pg` connecting to a port where nothing listens.
 */
describe('database unreachable → 503 with Retry-After', () => {
  it('maps a real refused connection from pg to 503 and names no internals', async () => {
    const pool = new Pool({ host: '127.0.0.1', port: await freePort(), user: 'x', password: 'x', database: 'x', connectionTimeoutMillis: 2_000 });
    const app = express();
    app.get('/probe', async () => {
      await pool.query('SELECT 1');
    });
    app.use(errorMapper(logger.child({}, { level: 'silent' })));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/probe`);
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = (await res.json()) as { error: string };
      expect(body.error).toMatch(/database is unreachable/);
      expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    } finally {
      server.close();
      await pool.end();
    }
  });
});
