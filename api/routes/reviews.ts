import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { loadReviewerProfile, ReviewStore } from '../../infra/review-store';
import { workflowInput, type Party } from '../../domain/legal-review/types';
import { endOfDayShanghai, formatShanghaiInstant, shanghaiDateOf } from '../../domain/dates';
import { computeDeadline } from '../../domain/periods';
import { legalDeadlineSchedule } from '../../domain/legal-deadline';
import { deadlineRequest } from '../../domain/legal-review/reducer';
import { currentRound, initialState } from '../../domain/legal-review/state';
import { STATUTES } from '../../domain/statutes';
import { CalendarStore } from '../../infra/calendar-store';
import {
  CHECKLIST_ITEMS,
  DECISION_KINDS,
  describeMissing,
  DISPUTE_OUTCOMES,
  MATERIAL_KINDS,
  missingMaterials,
  OPINION_KINDS,
  opinionIssues,
  PROCEDURES,
  reviewRequirement,
} from '../../domain/review-rules';
import { inTransaction } from '../../infra/db';
import { CaseRecordStore } from '../../infra/case-record-store';
import { enqueueProcessStart, type ProcessStartRequest } from '../../infra/process-starts';
import {
  addMaterialsUpdate,
  assignReviewerUpdate,
  decideDisputeUpdate,
  decideExtensionUpdate,
  declareRecusalUpdate,
  disputeUpdate,
  orderRecusalUpdate,
  FINAL_REVIEW_STATUSES,
  giveOpinionUpdate,
  participantViewUpdate,
  legalReviewWorkflow,
  legalReviewWorkflowId,
  requestExtensionUpdate,
  requestMaterialsUpdate,
  resubmitUpdate,
  withdrawUpdate,
  type LegalReviewInput,
  type ProjectedReview,
  type ReviewStatus,
} from '../../workflows/legal-review';
import { action, addActions, type ActionSpec } from '../actions';
import type { ApiDeps } from '../deps';
import type { Principal } from '../auth';
import { conflict, forbidden, notFound, unprocessable, ValidationError } from '../errors';
import { isGone, requireStarted, startNow, startPendingBody } from '../process-start';
import { reply, type Routes } from '../route';
import { partyAsSeen } from '../../domain/personal-data';
import { actableOr404, visibleOr404, visibleUnits } from '../scope';
import { isoDate, legalInstant } from '../schemas';
import { caseNumberSchema } from './cases';

const personId = z.string().trim().min(1).max(100);
const text = (max = 4000) => z.string().trim().min(1, 'required').max(max);
const sha256 = z.string().trim().toLowerCase().regex(/^[0-9a-f]{64}$/, 'SHA-256 in hex (64 characters)');
/** A material; the draft decision carries the SHA-256 of its text, which the recorded decision must quote (第二条). */
const material = z
  .object({ kind: z.enum(MATERIAL_KINDS), ref: z.string().trim().min(1).max(500), sha256: sha256.optional() })
  .refine((m) => m.kind !== 'draft_decision' || m.sha256 !== undefined, { message: 'the draft decision needs its sha256 (the decision recorded later must quote it)', path: ['sha256'] });
/** A small allowance for clocks that differ between the caller and the service. */
const CLOCK_SKEW_MS = 5 * 60_000;

const scopeSchema = z.object({
  publicInterest: z.boolean().default(false),
  majorRights: z.boolean().default(false),
  hearing: z.boolean().default(false),
  complex: z.boolean().default(false),
  otherLaw: z.boolean().default(false),
  catalogue: z.boolean().default(false),
  optIn: z.boolean().default(false),
});

export const decisionClassification = {
  decisionKind: z.enum(DECISION_KINDS),
  procedure: z.enum(PROCEDURES),
  scope: scopeSchema,
};

const submissionBody = z.object({
  caseNumber: caseNumberSchema,
  title: text(200),
  ...decisionClassification,
  sampling: z.boolean().default(false),
  appraisal: z.boolean().default(false),
  party: z.object({ kind: z.enum(['person', 'organisation']), name: text(200), idNumber: z.string().trim().max(64).optional() }),
  /** Needed unless the case is known to the service (POST /api/cases) and its period is statutory (a general-procedure penalty: 立案 + 90 days). */
  caseDeadline: isoDate.optional(),
  /** Where caseDeadline comes from (the statute and its start, or the head's approved extension). */
  caseDeadlineBasis: z.string().trim().min(1).max(500).optional(),
  interestedPersons: z.array(personId).max(100).default([]),
  materials: z.array(material).max(200).default([]),
  /** Receipt is now; an earlier receipt only with receivedAtReason (paper files entered later, 补录). */
  receivedAt: legalInstant
    .refine((v) => Date.parse(v) <= Date.now() + CLOCK_SKEW_MS, 'must not lie in the future')
    .optional(),
  receivedAtReason: z.string().trim().min(1).max(1000).optional(),
  /** Ask for the review of a remade decision (重新作出) after the earlier review ended. */
  remake: z.boolean().default(false),
  /** Submit the case again after its latest submission was withdrawn (a new submission, its own number and clock). */
  resubmit: z.boolean().default(false),
  /** A joint decision (第四条): the other deciding units; the caller's unit leads and its legal office reviews, theirs take part. */
  jointUnits: z.array(z.string().trim().min(1).max(100)).max(20).default([]),
  /** An entrusted organisation's decision (第四条): the entrusting unit, whose legal office reviews it. */
  entrustingUnit: z.string().trim().min(1).max(100).optional(),
});

