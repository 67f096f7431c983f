/** Builds the workflow bundle ahead of time so production workers start without webpack. */
import fs from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import path from 'node:path';
import { DEFAULT_WORKFLOW_BUNDLE_PATH } from '../worker/create-worker';

async function main() {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') });
  const target = process.env.WORKFLOW_BUNDLE_PATH ?? DEFAULT_WORKFLOW_BUNDLE_PATH;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, code);
  console.log(`workflow bundle: ${target} (${(code.length / 1024).toFixed(0)} KiB)`);
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
