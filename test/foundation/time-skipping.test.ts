import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTimeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';
import { workflowSource } from '../helpers/workflow-bundle';
import { thirtyDayTimerWorkflow } from '../fixtures/timer-workflows';

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow with a 30-day timer by skipping the server\'s time, not by waiting (the test\'s own timeout is 60 s of wall time)', async () => {
    const taskQueue = uniqueTaskQueue('timer');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      ...(await workflowSource(require.resolve('../fixtures/timer-workflows'))),
    });
    const result = await worker.runUntil(async () => {
      const serverBefore = await env.currentTimeMs();
      const out = await env.client.workflow.execute(thirtyDayTimerWorkflow, { taskQueue, workflowId: `timer-${taskQueue}` });
      return { out, skippedMs: (await env.currentTimeMs()) - serverBefore };
    });
    expect(result.out).toBe('30 days');
    expect(result.skippedMs).toBeGreaterThanOrEqual(30 * 24 * 3600 * 1000);
  });
});
