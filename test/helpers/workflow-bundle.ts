import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type WorkerOptions } from '@temporalio/worker';

/**
 * Workflow code bundled once per jest run (global setup) instead of once per Worker.create: webpack
 * takes seconds per bundle on this machine and nearly every test file starts a worker. Each entry is
 * a workflows module that tests run; the bundle is built from the working tree at the start of the
 * run, exactly as Worker.create would build it (same SDK defaults), so tests run the same code.
 *
 * Global setup does not wait for the bundles: the file names are fixed (and in the environment)
 * before the first test file starts, a bundle appears under its name only when complete (written
 * aside, then renamed), and a test that needs one waits for it. A bundle that failed to build leaves
 * `<name>.failed`; tests then bundle from the module themselves (and fail there, with webpack's error).
 */
export const PREBUILT_WORKFLOWS = {
  workflows: require.resolve('../../workflows'),
  'deadline-workflows': require.resolve('../fixtures/deadline-workflows'),
  'timer-workflows': require.resolve('../fixtures/timer-workflows'),
} as const;

const ENV = 'TEST_WORKFLOW_BUNDLES';
const WAIT_MS = 300_000;

/**
 * Names every bundle under `dir` in the environment at once (test files inherit it) and builds them
 * in the background; the promise settles when all are written (or failed).
 */
export function startWorkflowBundles(dir: string): Promise<void> {
  const entries = Object.entries(PREBUILT_WORKFLOWS).map(([name, workflowsPath]) => ({ workflowsPath, file: path.join(dir, `${name}.js`) }));
  process.env[ENV] = JSON.stringify(Object.fromEntries(entries.map((e) => [e.workflowsPath, e.file])));
  return (async () => {
    for (const { workflowsPath, file } of entries) {
      try {
        const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
        fs.writeFileSync(`${file}.partial`, code);
        fs.renameSync(`${file}.partial`, file);
      } catch (error) {
        fs.writeFileSync(`${file}.failed`, String((error as Error)?.stack ?? error));
      }
    }
  })();
}

/** The prebuilt bundle of `workflowsPath` for this run (waiting for it if still being built), if global setup names one. */
export async function prebuiltBundlePath(workflowsPath: string = PREBUILT_WORKFLOWS.workflows): Promise<string | undefined> {
  const raw = process.env[ENV];
  const file = raw ? (JSON.parse(raw) as Record<string, string>)[workflowsPath] : undefined;
  if (!file) return undefined;
  const until = Date.now() + WAIT_MS;
  while (!fs.existsSync(file)) {
    if (fs.existsSync(`${file}.failed`) || Date.now() > until || !fs.existsSync(path.dirname(file))) return undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
  return file;
}

/** Worker options naming the workflow code: the run's prebuilt bundle, else the module (bundled at Worker.create). */
export async function workflowSource(workflowsPath: string = PREBUILT_WORKFLOWS.workflows): Promise<Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>> {
  const codePath = await prebuiltBundlePath(workflowsPath);
  return codePath ? { workflowBundle: { codePath } } : { workflowsPath };
}
