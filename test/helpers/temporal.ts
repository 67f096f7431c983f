import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { testServerPath } from '../../infra/tools';
import { registerSearchAttributes } from '../../infra/temporal';
import { workflowSource } from './workflow-bundle';

let runtimeInstalled = false;
export function quietSdkLogs(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed
  }
}

/**
 * A time-skipping environment on the Java test server installed by scripts/install-tools.sh
 * (TEMPORAL_TEST_SERVER_PATH overrides); without one the SDK downloads its own (needs internet).
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietSdkLogs();
  const path = testServerPath();
  const env = await startTimeSkippingServer(path);
  await registerSearchAttributes(env.connection as unknown as Connection, env.namespace ?? "default");
  return env;
}

/**
 * The SDK gives the Java server 5 s to open its port; on this shared machine under load a JVM start
 * sometimes takes longer. Such a start is retried (a fresh server, another port), up to 3 attempts.
 */
async function startTimeSkippingServer(path: string | undefined, attempts = 3): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping(path ? { server: { executable: { type: 'existing-path', path } } } : {});
    } catch (error) {
      if (attempt >= attempts || !/did not start within/.test(String((error as Error)?.message))) throw error;
    }
  }
}

/** A client of the run's shared dev server (global setup): full visibility and schedules. */
export async function devServerClient(): Promise<{ client: Client; connection: Connection; address: string }> {
  quietSdkLogs();
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEST_TEMPORAL_ADDRESS unset: run the tests through jest (global setup)');
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection, namespace: 'default' }), connection, address };
}

export const uniqueTaskQueue = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/**
 * What a process test needs: a time-skipping environment, a fresh database, and a running worker
 * with the real activities on its own task queue.
 */
export async function startTimeSkippingWorker(opts: { prefix: string; workflowsPath?: string }) {
  const { Worker } = await import('@temporalio/worker');
  const { createActivities } = await import('../../activities');
  const { loadConfig } = await import('../../infra/config');
  const { logger } = await import('../../infra/logger');
  const { freshDatabase } = await import('./database');
  const env = await createTimeSkippingEnv();
  const db = await freshDatabase();
  const taskQueue = uniqueTaskQueue(opts.prefix);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    ...(await workflowSource(opts.workflowsPath ?? require.resolve('../../workflows'))),
    activities: createActivities({ pool: db.pool, config: loadConfig({ NODE_ENV: 'test' }), log: logger.child({}, { level: 'warn' }), temporal: env.client }),
  });
  const running = worker.run();
  return {
    env,
    db,
    taskQueue,
    stop: async () => {
      worker.shutdown();
      await running;
      await env.teardown();
      await db.drop();
    },
  };
}
