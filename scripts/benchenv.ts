/**
 * A whole stack for a bench section (not a section itself): embedded Postgres in a temporary
 * directory, its own Temporal dev server (in memory), schema and search attributes, and the real
 * API and worker in this process (infra/runtime.ts runService), quiet.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DEMO_PERSON_ID, signToken, type Role } from '../api/auth';
import { loadConfig, type Config } from '../infra/config';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { logger } from '../infra/logger';
import { prepareBackingServices, runService, type RunningService } from '../infra/runtime';
import { freePort, startTemporalDevServer } from '../infra/temporal-dev-server';

export interface BenchStack {
  baseUrl: string;
  config: Config;
  databaseUrl: string;
  temporalAddress: string;
  service: RunningService;
  token(unit: string, roles: Role[], person?: string): Promise<string>;
  call(token: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startStack(opts: { worker?: boolean } = {}): Promise<BenchStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanxiang-bench-stack-'));
  const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  const dev = await startTemporalDevServer({ port: await freePort(), namespace: 'default' });
  const log = logger.child({}, { level: process.env.BENCH_LOG_LEVEL ?? 'error' });
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: randomBytes(32).toString('hex'), DATABASE_URL: pg.databaseUrl, TEMPORAL_ADDRESS: dev.address, TASK_QUEUE: 'bench', PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'error' });
  await prepareBackingServices({ databaseUrl: pg.databaseUrl, temporalAddress: dev.address, namespace: 'default', log });
  const service = await runService({ config, log, databaseUrl: pg.databaseUrl, temporalAddress: dev.address, api: true, worker: opts.worker ?? true });
  const baseUrl = `http://127.0.0.1:${((service.server as Server).address() as AddressInfo).port}`;
  return {
    baseUrl,
    config,
    databaseUrl: pg.databaseUrl,
    temporalAddress: dev.address,
    service,
    token: (unit, roles, person = DEMO_PERSON_ID) => signToken(config.JWT_SECRET, { personId: person, unit, roles }),
    call: async (token, method, p, body) => {
      const res = await fetch(baseUrl + p, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      return { status: res.status, body: parsed };
    },
    stop: async () => {
      await service.stop();
      await dev.stop().catch(() => undefined);
      await pg.stop().catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
