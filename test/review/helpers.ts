import { randomUUID } from 'node:crypto';
import { Client, WorkflowUpdateFailedError, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { ReviewStore } from '../../infra/review-store';
import { CHECKLIST_ITEMS, type Checklist, type ChecklistItem, type ReviewerProfile } from '../../domain/review-rules';
import { reviewedDraft } from '../../domain/review-rules';
import { assignReviewerUpdate, legalReviewWorkflow, legalReviewWorkflowId, recordDecisionUpdate, reviewStateQuery, type LegalReviewInput } from '../../workflows/legal-review';
import { initialSearchAttributes } from '../../workflows/search-attributes';
import { exportHistoryIfRecording as exportHistory } from '../replay/export-history';
import { startTimeSkippingWorker } from '../helpers/temporal';

export const UNIT = 'benxi.ybj';
export const SUPERVISOR_UNIT = 'benxi.sfj';
export const HANDLER = 'handler-zhang';

/** A complete general-procedure penalty submission; override what a test is about. */
export function submission(overrides: Partial<LegalReviewInput> = {}): LegalReviewInput {
  const caseNumber = overrides.caseNumber ?? `本医保罚〔2026〕${randomUUID().slice(0, 8)}号`;
  return {
    reviewId: randomUUID(),
    unit: UNIT,
    caseNumber,
    title: '某药店违规使用医保基金',
    decisionKind: 'penalty',
    procedure: 'general',
    scope: { publicInterest: false, majorRights: true, hearing: false, complex: false, otherLaw: false, catalogue: false, optIn: false },
    sampling: false,
    appraisal: false,
    party: { kind: 'organisation', name: '本溪某大药房有限公司' },
    caseDeadline: '2099-12-31',
    interestedPersons: [],
    materials: [
      { kind: 'statement', ref: 'doc://statement-1' },
      { kind: 'draft_decision', ref: 'doc://draft-1' },
    ],
    receivedAt: new Date().toISOString(),
    submittedBy: HANDLER,
    ...overrides,
  };
}

export function qualifiedProfile(personId: string, overrides: Partial<ReviewerProfile> = {}): ReviewerProfile {
  return {
    personId,
    unit: UNIT,
    name: `审核员${personId}`,
    lawDegree: true,
    legalWorkYears: 5,
    enforcementYears: 0,
    legalProfessionQualification: true,
    reviewedPenaltyBefore: true,
    ...overrides,
  };
}

export async function saveProfile(pool: Pool, p: ReviewerProfile): Promise<void> {
  await pool.query(
    `INSERT INTO reviewer_profiles (person_id, unit_code, name, law_degree, legal_work_years, enforcement_years, legal_profession_qualification, reviewed_penalty_before, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'test')`,
    [p.personId, p.unit, p.name, p.lawDegree, p.legalWorkYears, p.enforcementYears, p.legalProfessionQualification, p.reviewedPenaltyBefore],
  );
}

export const cleanChecklist = (): Checklist =>
  Object.fromEntries(CHECKLIST_ITEMS.map((item) => [item, { result: 'pass', note: '' }])) as unknown as Checklist;

export const checklistWithProblem = (item: ChecklistItem, note: string): Checklist => ({ ...cleanChecklist(), [item]: { result: 'problem', note } });

/** The validator's message of a refused update (it never reached history). */
export async function refusal(p: Promise<unknown>): Promise<{ message: string; rule?: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause as { message: string; type?: string } | undefined;
      return { message: cause?.message ?? err.message, rule: cause?.type };
    }
    throw err;
  }
  throw new Error('expected the update to be refused, but it was accepted');
}

import { eventually } from '../helpers/eventually';
export { eventually };

export interface ReviewTestEnv {
  env: TestWorkflowEnvironment;
  pool: Pool;
  taskQueue: string;
  start(input: LegalReviewInput): Promise<WorkflowHandleWithFirstExecutionRunId<typeof legalReviewWorkflow>>;
  /**
   * The result of a workflow that is finishing anyway, without unlocking time skipping: the test
   * server's `result()` unlocks it, and an idle server then jumps ahead (years, to the default run
   * timeout), and two concurrent `result()` calls leave the lock unbalanced.
   */
  finished<T>(handle: WorkflowHandle<() => Promise<T>> | WorkflowHandle<typeof legalReviewWorkflow>): Promise<Awaited<ReturnType<typeof legalReviewWorkflow>>>;
  /** A passed or overruled review: its decision recorded through it (dated at the opinion or overruling, quoting the draft), then its result. */
  decided(handle: WorkflowHandle<typeof legalReviewWorkflow>, by?: string): Promise<Awaited<ReturnType<typeof legalReviewWorkflow>>>;
  stop(): Promise<void>;
  /** The test server's time, ISO-8601. */
  now(): Promise<string>;
  /** A complete submission received now, its clock started, `reviewer` assigned by `by`. */
  startInReview(reviewer: string, by: string, overrides?: Partial<LegalReviewInput>): Promise<{ input: LegalReviewInput; handle: WorkflowHandleWithFirstExecutionRunId<typeof legalReviewWorkflow> }>;
}

