import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signToken, DEMO_PERSON_ID, type Role } from '../../api/auth';
import { loadConfig, type Config } from '../../infra/config';
import { logger } from '../../infra/logger';
import type { DispatcherOptions } from '../../infra/notification-dispatcher';
import { runService, type RunningService } from '../../infra/runtime';
import { freePort } from '../../infra/temporal-dev-server';
import { freshDatabase } from './database';
import { uniqueTaskQueue } from './temporal';
import { prebuiltBundlePath } from './workflow-bundle';

export interface TestService {
  baseUrl: string;
  config: Config;
  service: RunningService;
  token(unit: string, roles: Role[], person?: string): Promise<string>;
  /** fetch with a bearer token; JSON in and out. */
  call(token: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

/** The real API and worker in this process, on a fresh database and the run's dev server. */
export async function startTestService(overrides: Partial<Record<string, string>> = {}, opts: { dispatcher?: DispatcherOptions } = {}): Promise<TestService> {
  const db = await freshDatabase();
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
    TASK_QUEUE: uniqueTaskQueue('svc'),
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // Its own secret: the local default is refused with external backing services (DATABASE_URL set).
    JWT_SECRET: randomBytes(32).toString('base64url'),
    // Test receivers listen on loopback; the allow-list names it (production: unset, or the operator's hosts).
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,localhost',
    // Generous rate limits: the tests must never trip them.
    RATE_LIMIT_PER_TOKEN: '1000000',
    RATE_LIMIT_PER_IP: '1000000',
    // The run's workflow bundle (global setup), as production's WORKFLOW_BUNDLE_PATH: no webpack per file.
    WORKFLOW_BUNDLE_PATH: await prebuiltBundlePath(),
    ...overrides,
  });
  const service = await runService({
    config,
    log: logger.child({}, { level: 'warn' }),
    databaseUrl: db.url,
    temporalAddress: config.TEMPORAL_ADDRESS!,
    api: true,
    worker: true,
    dispatcher: opts.dispatcher,
  });
  const port = ((service.server as Server).address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    config,
    service,
    token: (unit, roles, person = DEMO_PERSON_ID) => signToken(config.JWT_SECRET, { personId: person, unit, roles }),
    call: async (token, method, path, body) => {
      const res = await fetch(baseUrl + path, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON (a document)
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    stop: async () => {
      await service.stop();
      await db.drop();
    },
  };
}