const checklistSchema = z.object(
  Object.fromEntries(CHECKLIST_ITEMS.map((item) => [item, z.object({ result: z.enum(['pass', 'problem']), note: z.string().trim().max(2000).default('') })])) as Record<
    (typeof CHECKLIST_ITEMS)[number],
    z.ZodObject<{ result: z.ZodEnum<{ pass: 'pass'; problem: 'problem' }>; note: z.ZodDefault<z.ZodString> }>
  >,
);

const STATUSES = ['submitted', 'awaiting_materials', 'awaiting_assignment', 'in_review', 'extension_requested', 'returned', 'disputed', 'passed', 'overruled', 'withdrawn'] as const;
const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');
const idParams = z.object({ id: z.string().trim().min(1).max(300) });

interface ReviewRow {
  id: string;
  workflow_id: string;
  unit_code: string;
  case_number: string;
  title: string;
  status: string;
  round: number;
  reviewer_id: string | null;
  deadline: Date | null;
  warning_level: string;
  overdue: boolean;
  extended: boolean;
  opinion_kind: string | null;
  flagged: boolean;
  flag_reason: string | null;
  submission: LegalReviewInput;
  view: ProjectedReview | null;
  revision: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A review by its id or its workflow ID (what supervisors copy from the Temporal UI); each lookup uses its unique index. */
async function findReview(deps: Pick<ApiDeps, 'pool'>, id: string): Promise<ReviewRow | undefined> {
  const { rows } = UUID.test(id)
    ? await deps.pool.query<ReviewRow>('SELECT * FROM reviews WHERE id = $1::uuid', [id])
    : await deps.pool.query<ReviewRow>('SELECT * FROM reviews WHERE workflow_id = $1', [id]);
  return rows[0];
}
async function loadReview(deps: Pick<ApiDeps, 'pool'>, id: string): Promise<ReviewRow> {
  const row = await findReview(deps, id);
  if (!row) throw notFound(`review ${id}`);
  return row;
}

/** The units whose staff see a review: its own, the joint units and the entrusting unit (第四条). */
const reviewUnits = (row: ReviewRow): string[] => [row.unit_code, ...(row.submission?.jointUnits ?? []), ...(row.submission?.entrustingUnit ? [row.submission.entrustingUnit] : [])];
/** The units that act on it: its own and, for an entrusted organisation's decision, the entrusting unit, whose legal office reviews (第四条). */
const reviewActors = (row: ReviewRow): string[] => [row.unit_code, ...(row.submission?.entrustingUnit ? [row.submission.entrustingUnit] : [])];

/** A review the caller may see; another unit's answers as a missing one (api/scope.ts). */
async function loadVisibleReview(deps: ApiDeps, principal: Principal, id: string): Promise<ReviewRow> {
  return visibleOr404(deps.pool, principal, await findReview(deps, id), reviewUnits, `review ${id}`);
}

/**
 * The decision's own deadline (the review never runs past it): for a case the service knows
 * (POST /api/cases, its 立案 time) and a general-procedure penalty, 立案 + 90 days (行政处罚法 第六十条);
 * a different date (an extension approved by the head) only with its stated basis. Otherwise the
 * submission states the date and its basis.
 */
async function caseDeadlineOf(
  deps: Pick<ApiDeps, 'pool'>,
  unit: string,
  body: { caseNumber: string; decisionKind: string; procedure: string; caseDeadline?: string; caseDeadlineBasis?: string },
): Promise<{ caseDeadline: string; basis: string }> {
  const { rows } = await deps.pool.query<{ opened_at: Date }>('SELECT opened_at FROM cases WHERE unit_code = $1 AND case_number = $2', [unit, body.caseNumber]);
  const opened = rows[0]?.opened_at;
  if (opened && body.decisionKind === 'penalty' && body.procedure === 'general') {
    const statute = STATUTES.penaltyDecision;
    const from = shanghaiDateOf(opened);
    const statutory = computeDeadline(await new CalendarStore(deps.pool).calendar(), from, statute.period, { extend: statute.extend }).lastDay;
    const basis = `立案 ${from} 起 ${statute.period}（${statute.source}）`;
    // An extension approved by the head with its reason (POST /api/cases/:caseNumber/decision-period-extension) is the case's deadline.
    const extension = await approvedExtension(deps, unit, body.caseNumber);
    if (extension && (!body.caseDeadline || body.caseDeadline === extension.until)) {
      return { caseDeadline: extension.until, basis: `负责人 ${extension.by} 批准延长至 ${extension.until}：${extension.reason}（法定期限 ${statutory}，${basis}）` };
    }
    if (!body.caseDeadline || body.caseDeadline === statutory) return { caseDeadline: statutory, basis };
    if (!body.caseDeadlineBasis) {
      throw new ValidationError([{ path: 'body.caseDeadlineBasis', message: `the statutory deadline is ${statutory} (${basis}); another date needs its basis (the head's approved extension and reason)` }]);
    }
    return { caseDeadline: body.caseDeadline, basis: `${body.caseDeadlineBasis}（法定期限 ${statutory}，${basis}）` };
  }
  const issues = [
    ...(!body.caseDeadline ? [{ path: 'body.caseDeadline', message: 'required: the case is not known to the service with a statutory decision period' }] : []),
    ...(!body.caseDeadlineBasis ? [{ path: 'body.caseDeadlineBasis', message: 'required with caseDeadline: where the date comes from' }] : []),
  ];
  if (issues.length) throw new ValidationError(issues);
  return { caseDeadline: body.caseDeadline!, basis: body.caseDeadlineBasis! };
}

/** The latest head-approved extension of a case's decision period, from the case record. */
async function approvedExtension(deps: Pick<ApiDeps, 'pool'>, unit: string, caseNumber: string): Promise<{ until: string; reason: string; by: string } | undefined> {
  const { rows } = await deps.pool.query<{ payload: { until: string; reason: string }; actor: string }>(
    `SELECT payload, actor FROM case_record WHERE unit_code = $1 AND case_number = $2 AND action = 'case.decision_period_extended' ORDER BY seq DESC LIMIT 1`,
    [unit, caseNumber],
  );
  return rows[0] ? { until: rows[0].payload.until, reason: rows[0].payload.reason, by: rows[0].actor } : undefined;
}

/** Who handled the case (opened it, acted in it outside review and decision): none of them may review it (办审分离). */
export async function caseHandlersOf(deps: Pick<ApiDeps, 'pool'>, unit: string, caseNumber: string): Promise<string[]> {
  const { rows } = await deps.pool.query<{ person: string }>(
    `SELECT opened_by AS person FROM cases WHERE unit_code = $1 AND case_number = $2
     UNION SELECT DISTINCT actor FROM case_record WHERE unit_code = $1 AND case_number = $2 AND stage NOT IN ('review', 'decision') AND actor <> 'system'`,
    [unit, caseNumber],
  );
  return rows.map((r) => r.person).sort();
}

const isFinal = (status: string) => FINAL_REVIEW_STATUSES.includes(status as ReviewStatus);
const ended = (row: ReviewRow) => conflict(`审核已结束（${row.status}），不能再办理`, { rule: 'process_ended', basis: null, status: row.status });

/**
 * The target of every action: only the review's own unit acts on it (a supervisor watches, it does
 * not act); an ended review refuses (unless the request is a retry with an Idempotency-Key: then
 * Temporal gives the first answer); a review whose start is still pending answers 503.
 */
async function actionTarget({ params, principal, deps, idempotent }: { params: { id: string }; principal: Principal; deps: ApiDeps; idempotent: boolean }) {
  // The review's own unit acts on it; for an entrusted organisation's decision also the entrusting unit, whose legal office reviews (第四条).
  const row = await actableOr404(deps.pool, principal, await findReview(deps, params.id), reviewUnits, `review ${params.id}`, reviewActors);
  if (isFinal(row.status) && !idempotent) throw ended(row);
  await requireStarted(deps, row.workflow_id);
  return { workflowId: row.workflow_id, row: await afterFirstReport(deps, row) };
}

/** The workflow has reported the review's round: what is missing, or the deadline its clock started (or it ended). */
const reported = (row: ReviewRow) => row.status === 'awaiting_materials' || row.deadline !== null || isFinal(row.status);

/**
 * POST /api/reviews answers without waiting for the workflow's first steps (it computes their
 * outcome), so an action sent right after it can find the clock not started yet (the workflow
 * would refuse `clock_not_started`): such an action waits for the first report, briefly. Any later
 * action finds it reported and reads nothing more.
 */
async function afterFirstReport(deps: ApiDeps, row: ReviewRow, timeoutMs = 5_000): Promise<ReviewRow> {
  const until = Date.now() + timeoutMs;
  let current = row;
  while (!reported(current) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 25));
    current = await loadReview(deps, row.id);
  }
  return current;
}

