import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Config } from '../infra/config';

/** Sticky cache and concurrency from the configuration (defaults and why: WORKER_DEFAULTS in infra/config.ts). */
export function workerTuning(config: Pick<Config, 'WORKER_MAX_CACHED_WORKFLOWS' | 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS' | 'WORKER_MAX_CONCURRENT_ACTIVITIES' | 'WORKER_REUSE_V8_CONTEXT' | 'WORKER_STICKY_TIMEOUT_MS'>): Partial<WorkerOptions> {
  return {
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    // The SDK requires at least 2 and no more than the cache holds.
    maxConcurrentWorkflowTaskExecutions: Math.max(2, Math.min(config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS, config.WORKER_MAX_CACHED_WORKFLOWS)),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    reuseV8Context: config.WORKER_REUSE_V8_CONTEXT,
    stickyQueueScheduleToStartTimeout: config.WORKER_STICKY_TIMEOUT_MS,
  };
}

/** Running the build's plain JS (dist/worker/create-worker.js), as production does; not tsx or jest. */
const COMPILED = __filename.endsWith('.js');

/** Where `npm run build` (scripts/bundle-workflows.ts) writes the workflow bundle: dist/workflow-bundle.js. */
export const DEFAULT_WORKFLOW_BUNDLE_PATH = COMPILED ? path.resolve(__dirname, '..', 'workflow-bundle.js') : path.resolve(__dirname, '..', 'dist', 'workflow-bundle.js');

export async function createWorker(opts: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle; without it the build's own bundle (compiled), or bundled at start (tsx, jest). */
  workflowBundlePath?: string;
  overrides?: Partial<WorkerOptions>;
}): Promise<Worker> {
  // The build never bundles at start (webpack costs the worker ~100 MB and seconds): without
  // WORKFLOW_BUNDLE_PATH it uses the bundle `npm run build` wrote next to it.
  const bundlePath = opts.workflowBundlePath ?? (COMPILED ? DEFAULT_WORKFLOW_BUNDLE_PATH : undefined);
  if (bundlePath && !fs.existsSync(bundlePath)) {
    throw new Error(`WORKFLOW_BUNDLE_PATH: no bundle at ${bundlePath} (run npm run build)`);
  }
  const workflowSource: Partial<WorkerOptions> = bundlePath
    ? { workflowBundle: { codePath: bundlePath } }
    : { workflowsPath: require.resolve('../workflows') };
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities(opts.deps),
    ...workflowSource,
    ...workerTuning(opts.deps.config),
    ...opts.overrides,
  });
}
