import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

/**
 * Sticky cache and concurrency (issue 15, `npm run bench -- open`): open cases sleep for days, so
 * the cache holds only the recently active ones; a workflow evicted from it is replayed from its
 * (bounded, continue-as-new) history when it next wakes. WORKER_MAX_CACHED_WORKFLOWS (default 500)
 * and WORKER_MAX_CONCURRENT_WORKFLOW_TASKS (default 20) override; unset means these defaults.
 */
export function workerTuning(env: NodeJS.ProcessEnv = process.env): Partial<WorkerOptions> {
  const int = (name: string, fallback: number) => {
    const v = Number(env[name]);
    return Number.isSafeInteger(v) && v > 0 ? v : fallback;
  };
  const maxCachedWorkflows = int('WORKER_MAX_CACHED_WORKFLOWS', 500);
  const maxConcurrentWorkflowTaskExecutions = Math.min(int('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 20), maxCachedWorkflows);
  return { maxCachedWorkflows, maxConcurrentWorkflowTaskExecutions };
}

/** Where `npm run build` (scripts/bundle-workflows.ts) writes the workflow bundle. */
export const DEFAULT_WORKFLOW_BUNDLE_PATH = path.resolve(__dirname, '..', 'dist', 'workflow-bundle.js');

export async function createWorker(opts: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (production); without it the workflows are bundled at start (development). */
  workflowBundlePath?: string;
  overrides?: Partial<WorkerOptions>;
}): Promise<Worker> {
  if (opts.workflowBundlePath && !fs.existsSync(opts.workflowBundlePath)) {
    throw new Error(`WORKFLOW_BUNDLE_PATH: no bundle at ${opts.workflowBundlePath} (run npm run build)`);
  }
  const workflowSource: Partial<WorkerOptions> = opts.workflowBundlePath
    ? { workflowBundle: { codePath: opts.workflowBundlePath } }
    : { workflowsPath: require.resolve('../workflows') };
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities(opts.deps),
    ...workflowSource,
    ...workerTuning(),
    ...opts.overrides,
  });
}