/**
 * What GET answers: the workflow's last reported state (or the stored submission before its first
 * report), with the review's steps as the case record holds them.
 */
/**
 * The party as a caller may see it (issue 14): the identity number in full only to the reviewing
 * unit's own staff and the units taking part, whose work needs it; others (a supervisor) see it
 * masked, e.g. 210502********1234.
 */
function partyFor(party: Party | undefined, principal: Principal | undefined, row: ReviewRow): Party | undefined {
  return partyAsSeen(party, principal, reviewUnits(row));
}

async function present(deps: Pick<ApiDeps, 'pool'>, row: ReviewRow, principal?: Principal): Promise<Record<string, unknown>> {
  const base = row.view ?? {
    unit: row.unit_code,
    caseNumber: row.case_number,
    title: row.title,
    status: row.status,
    round: row.round,
    reviewer: row.reviewer_id,
    deadline: null,
    lastDay: null,
    overdue: row.overdue,
    warningLevel: row.warning_level,
    extended: row.extended,
    opinion: null,
  };
  const { rows: history } = await deps.pool.query(
    `SELECT occurred_at AS at, actor, action, summary, seq, hash, documents FROM case_record
      WHERE unit_code = $1 AND case_number = $2 AND payload->>'workflowId' = $3 ORDER BY seq`,
    [row.unit_code, row.case_number, row.workflow_id],
  );
  // The party comes from Postgres (the workflow carries its kind only).
  return { ...base, ...(row.submission?.party ? { party: partyFor(row.submission.party as Party, principal, row) } : {}), id: row.id, workflowId: row.workflow_id, history: history.map((h) => ({ ...h, at: formatShanghaiInstant(h.at) })) };
}

