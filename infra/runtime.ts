import type { Server } from 'node:http';
import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import type { Client } from '@temporalio/client';
import { createApp } from '../api/app';
import { createWorker } from '../worker/create-worker';
import { assertJwtSecretAllowed, ConfigError, loadConfig, type Config } from './config';
import { createPool, migrate } from './db';
import { ensureAnchorSchedule } from './anchor-schedule';
import { ensureDigestSchedule } from './digest-schedule';
import { startEmbeddedPostgres } from './embedded-postgres';
import { ensureStatisticsSchedule } from './statistics-schedule';
import { logger, type Logger } from './logger';
import { NotificationDispatcher, type DispatcherOptions } from './notification-dispatcher';
import { ProcessStarter } from './process-starts';
import { connectTemporal, createClient, registerSearchAttributes } from './temporal';
import { startTemporalDevServer } from './temporal-dev-server';

type Stop = () => Promise<void>;

/** Resolves DATABASE_URL / TEMPORAL_ADDRESS, starting the embedded ones for whichever is unset. */
export async function ensureBackingServices(config: Config, log: Logger): Promise<{ databaseUrl: string; temporalAddress: string; uiUrl?: string; stops: Stop[] }> {
  const stops: Stop[] = [];
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    log.info({ dir: path.join(config.DATA_DIR, 'postgres'), port: config.EMBEDDED_PG_PORT }, 'starting embedded Postgres');
    const pg = await startEmbeddedPostgres({ dataDir: path.join(config.DATA_DIR, 'postgres'), port: config.EMBEDDED_PG_PORT, log: (m) => log.warn(m) });
    databaseUrl = pg.databaseUrl;
    stops.push(pg.stop);
  }
  let temporalAddress = config.TEMPORAL_ADDRESS;
  let uiUrl: string | undefined;
  if (!temporalAddress) {
    log.info({ port: config.TEMPORAL_DEV_PORT, uiPort: config.TEMPORAL_UI_PORT }, 'starting Temporal dev server');
    const dev = await startTemporalDevServer({
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFile: path.join(config.DATA_DIR, 'temporal.db'),
      namespace: config.TEMPORAL_NAMESPACE,
      log: (m) => log.info(m),
    });
    temporalAddress = dev.address;
    uiUrl = dev.uiUrl;
    stops.push(dev.stop);
  }
  return { databaseUrl, temporalAddress, uiUrl, stops };
}

/** Schema and search attributes: applied on every start, idempotently. */
export async function prepareBackingServices(opts: { databaseUrl: string; temporalAddress: string; namespace: string; log: Logger }): Promise<void> {
  const applied = await migrate(opts.databaseUrl, (m) => opts.log.debug(m));
  opts.log.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
  const connection = await connectTemporal(opts.temporalAddress);
  try {
    const added = await registerSearchAttributes(connection, opts.namespace);
    opts.log.info({ added }, added.length ? 'search attributes registered' : 'search attributes present');
  } finally {
    await connection.close();
  }
}

/** The SDK logs through its own runtime; keep its (webpack) chatter at warnings unless debugging. */
function installSdkRuntime(level: Config['LOG_LEVEL']): void {
  const sdkLevel = level === 'debug' || level === 'trace' ? 'DEBUG' : level === 'info' ? 'WARN' : 'ERROR';
  try {
    Runtime.install({ logger: new DefaultLogger(sdkLevel) });
  } catch {
    // already installed in this process (tests)
  }
}

export interface RunningService {
  pool: Pool;
  temporal: Client;
  server?: Server;
  worker?: Worker;
  stop: Stop;
}

/** Runs the API and/or the worker in this process against prepared backing services. */
/** Postgres connections per process part (embedded Postgres allows 200). */
const API_POOL_SIZE = 24;
const WORKER_POOL_SIZE = 10;

