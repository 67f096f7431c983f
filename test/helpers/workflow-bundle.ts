import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type WorkerOptions } from '@temporalio/worker';

/**
 * Workflow code bundled once per jest run (global setup) instead of once per Worker.create: webpack
 * takes seconds per bundle on this machine and nearly every test file starts a worker. Each entry is
 * a workflows module that tests run; the bundle is built from the working tree at the start of the
 * run, exactly as Worker.create would build it (same SDK defaults), so tests run the same code.
 */
export const PREBUILT_WORKFLOWS = {
  workflows: require.resolve('../../workflows'),
  'deadline-workflows': require.resolve('../fixtures/deadline-workflows'),
  'timer-workflows': require.resolve('../fixtures/timer-workflows'),
} as const;

const ENV = 'TEST_WORKFLOW_BUNDLES';

/** Builds every bundle into `dir`; records the map (module → bundle file) in the environment for the test files. */
export async function buildWorkflowBundles(dir: string): Promise<Record<string, string>> {
  const map: Record<string, string> = {};
  for (const [name, workflowsPath] of Object.entries(PREBUILT_WORKFLOWS)) {
    const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
    const file = path.join(dir, `${name}.js`);
    fs.writeFileSync(file, code);
    map[workflowsPath] = file;
  }
  process.env[ENV] = JSON.stringify(map);
  return map;
}

/** The prebuilt bundle of `workflowsPath` for this run, if global setup built one. */
export function prebuiltBundlePath(workflowsPath: string = PREBUILT_WORKFLOWS.workflows): string | undefined {
  const raw = process.env[ENV];
  if (!raw) return undefined;
  const file = (JSON.parse(raw) as Record<string, string>)[workflowsPath];
  return file && fs.existsSync(file) ? file : undefined;
}

/** Worker options naming the workflow code: the run's prebuilt bundle, else the module (bundled at Worker.create). */
export function workflowSource(workflowsPath: string = PREBUILT_WORKFLOWS.workflows): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const codePath = prebuiltBundlePath(workflowsPath);
  return codePath ? { workflowBundle: { codePath } } : { workflowsPath };
}
