import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle, type WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

/**
 * Starts a workflow under its business key exactly once: a second start (even after the first
 * closed) returns the existing execution with created=false instead of creating another.
 */
export async function startOnce<W extends Workflow>(
  client: Client,
  workflow: W,
  options: WorkflowStartOptions<W>,
): Promise<{ handle: WorkflowHandle<W>; created: boolean }> {
  try {
    const handle = await client.workflow.start(workflow, {
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      ...options,
    });
    return { handle, created: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      return { handle: client.workflow.getHandle<W>(options.workflowId), created: false };
    }
    throw err;
  }
}
