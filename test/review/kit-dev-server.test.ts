// The process kit under the legal review, on the run's dev server: resets, concurrency, poison input.
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { ReviewStore } from '../../infra/review-store';
import { createActivities } from '../../activities';
import { loadConfig } from '../../infra/config';
import { logger } from '../../infra/logger';
import { initialSearchAttributes } from '../../workflows/search-attributes';
import {
  recordDecisionUpdate,
  addMaterialsUpdate,
  assignReviewerUpdate,
  declareRecusalUpdate,
  giveOpinionUpdate,
  legalReviewWorkflow,
  legalReviewWorkflowId,
  reviewStateQuery,
  withdrawUpdate,
  type LegalReviewInput,
} from '../../workflows/legal-review';
import { freshDatabase } from '../helpers/database';
import { devServerClient, uniqueTaskQueue } from '../helpers/temporal';
import { checklistWithProblem, cleanChecklist, eventually, HANDLER, qualifiedProfile, saveProfile, submission, UNIT } from './helpers';

const HEAD = 'head-kit';
const REVIEWER = 'reviewer-kit';

describe('process kit on the dev server (legal review)', () => {
  let client: Client;
  let closeConnection: () => Promise<void>;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;
  let worker: Worker;
  let running: Promise<void>;
  let taskQueue: string;

  beforeAll(async () => {
    const dev = await devServerClient();
    client = dev.client;
    closeConnection = () => dev.connection.close();
    db = await freshDatabase();
    pool = db.pool;
    await saveProfile(pool, qualifiedProfile(REVIEWER));
    taskQueue = uniqueTaskQueue('kit');
    worker = await Worker.create({
      connection: await NativeConnection.connect({ address: dev.address }),
      taskQueue,
      workflowsPath: require.resolve('../../workflows'),
      activities: createActivities({ pool, config: loadConfig({ NODE_ENV: 'test' }), log: logger.child({}, { level: 'warn' }), temporal: client }),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await closeConnection?.();
    await db?.drop();
  });

  async function start(input: LegalReviewInput = submission()): Promise<WorkflowHandle<typeof legalReviewWorkflow>> {
    const workflowId = legalReviewWorkflowId(input.unit, input.caseNumber);
    await new ReviewStore(pool).saveSubmission(input, workflowId, input.receivedAt);
    const handle = await client.workflow.start(legalReviewWorkflow, {
      taskQueue,
      workflowId,
      args: [input],
      typedSearchAttributes: [...initialSearchAttributes('legal-review', input.unit, input.caseNumber, 'submitted')],
    });
    await eventually(async () => (await handle.query(reviewStateQuery)).deadline, 'the clock');
    return handle;
  }
  const assign = (h: WorkflowHandle<typeof legalReviewWorkflow>) => h.executeUpdate(assignReviewerUpdate, { args: [{ by: HEAD, reviewerId: REVIEWER, profile: qualifiedProfile(REVIEWER) }] });
  const record = async (caseNumber: string) =>
    (await pool.query(`SELECT action, actor, payload FROM case_record WHERE unit_code = $1 AND case_number = $2 ORDER BY seq`, [UNIT, caseNumber])).rows as Array<{ action: string; actor: string; payload: any }>;

  it('a reset to before the opinion and a different opinion: the record keeps both, the projection shows the new one', async () => {
    const input = submission();
    const handle = await start(input);
    await assign(handle);
    await handle.executeUpdate(giveOpinionUpdate, { args: [{ by: REVIEWER, kind: 'reinvestigate', checklist: checklistWithProblem('factsEvidence', '证据不足'), text: '补充调查。' }] });
    await eventually(async () => (await pool.query('SELECT opinion_kind FROM reviews WHERE workflow_id = $1', [handle.workflowId])).rows[0]?.opinion_kind === 'reinvestigate', 'the projection');

    // The last workflow task completed before the opinion's update was accepted.
    const { events } = await handle.fetchHistory();
    const opinionAt = events!.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'giveOpinion');
    const resetTo = events!.slice(0, opinionAt).filter((e) => e.workflowTaskCompletedEventAttributes).at(-1)!;
    const { runId } = await client.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: handle.workflowId },
      workflowTaskFinishEventId: resetTo.eventId,
      requestId: randomUUID(),
      reason: 'test: the opinion was given on the wrong file',
      resetReapplyType: temporal.api.enums.v1.ResetReapplyType.RESET_REAPPLY_TYPE_NONE,
      resetReapplyExcludeTypes: [temporal.api.enums.v1.ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL, temporal.api.enums.v1.ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE],
    });
    const reset = client.workflow.getHandle<typeof legalReviewWorkflow>(handle.workflowId, runId!);
    expect((await eventually(async () => reset.query(reviewStateQuery).catch(() => undefined), 'the reset run'))!.status).toBe('in_review');

    const passed = await reset.executeUpdate(giveOpinionUpdate, { args: [{ by: REVIEWER, kind: 'approve', checklist: cleanChecklist(), text: '事实清楚，同意。' }] });
    expect(passed.status).toBe('passed');
    // The review stays open for its decision (recorded through it), then completes.
    await reset.executeUpdate(recordDecisionUpdate, { args: [{ by: HANDLER, decisionNumber: `决定-${input.caseNumber}`, decidedAt: passed.opinion!.at }] });
    await reset.result();

    const opinions = (await record(input.caseNumber)).filter((e) => e.action === 'review.opinion').map((e) => e.payload.kind);
    expect(opinions).toEqual(['reinvestigate', 'approve']);
    const { rows } = await pool.query('SELECT status, opinion_kind FROM reviews WHERE workflow_id = $1', [handle.workflowId]);
    expect(rows[0]).toEqual({ status: 'passed', opinion_kind: 'approve' });
  });

  it('20 concurrent mixed actions on one review: the case record is in the order of the state', async () => {
    const input = submission();
    const handle = await start(input);
    await assign(handle);
    const actions = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? () => handle.executeUpdate(addMaterialsUpdate, { args: [{ by: HANDLER, materials: [{ kind: 'other', ref: `doc://extra-${i}` }], note: `第${i}件` }] })
        : () => handle.executeUpdate(declareRecusalUpdate, { args: [{ by: `officer-${i}`, reason: `与当事人有利害关系 ${i}` }] }),
    );
    // Like an HTTP client: a request the server turns away (too many in-flight updates) is retried.
    const withRetry = async (action: () => Promise<unknown>): Promise<unknown> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await action();
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError || attempt > 50) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    await Promise.all(actions.map(withRetry));
    const state = await handle.query(reviewStateQuery);
    const fromState = state.history.map((e) => `${e.action} ${e.actor} ${e.summary}`);
    const { rows } = await pool.query(`SELECT action, actor, summary FROM case_record WHERE unit_code = $1 AND case_number = $2 ORDER BY seq`, [UNIT, input.caseNumber]);
    expect(rows.map((r) => `${r.action} ${r.actor} ${r.summary}`)).toEqual(fromState);
    expect(fromState.filter((e) => e.startsWith('review.materials_added'))).toHaveLength(10);
    expect(fromState.filter((e) => e.startsWith('review.recusal'))).toHaveLength(10);
    await handle.executeUpdate(withdrawUpdate, { args: [{ by: HANDLER, reason: '测试结束' }] });
    await handle.result();
  });

  it('a NUL character that Postgres refuses (SQLSTATE 22021/22P05) fails that action at once, and the review goes on', async () => {
    const input = submission();
    const handle = await start(input);
    const started = Date.now();
    const failure = await handle.executeUpdate(declareRecusalUpdate, { args: [{ by: 'officer-nul', reason: 'bad\u0000byte' }] }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (failure as WorkflowUpdateFailedError).cause as { cause?: { type?: string; nonRetryable?: boolean } };
    expect(cause.cause).toMatchObject({ type: expect.stringMatching(/^SQLSTATE-22/), nonRetryable: true });
    expect(Date.now() - started).toBeLessThan(20_000);

    // The refused fact left no trace in the state; the next action works and the review ends normally.
    expect((await handle.query(reviewStateQuery)).recusals).toEqual([]);
    const assigned = await assign(handle);
    expect(assigned.status).toBe('in_review');
    await handle.executeUpdate(withdrawUpdate, { args: [{ by: HANDLER, reason: '测试结束' }] });
    expect((await handle.result()).status).toBe('withdrawn');
    expect((await record(input.caseNumber)).map((e) => e.action)).toEqual(['review.submitted', 'review.clock_started', 'review.reviewer_assigned', 'review.withdrawn']);
  });
});