export async function runService(opts: {
  config: Config;
  log: Logger;
  databaseUrl: string;
  temporalAddress: string;
  api: boolean;
  worker: boolean;
  /** tests: a faster delivery retry policy */
  dispatcher?: DispatcherOptions;
}): Promise<RunningService> {
  const { config, log } = opts;
  if (opts.api) assertJwtSecretAllowed(config);
  // The API's pool: sized for bursts of concurrent requests (a start holds a connection only for its
  // transaction and one UPDATE, never across a Temporal call). The worker has its own, so its
  // activities and outboxes never queue behind requests or the other way round.
  const pool = createPool(opts.databaseUrl, opts.api ? API_POOL_SIZE : WORKER_POOL_SIZE, config.STATEMENT_TIMEOUT_MS);
  const clientConnection = await connectTemporal(opts.temporalAddress);
  const temporal = createClient(clientConnection, config.TEMPORAL_NAMESPACE);
  const stops: Stop[] = [() => pool.end(), () => clientConnection.close()];
  let server: Server | undefined;
  let worker: Worker | undefined;

  if (opts.worker) {
    installSdkRuntime(config.LOG_LEVEL);
    const workerPool = opts.api ? createPool(opts.databaseUrl, WORKER_POOL_SIZE, config.STATEMENT_TIMEOUT_MS) : pool;
    if (workerPool !== pool) stops.push(() => workerPool.end());
    const connection = await NativeConnection.connect({ address: opts.temporalAddress });
    worker = await createWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TASK_QUEUE,
      deps: { pool: workerPool, config, log, temporal },
      workflowBundlePath: config.WORKFLOW_BUNDLE_PATH,
    });
    const running = worker.run();
    log.info({ taskQueue: config.TASK_QUEUE }, 'worker running');
    // The daily digest schedule, created or brought up to date idempotently; without it the worker still runs.
    await ensureDigestSchedule(temporal, config.TASK_QUEUE, log).catch((err) => log.error({ err }, 'daily digest schedule not ensured'));
    // The daily tamper-evidence anchor (00:15), likewise.
    await ensureAnchorSchedule(temporal, config.TASK_QUEUE, log).catch((err) => log.error({ err }, 'daily anchor schedule not ensured'));
    // The 1 January annual statistics schedule, likewise.
    await ensureStatisticsSchedule(temporal, config.TASK_QUEUE, log).catch((err) => log.error({ err }, 'annual statistics schedule not ensured'));
    // The outboxes: process starts (reconciler) and notification deliveries (dispatcher).
    const reconciler = new ProcessStarter(workerPool, temporal, log).run();
    const dispatcher = new NotificationDispatcher(workerPool, config, log, opts.dispatcher);
    dispatcher.start();
    const w = worker;
    stops.unshift(async () => {
      await reconciler.stop();
      await dispatcher.stop();
      w.shutdown();
      await running;
      await connection.close();
    });
  }

  if (opts.api) {
    const app = createApp({ config, pool, temporal, log });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    });
    // A request (headers and body) must arrive within REQUEST_TIMEOUT_MS; slow clients are cut off.
    server.requestTimeout = config.REQUEST_TIMEOUT_MS;
    server.headersTimeout = Math.min(config.REQUEST_TIMEOUT_MS, 20_000);
    server.keepAliveTimeout = 5_000;
    log.info({ port: config.PORT }, 'API listening');
    const s = server;
    stops.unshift(async () => {
      // Stop accepting, let running requests finish, drop idle keep-alive connections.
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeIdleConnections();
      await closed;
    });
  }

  return {
    pool,
    temporal,
    server,
    worker,
    stop: async () => {
      for (const stop of stops) await stop().catch((err) => log.error({ err }, 'error while stopping'));
    },
  };
}

/**
 * Production entry for one part (docker-compose `api` / `worker`): the backing services must be
 * given (DATABASE_URL, TEMPORAL_ADDRESS) and prepared (scripts/prepare.ts).
 */
export function runStandalone(part: 'api' | 'worker'): void {
  const main = async () => {
    const config = loadConfig();
    if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
      throw new ConfigError(`Invalid configuration:\n  DATABASE_URL and TEMPORAL_ADDRESS: both required for the standalone ${part} (npm start runs embedded ones)`);
    }
    const service = await runService({ config, log: logger, databaseUrl: config.DATABASE_URL, temporalAddress: config.TEMPORAL_ADDRESS, api: part === 'api', worker: part === 'worker' });
    onShutdownSignal(logger, service.stop);
  };
  main().catch((err) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  });
}

/**
 * Ctrl-C / SIGTERM: stop in order, once. Ctrl-C reaches every process of the terminal's group and
 * tsx relays it too, so repeats within a few seconds are the same Ctrl-C; a later one forces exit.
 */
export function onShutdownSignal(log: Logger, stop: () => Promise<void>, deadlineMs = Number(process.env.SHUTDOWN_DEADLINE_MS) || 20_000): void {
  let firstAt: number | undefined;
  const handler = (signal: string) => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < 3_000) return;
      log.warn('forced exit');
      process.exit(1);
    }
    firstAt = Date.now();
    log.info({ signal, deadlineMs }, 'shutting down');
    // Graceful, with a deadline: what has not stopped by then is abandoned (exit 1).
    setTimeout(() => {
      log.error({ deadlineMs }, 'shutdown deadline passed; exiting');
      process.exit(1);
    }, deadlineMs).unref();
    stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