/** The calendar per pool, cached (one cheap query per use tells whether another process published since). */
const calendars = new WeakMap<ApiDeps['pool'], CalendarStore>();
const calendarOf = (deps: Pick<ApiDeps, 'pool'>) => calendars.get(deps.pool) ?? calendars.set(deps.pool, new CalendarStore(deps.pool)).get(deps.pool)!;

/**
 * The first report of a review just started (its status, and its deadline when the materials are
 * complete), computed from the stored submission by the rules its workflow runs (initialState,
 * deadlineRequest, legalDeadlineSchedule: what the calendar activity computes) instead of waiting
 * for the workflow to report it. The projection follows when the workflow has run its first steps.
 */
async function firstReport(deps: Pick<ApiDeps, 'pool'>, workflowId: string, stored: LegalReviewInput): Promise<{ status: string; deadline: string | null }> {
  const state = initialState(workflowInput(stored), workflowId, { unitName: stored.unit, supervisorUnit: null });
  const round = currentRound(state);
  if (round.missing.length > 0) return { status: state.status, deadline: null };
  const schedule = legalDeadlineSchedule(await calendarOf(deps).calendar(), deadlineRequest(state, round, false));
  return { status: state.status, deadline: formatShanghaiInstant(schedule.deadline) };
}

function summary(row: ReviewRow) {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    unit: row.unit_code,
    caseNumber: row.case_number,
    title: row.title,
    status: row.status,
    round: row.round,
    reviewer: row.reviewer_id,
    deadline: row.deadline ? formatShanghaiInstant(row.deadline) : null,
    overdue: row.overdue,
    warningLevel: row.warning_level,
    extended: row.extended,
    opinion: row.opinion_kind,
    flagged: row.flagged,
    flagReason: row.flag_reason,
  };
}