/** Time-skipping server, a worker with every real activity, and a fresh database. */
export async function startReviewTestEnv(): Promise<ReviewTestEnv> {
  const { env, db, taskQueue, stop } = await startTimeSkippingWorker({ prefix: 'review' });
  const store = new ReviewStore(db.pool);
  const plainClient = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  const now = async () => new Date(await env.currentTimeMs()).toISOString();
  const bed: ReviewTestEnv = {
    now,
    startInReview: async (reviewer, by, overrides = {}) => {
      const input = submission({ receivedAt: await now(), ...overrides });
      const handle = await bed.start(input);
      await eventually(async () => (await handle.query(reviewStateQuery)).deadline, 'the clock');
      await handle.executeUpdate(assignReviewerUpdate, { args: [{ by, reviewerId: reviewer, profile: qualifiedProfile(reviewer) }] });
      return { input, handle };
    },
    env,
    pool: db.pool,
    taskQueue,
    start: async (input) => {
      const workflowId = legalReviewWorkflowId(input.unit, input.caseNumber);
      // As the API does: the submission is stored before the workflow starts.
      await store.saveSubmission(input, workflowId, input.receivedAt);
      // As the start outbox does: the identifying search attributes are set at start.
      return env.client.workflow.start(legalReviewWorkflow, {
        taskQueue,
        workflowId,
        args: [input],
        typedSearchAttributes: [...initialSearchAttributes('legal-review', input.unit, input.caseNumber, 'submitted')],
        staticSummary: `法制审核 ${input.caseNumber} ${input.title}`,
      });
    },
    finished: (handle) => plainClient.workflow.getHandle<typeof legalReviewWorkflow>(handle.workflowId).result(),
    decided: async (handle, by = HANDLER) => {
      const state = await handle.query(reviewStateQuery);
      const round = state.rounds[state.rounds.length - 1]!;
      const decidedAt = state.status === 'overruled' ? round.dispute!.decision!.at : round.opinion!.at;
      const sha256 = reviewedDraft(round.materials)?.sha256;
      await handle.executeUpdate(recordDecisionUpdate, { args: [{ by, decisionNumber: `决定-${state.caseNumber}`, decidedAt, ...(sha256 ? { draftSha256: sha256 } : {}) }] });
      return bed.finished(handle);
    },
    stop,
  };
  return bed;
}

/** The test bed of one describe block: started before its tests (with `reviewer`'s profile saved), stopped after. */
export function useReviewTestEnv(reviewer: string): () => ReviewTestEnv {
  let bed: ReviewTestEnv | undefined;
  beforeAll(async () => {
    bed = await startReviewTestEnv();
    await saveProfile(bed.pool, qualifiedProfile(reviewer));
  });
  afterAll(async () => {
    await bed?.stop();
  });
  return () => bed!;
}

/** With RECORD_HISTORIES=1, stores the closed review's history as test/replay/histories/legal-review-<name>.json. */
export const exportHistoryIfRecording = (handle: Pick<WorkflowHandle, 'fetchHistory'>, name: string) => exportHistory(handle, 'legal-review', name);

/** Rows of a table for this case, for assertions on the real side effects. */
export async function caseRecordActions(pool: Pool, caseNumber: string): Promise<string[]> {
  const { rows } = await pool.query('SELECT action FROM case_record WHERE unit_code = $1 AND case_number = $2 ORDER BY seq', [UNIT, caseNumber]);
  return rows.map((r) => r.action);
}

export async function notificationsFor(pool: Pool, workflowId: string): Promise<Array<{ unit: string; person: string | null; role: string | null; kind: string; subject: string; key: string }>> {
  const { rows } = await pool.query(
    `SELECT unit_code AS unit, recipient_person AS person, recipient_role AS role, kind, subject, idempotency_key AS key FROM notifications WHERE link->>'workflowId' = $1 ORDER BY created_at, idempotency_key`,
    [workflowId],
  );
  return rows;
}

/** A complete POST /api/reviews body (organisation party, stated case deadline) for API tests. */
export const apiSubmissionBody = (draftSha256: string, overrides: Record<string, unknown> = {}) => ({
  caseNumber: `本医保罚〔2026〕${randomUUID().slice(0, 8)}号`,
  title: '某药店串换药品',
  decisionKind: 'penalty',
  procedure: 'general',
  scope: { majorRights: true },
  party: { kind: 'organisation', name: '本溪某药店' },
  caseDeadline: '2099-12-31',
  caseDeadlineBasis: '承办机构填报（测试）',
  materials: [
    { kind: 'statement', ref: 'doc://s' },
    { kind: 'draft_decision', ref: 'doc://d', sha256: draftSha256 },
  ],
  ...overrides,
});
