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

  it('runs a workflow with a 30-day timer in under 2 s of wall time', async () => {
    const taskQueue = uniqueTaskQueue('timer');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      ...(await workflowSource(require.resolve('../fixtures/timer-workflows'))),
    });
    const result = await worker.runUntil(async () => {
      const started = Date.now();
      const out = await env.client.workflow.execute(thirtyDayTimerWorkflow, { taskQueue, workflowId: `timer-${taskQueue}` });
      return { out, wallMs: Date.now() - started };
    });
    expect(result.out).toBe('30 days');
    expect(result.wallMs).toBeLessThan(2_000);
  });
});
