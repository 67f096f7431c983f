import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

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
    ...opts.overrides,
  });
}
