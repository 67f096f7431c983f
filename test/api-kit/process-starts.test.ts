import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { enqueueProcessStart, ProcessStarter, processStartState, STARTER_GRACE_SECONDS, type ProcessStartRequest } from '../../infra/process-starts';
import { inTransaction } from '../../infra/db';
import { logger } from '../../infra/logger';
import { freshDatabase } from '../helpers/database';
import { devServerClient } from '../helpers/temporal';

/**
 * The start outbox without the API: the starter's own attempt right after its commit, the worker's
 * reconciler, and the two meeting on one row. Workflows go to a task queue no worker polls (only the
 * start is under test), as a review would be started.
 */
describe('process start outbox: the starter tries first, the reconciler takes what it left', () => {
  const log = logger.child({}, { level: 'silent' });
  const taskQueue = `starts-${randomUUID().slice(0, 8)}`;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let temporal: Awaited<ReturnType<typeof devServerClient>>;
  let away: Connection;

  beforeAll(async () => {
    db = await freshDatabase();
    temporal = await devServerClient();
    // Nothing listens there: every call fails (the outage case) without waiting for a real server to stop.
    away = await Connection.lazy({ address: '127.0.0.1:1' });
  });
  afterAll(async () => {
    await away?.close().catch(() => undefined);
    await temporal?.connection.close();
    await db?.drop();
  });

  const request = (): ProcessStartRequest => {
    const caseNumber = `本医保罚〔2026〕S${randomUUID().slice(0, 8)}号`;
    return {
      workflowId: `review-benxi.ybj-${caseNumber}-s1`,
      kind: 'legal-review',
      workflowType: 'legalReviewWorkflow',
      taskQueue,
      input: { reviewId: randomUUID(), unit: 'benxi.ybj', caseNumber, receivedAt: new Date(Date.now() - 3_600_000).toISOString() },
      unit: 'benxi.ybj',
      caseNumber,
      initialStatus: 'submitted',
      summary: `法制审核 ${caseNumber}`,
    };
  };
  const enqueue = (req: ProcessStartRequest) => inTransaction(db.pool, (tx) => enqueueProcessStart(tx, req));
  const starter = (client: Client = temporal.client, startTimeoutMs = 5_000) => new ProcessStarter(db.pool, client, log, { startTimeoutMs });
  const row = async (workflowId: string) => (await db.pool.query('SELECT * FROM process_starts WHERE workflow_id = $1', [workflowId])).rows[0];
  const startInput = async (workflowId: string) => {
    const { defaultPayloadConverter } = await import('@temporalio/common');
    const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
    return defaultPayloadConverter.fromPayload(history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!);
  };

  it('a fresh request is not taken by the reconciler; the starter starts it from the stored row, search attributes at start', async () => {
    const req = request();
    const { created, stored } = await enqueue(req);
    expect(created).toBe(true);
    expect(Date.parse(stored!.next_attempt_at) - Date.parse(stored!.requested_at)).toBeGreaterThanOrEqual(STARTER_GRACE_SECONDS * 1000 - 1);

    // The reconciler runs meanwhile (it is always running in the worker): it leaves the fresh row alone.
    expect(await starter().drain()).toEqual({ started: 0, failed: 0 });
    expect(await row(req.workflowId)).toMatchObject({ attempts: 0, started_at: null, last_error: null });

    const state = await starter().tryStart(req.workflowId, stored);
    expect(state).toMatchObject({ workflowId: req.workflowId, attempts: 1, lastError: null, startedAt: expect.any(String), runId: expect.any(String) });
    const described = await temporal.client.workflow.getHandle(req.workflowId).describe();
    expect(described.runId).toBe(state!.runId);
    expect(described.taskQueue).toBe(taskQueue);
    expect(described.typedSearchAttributes.getAll().map((p) => p.key.name)).toEqual(expect.arrayContaining(['Unit', 'CaseNumber', 'ProcessKind', 'Status']));
    expect(await startInput(req.workflowId)).toEqual(req.input);
  });

  it('a start that failed (Temporal unreachable) is stored with its error and started by the reconciler after its backoff, with the stored input', async () => {
    const req = request();
    const { stored } = await enqueue(req);
    const failed = await starter(new Client({ connection: away, namespace: 'default' }), 500).tryStart(req.workflowId, stored);
    expect(failed).toMatchObject({ startedAt: null, attempts: 1, lastError: expect.any(String) });
    // Due after its backoff (1 s), not after the fresh-row grace.
    expect(Date.parse(failed!.nextAttemptAt!)).toBeLessThan(Date.now() + 2_000);
    expect((await processStartState(db.pool, req.workflowId))!.startedAt).toBeNull();

    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(failed!.nextAttemptAt!) - Date.now()) + 100));
    const pass = await starter().drain();
    expect(pass.started).toBeGreaterThanOrEqual(1);
    const started = await row(req.workflowId);
    expect(started).toMatchObject({ attempts: 2, last_error: null, started_at: expect.any(Date), run_id: expect.any(String) });
    expect((await temporal.client.workflow.getHandle(req.workflowId).describe()).runId).toBe(started.run_id);
    expect(await startInput(req.workflowId)).toEqual(req.input);
  });

  it('the starter and the reconciler meeting on one due row start one workflow and mark it once', async () => {
    const req = request();
    await enqueue(req);
    await db.pool.query('UPDATE process_starts SET next_attempt_at = now() WHERE workflow_id = $1', [req.workflowId]);
    const [a, b, pass] = await Promise.all([starter().tryStart(req.workflowId), starter().tryStart(req.workflowId), starter().drain()]);
    const marked = await row(req.workflowId);
    expect(marked).toMatchObject({ attempts: 1, started_at: expect.any(Date), last_error: null });
    expect(a!.runId).toBe(marked.run_id);
    expect(b!.runId).toBe(marked.run_id);
    expect(pass.failed).toBe(0);
    expect((await temporal.client.workflow.getHandle(req.workflowId).describe()).runId).toBe(marked.run_id);
  });

  it('a row marked started is never started again (the workflow deleted meanwhile stays gone)', async () => {
    const req = request();
    const { stored } = await enqueue(req);
    const state = await starter().tryStart(req.workflowId, stored);
    await temporal.client.workflow.getHandle(req.workflowId).terminate('test');
    await temporal.connection.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: req.workflowId, runId: state!.runId! } });
    const refusing = { withDeadline: () => Promise.reject(new Error('must not be called')), workflow: { start: () => Promise.reject(new Error('must not be called')) } } as unknown as Client;
    expect(await starter(refusing).tryStart(req.workflowId)).toMatchObject({ startedAt: state!.startedAt, runId: state!.runId, attempts: 1 });
    await db.pool.query('UPDATE process_starts SET next_attempt_at = now() - interval \'1 hour\' WHERE workflow_id = $1', [req.workflowId]);
    expect(await starter(refusing).drain()).toEqual({ started: 0, failed: 0 });
  });

  it('a second request for the same workflow changes nothing', async () => {
    const req = request();
    await enqueue(req);
    expect(await enqueue({ ...req, input: { other: true } })).toEqual({ created: false });
    expect((await row(req.workflowId)).input).toEqual(req.input);
  });
});