export function reviewRoutes(routes: Routes): void {
  routes.add(
    {
      method: 'post',
      path: '/api/reviews',
      tag: 'reviews',
      summary: 'Submit a major decision for legal review (法制审核送审); the same unit+caseNumber again answers the existing review',
      roles: ['handler'],
      body: submissionBody,
      responses: {
        201: { description: 'accepted; the clock runs from complete receipt (status awaiting_materials names what is missing)' },
        202: { description: 'stored, but its workflow could not be started yet (Temporal unreachable): started later with its original receipt time; actions answer 503 until then' },
        200: { description: 'this case was already submitted: the existing review' },
        422: { description: 'the decision does not need legal review (第六条), with the reason' },
      },
    },
    async ({ body, principal, deps }) => {
      const requirement = reviewRequirement(body);
      if (!requirement.required) throw unprocessable(requirement.reason, { reviewRequired: false });
      const now = new Date().toISOString();
      // Receipt is now; an earlier receipt is a 补录 and must say so (issue 10: the handler does not choose the clock's start).
      const receivedAt = body.receivedAt ? new Date(body.receivedAt).toISOString() : now;
      if (Date.parse(receivedAt) < Date.parse(now) - CLOCK_SKEW_MS && !body.receivedAtReason) {
        throw new ValidationError([{ path: 'body.receivedAtReason', message: 'an earlier receivedAt needs its reason (paper files entered later, 补录)' }]);
      }
      const others = [...new Set(body.jointUnits.filter((u) => u !== principal.unit))];
      const named = [...others, ...(body.entrustingUnit ? [body.entrustingUnit] : [])];
      if (named.length) {
        const { rows: known } = await deps.pool.query<{ code: string }>('SELECT code FROM units WHERE code = ANY($1)', [named]);
        const unknown = named.filter((u) => !known.some((k) => k.code === u));
        if (unknown.length) throw new ValidationError(unknown.map((u) => ({ path: others.includes(u) ? 'body.jointUnits' : 'body.entrustingUnit', message: `unknown unit ${u}` })));
      }
      if (body.entrustingUnit === principal.unit) throw new ValidationError([{ path: 'body.entrustingUnit', message: 'the entrusting unit is another unit than the entrusted organisation' }]);
      const [clock, caseHandlers] = await Promise.all([caseDeadlineOf(deps, principal.unit, body), caseHandlersOf(deps, principal.unit, body.caseNumber)]);
      const input: LegalReviewInput = {
        reviewId: randomUUID(),
        unit: principal.unit,
        caseNumber: body.caseNumber,
        title: body.title,
        decisionKind: body.decisionKind,
        procedure: body.procedure,
        scope: body.scope,
        sampling: body.sampling,
        appraisal: body.appraisal,
        party: body.party,
        caseDeadline: clock.caseDeadline,
        caseDeadlineBasis: clock.basis,
        ...(Date.parse(endOfDayShanghai(clock.caseDeadline)) < Date.parse(receivedAt) ? { caseDeadlinePassedAtSubmission: true } : {}),
        interestedPersons: body.interestedPersons,
        caseHandlers,
        materials: body.materials,
        receivedAt,
        ...(body.receivedAtReason && receivedAt !== now ? { receivedAtReason: body.receivedAtReason } : {}),
        submittedBy: principal.personId,
        ...(others.length ? { jointUnits: others } : {}),
        ...(body.entrustingUnit ? { entrustingUnit: body.entrustingUnit } : {}),
      };
      const startOf = (stored: LegalReviewInput, workflowId: string): ProcessStartRequest => ({
        workflowId,
        kind: 'legal-review',
        workflowType: legalReviewWorkflow.name,
        taskQueue: deps.config.TASK_QUEUE,
        // Issue 14: the workflow gets the party's kind only; the name and identity number stay in reviews.submission.
        input: workflowInput(stored),
        unit: stored.unit,
        caseNumber: stored.caseNumber,
        initialStatus: 'submitted',
        summary: `法制审核 ${stored.caseNumber}`, // no user text (a title may name a person)
        details: `${stored.unit} 送审；决定类别 ${stored.decisionKind}；依据 ${requirement.grounds.map((g) => g.basis).join('、')}`,
      });
      // The row and its start request in one transaction: Postgres decides that this review exists.
      // A new submission after a withdrawal (or for a remade decision) gets the next number and its own workflow.
      const saved = await inTransaction(deps.pool, async (tx) => {
        const result = await new ReviewStore(tx).saveSubmission(input, (n) => legalReviewWorkflowId(principal.unit, body.caseNumber, n), now, { remake: body.remake, resubmit: body.resubmit });
        const outbox = result.created ? await enqueueProcessStart(tx, startOf(result.input, result.workflowId)) : undefined;
        return { ...result, outbox: outbox?.stored };
      });
      const workflowId = saved.workflowId;
      // A new review answers from what it just stored; an existing one from its row.
      const row = saved.created ? undefined : await loadReview(deps, saved.id);
      const stored = row?.submission ?? saved.input;
      // A row stored before the start outbox existed and never started: its start comes from the stored submission.
      if (row && row.status === 'submitted') await enqueueProcessStart(deps.pool, startOf(stored, workflowId));
      // Started from the stored row (never from this request's body), at once if Temporal answers,
      // else by the worker's reconciler; a row marked started is never started again.
      // The first report is computed while the start is under way (it needs the calendar, not the workflow).
      const predicted = row ? undefined : firstReport(deps, workflowId, stored);
      predicted?.catch(() => undefined);
      const start = !row || row.status === 'submitted' ? await startNow(deps, workflowId, saved.outbox) : undefined;
      const pending = start !== undefined && !start.startedAt;
      const report = row
        ? { status: row.status, deadline: row.deadline ? formatShanghaiInstant(row.deadline) : null }
        : pending
          ? { status: 'submitted', deadline: null }
          : await predicted!;
      const missing = missingMaterials(stored, stored.materials);
      return reply(pending ? 202 : saved.created ? 201 : 200, {
        id: saved.id,
        workflowId,
        ...report,
        submissionNo: saved.submissionNo,
        receivedAt: stored.receivedAt,
        ...(stored.receivedAtReason ? { receivedAtReason: stored.receivedAtReason } : {}),
        caseDeadline: stored.caseDeadline,
        caseDeadlineBasis: stored.caseDeadlineBasis ?? null,
        ...(stored.caseDeadlinePassedAtSubmission ? { caseDeadlinePassedAtSubmission: true, lateness: 'handling_unit' } : {}),
        reviewRequired: { grounds: requirement.grounds },
        ...(pending ? { start: startPendingBody(start) } : {}),
        ...(missing.length ? { missingMaterials: missing, message: describeMissing(missing) } : {}),
      });
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/cases/:caseNumber/decision-period-extension',
      tag: 'reviews',
      summary:
        "The head extends a case's statutory decision period (行政处罚法 第六十条: 立案 + 90 days) with a reason; recorded in the case record, and used as caseDeadline by later review submissions",
      roles: ['head'],
      params: z.object({ caseNumber: caseNumberSchema }),
      body: z.object({ until: isoDate, reason: text(2000) }),
      responses: { 201: { description: 'recorded' }, 404: { description: 'no such case' }, 409: { description: 'not later than the statutory deadline, or the head opened the case' } },
    },
    async ({ params, body, principal, deps }) => {
      const { rows } = await deps.pool.query<{ opened_at: Date; opened_by: string }>('SELECT opened_at, opened_by FROM cases WHERE unit_code = $1 AND case_number = $2', [principal.unit, params.caseNumber]);
      const opened = rows[0];
      if (!opened) throw notFound(`case ${params.caseNumber}`);
      const statute = STATUTES.penaltyDecision;
      const statutory = computeDeadline(await new CalendarStore(deps.pool).calendar(), shanghaiDateOf(opened.opened_at), statute.period, { extend: statute.extend }).lastDay;
      // Who asked may not approve (separation of duties): the head who opened the case does not extend its period alone.
      if (opened.opened_by === principal.personId) {
        throw conflict(`${principal.personId} 是本案的立案人，不能自行批准延长作出决定的期限；由其他负责人批准`, { rule: 'same_person_case_extension', basis: statute.source });
      }
      if (body.until <= statutory) {
        throw conflict(`延长后的期限 ${body.until} 须晚于法定期限 ${statutory}（立案 ${shanghaiDateOf(opened.opened_at)} 起 ${statute.period}）`, { rule: 'extension_not_later', basis: statute.source });
      }
      const entry = await new CaseRecordStore(deps.pool).append({
        unit: principal.unit,
        caseNumber: params.caseNumber,
        stage: 'other',
        actor: principal.personId,
        action: 'case.decision_period_extended',
        summary: `负责人批准延长作出处罚决定的期限：由 ${statutory} 延长至 ${body.until}；理由：${body.reason}（${statute.source}）`,
        occurredAt: new Date().toISOString(),
        payload: { statutory, until: body.until, reason: body.reason, approvedBy: principal.personId },
        idempotencyKey: `case-period-extension:${principal.unit}:${params.caseNumber}:${body.until}`,
      });
      return reply(201, { caseNumber: params.caseNumber, statutory, until: body.until, reason: body.reason, approvedBy: principal.personId, recordSeq: entry.seq });
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/reviews',
      tag: 'reviews',
      summary: "The caller's unit's reviews (a supervisor's: every unit under it), from the Postgres projection",
      roles: [],
      query: z.object({
        status: z.enum(STATUSES).optional(),
        overdue: booleanQuery.optional(),
        warningLevel: z.enum(['none', 'yellow', 'red']).optional(),
        flagged: booleanQuery.optional(),
        unit: z.string().optional(),
        caseNumber: z.string().optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        offset: z.coerce.number().int().min(0).default(0),
      }),
    },
    async ({ query, principal, deps }) => {
      const units = await visibleUnits(deps.pool, principal);
      if (query.unit && !units.includes(query.unit)) throw forbidden('that unit is not visible to yours');
      const where = ['unit_code = ANY($1)'];
      const args: unknown[] = [query.unit ? [query.unit] : units];
      const add = (sql: string, value: unknown) => {
        args.push(value);
        where.push(sql.replace('?', `$${args.length}`));
      };
      if (query.status) add('status = ?', query.status);
      if (query.overdue !== undefined) add('overdue = ?', query.overdue);
      if (query.warningLevel) add('warning_level = ?', query.warningLevel);
      if (query.flagged !== undefined) add('flagged = ?', query.flagged);
      if (query.caseNumber) add('case_number = ?', query.caseNumber);
      args.push(query.limit, query.offset);
      const { rows } = await deps.pool.query<ReviewRow>(
        `SELECT * FROM reviews WHERE ${where.join(' AND ')} ORDER BY deadline NULLS LAST, submitted_at LIMIT $${args.length - 1} OFFSET $${args.length}`,
        args,
      );
      return { items: rows.map(summary) };
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/reviews/:id',
      tag: 'reviews',
      summary: 'A review: status, deadline (+08:00, its date is the last day), overdue, warning level, extension, round, reviewer, opinion, rounds and history',
      roles: [],
      params: idParams,
    },
    async ({ params, principal, deps }) => present(deps, await loadVisibleReview(deps, principal, params.id), principal),
  );

  // ---- Actions: one table; each an Update whose validator refuses a wrong transition (409 {error, rule, basis}). ----
  type Target = Awaited<ReturnType<typeof actionTarget>>;
  const by = ({ principal }: { principal: Principal }) => principal.personId;
  addActions(
    routes,
    {
      tag: 'reviews',
      base: '/api/reviews/:id',
      params: idParams,
      target: actionTarget,
      // A retry of the action that ended the review, after its workflow closed: the review has ended.
      onError: (err, target) => (isFinal(target.row.status) && isGone(err) ? ended(target.row) : undefined),
    },
    [
      action({
        name: 'materials',
        path: '/materials',
        summary: 'Add materials (补充材料); completing the submission starts the review clock',
        roles: ['handler'],
        body: z.object({ materials: z.array(material).min(1).max(200), note: z.string().trim().max(2000).optional() }),
        update: addMaterialsUpdate,
        arg: (c) => ({ by: by(c), materials: c.body.materials, note: c.body.note }),
        present: (view) => (view.missingMaterials.length ? { ...view, message: describeMissing(view.missingMaterials) } : view),
      }),
      action({
        name: 'assignment',
        path: '/assignment',
        summary:
          'Name the reviewer (确定审核人员): qualified (第七条), no interest, not recused (第十五条), not anyone who handled the case; assigning oneself or taking over needs legal_office_lead or head',
        roles: ['head', 'legal_office_lead', 'reviewer'],
        body: z.object({ reviewerId: personId }),
        update: assignReviewerUpdate,
        arg: async (c) => ({
          by: by(c),
          byLead: c.principal.roles.includes('legal_office_lead') || c.principal.roles.includes('head'),
          reviewerId: c.body.reviewerId,
          profile: await loadReviewerProfile(c.deps.pool, c.body.reviewerId),
          caseHandlers: await caseHandlersOf(c.deps, c.target.row.unit_code, c.target.row.case_number),
        }),
      }),
      action({
        name: 'recusal',
        path: '/recusal',
        summary: 'A reviewer declares a direct interest and recuses (回避, 第十五条); they can no longer be assigned',
        roles: ['reviewer'],
        body: z.object({ reason: text(2000) }),
        update: declareRecusalUpdate,
        arg: (c) => ({ by: by(c), reason: c.body.reason }),
      }),
      action({
        name: 'recusal-order',
        path: '/recusal-order',
        summary: "The head orders a person's recusal (决定回避, 第十五条): they can no longer review the case; an assigned reviewer is released",
        roles: ['head'],
        body: z.object({ personId, reason: text(2000) }),
        update: orderRecusalUpdate,
        arg: (c) => ({ by: by(c), personId: c.body.personId, reason: c.body.reason }),
      }),
      action({
        name: 'extension',
        path: '/extension',
        summary: 'The reviewer asks the head for 3 more working days (案件复杂, 第十二条); once per round',
        roles: ['reviewer'],
        body: z.object({ reason: text(2000) }),
        update: requestExtensionUpdate,
        arg: (c) => ({ by: by(c), reason: c.body.reason }),
      }),
      action({
        name: 'extension-decision',
        path: '/extension/decision',
        summary: "The head's decision on an extension: approved → +3 working days on the original deadline, never past the case deadline",
        roles: ['head'],
        body: z.object({ approve: z.boolean(), note: text(2000) }),
        update: decideExtensionUpdate,
        arg: (c) => ({ by: by(c), approve: c.body.approve, note: c.body.note }),
      }),
      action({
        name: 'opinion',
        path: '/opinion',
        summary: 'The opinion (第十三条) on the eight-point checklist (第十一条); produces the 审核意见书 (GET /api/documents/:id)',
        roles: ['reviewer'],
        body: z.object({ kind: z.enum(OPINION_KINDS), checklist: checklistSchema, text: z.string().trim().max(20_000).default('') }),
        check: (body) => opinionIssues(body),
        update: giveOpinionUpdate,
        arg: (c) => ({ by: by(c), kind: c.body.kind, checklist: c.body.checklist, text: c.body.text }),
      }),
      action({
        name: 'resubmission',
        path: '/resubmission',
        summary: 'After a return: resubmit (a new round on a fresh 7-working-day clock; earlier rounds are kept)',
        roles: ['handler'],
        body: z.object({ note: text(4000), materials: z.array(material).max(200).default([]) }),
        update: resubmitUpdate,
        arg: (c) => ({ by: by(c), materials: c.body.materials, note: c.body.note }),
      }),
      action({
        name: 'dispute',
        path: '/dispute',
        summary: 'After a return: the unit disagrees with the opinion and refers it to the head (第十四条第（二）项)',
        roles: ['handler'],
        body: z.object({ reason: text(4000) }),
        update: disputeUpdate,
        arg: (c) => ({ by: by(c), reason: c.body.reason }),
      }),
      action({
        name: 'dispute-decision',
        path: '/dispute/decision',
        summary: "The head decides a dispute: uphold the opinion, overrule it (flagged for supervisors), or record a collective discussion's outcome with its meeting record",
        roles: ['head'],
        body: z
          .object({
            outcome: z.enum(DISPUTE_OUTCOMES),
            reasons: text(4000),
            meetingRecordRef: z.string().trim().min(1).max(500).optional(),
            collectiveOutcome: z.enum(['uphold', 'overrule']).optional(),
          })
          .superRefine((b, ctx) => {
            if (b.outcome !== 'collective') return;
            if (!b.meetingRecordRef) ctx.addIssue({ code: 'custom', path: ['meetingRecordRef'], message: '集体讨论决定须附会议记录' });
            if (!b.collectiveOutcome) ctx.addIssue({ code: 'custom', path: ['collectiveOutcome'], message: '须写明集体讨论的结论：uphold 或 overrule' });
          }),
        update: decideDisputeUpdate,
        arg: (c) => ({ by: by(c), ...c.body }),
      }),
      action({
        name: 'materials-request',
        path: '/materials-request',
        summary: 'The reviewer asks for supplementary material (第十条): back to awaiting_materials naming what is needed; the 7-working-day clock starts again from complete receipt',
        roles: ['reviewer'],
        body: z.object({
          items: z.array(z.object({ kind: z.enum(MATERIAL_KINDS), what: text(1000) })).min(1).max(50),
          note: z.string().trim().max(2000).optional(),
        }),
        update: requestMaterialsUpdate,
        arg: (c) => ({ by: by(c), items: c.body.items, note: c.body.note }),
      }),
      action({
        name: 'withdrawal',
        path: '/withdrawal',
        summary: 'Withdraw the submission (e.g. the case is transferred or closed); the review ends',
        roles: ['handler', 'head'],
        body: z.object({ reason: text(2000) }),
        update: withdrawUpdate,
        arg: (c) => ({ by: by(c), reason: c.body.reason }),
      }),
    ] satisfies Array<ActionSpec<any, any, any, Target>>,
  );

  // A joint decision's participating units (第四条): their legal office records its view in the lead unit's review.
  addActions(
    routes,
    {
      tag: 'reviews',
      base: '/api/reviews/:id',
      params: idParams,
      target: async ({ params, principal, deps, idempotent }) => {
        const row = await actableOr404(deps.pool, principal, await findReview(deps, params.id), reviewUnits, `review ${params.id}`, (r) => r.submission?.jointUnits ?? []);
        if (isFinal(row.status) && !idempotent) throw ended(row);
        await requireStarted(deps, row.workflow_id);
        return { workflowId: row.workflow_id, row };
      },
      onError: (err, target) => (isFinal(target.row.status) && isGone(err) ? ended(target.row) : undefined),
    },
    [
      action({
        name: 'participant-view',
        path: '/participant-view',
        summary: "A joint decision (第四条): a participating unit's legal office (its reviewer, lead or head) records its view; shown in the review and recorded",
        roles: ['reviewer', 'legal_office_lead', 'head'],
        body: z.object({ agrees: z.boolean(), text: text(4000) }),
        update: participantViewUpdate,
        arg: (c) => ({ by: by(c), unit: c.principal.unit, agrees: c.body.agrees, text: c.body.text }),
      }),
    ] satisfies Array<ActionSpec<any, any, any, Target>>,
  );
}
