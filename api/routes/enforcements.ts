// 催告 → 强制执行 through the API: GETs read the projection the workflow writes (`enforcements.view`),
// actions are declared from one table (api/actions.ts) and go to the workflow as Updates.
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { shanghaiDateOf } from '../../domain/dates';
import { accountOf } from '../../domain/enforcement/money';
import { check, currentDueDay } from '../../domain/enforcement/transitions';
import { FINAL_STAGES, SUSPENSION_GROUNDS, TERMINATION_GROUNDS, type EnforcementState } from '../../domain/enforcement/types';
import { enforcementUpdates } from '../../workflows/enforcement-messages';
import { action, addActions } from '../actions';
import type { Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { conflict } from '../errors';
import { requireStarted } from '../process-start';
import type { Routes } from '../route';
import { actableOr404, visibleOr404, visibleUnits } from '../scope';
import { isoDate, legalInstant } from '../schemas';
import { serviceBody, checkService } from './decision-service';
import { canonicalJson } from '../../infra/canonical-json';
import { DocumentStore, sha256Hex } from '../../infra/document-store';

interface EnforcementRow {
  id: string;
  decision_id: string;
  unit_code: string;
  case_number: string;
  workflow_id: string;
  stage: string;
  view: EnforcementState | null;
  warning_level: string;
  overdue: boolean;
  obligation?: unknown;
}

const text = (max = 4000) => z.string().trim().min(1, 'required').max(max);
const fen = z.number().int('integer fen').positive().max(Number.MAX_SAFE_INTEGER);
const idParams = z.object({ id: z.uuid() });

/** The answer for one enforcement: the workflow's view, with the money as of now. */
export function presentEnforcement(row: EnforcementRow, nowMs = Date.now()) {
  const v = row.view;
  const base = { id: row.id, decisionId: row.decision_id, caseNumber: row.case_number, unit: row.unit_code, workflowId: row.workflow_id, stage: row.stage, overdue: row.overdue, warningLevel: row.warning_level };
  if (!v) return { ...base, obligation: row.obligation ?? null, performanceDeadline: null, paidFen: 0, surchargeFen: 0, amountDueFen: null, surchargeCapped: false, demand: null, court: null, documents: [] };
  const acc = accountOf(v, shanghaiDateOf(new Date(nowMs)));
  const demand = [...v.demands].reverse().find((d) => d.purpose === 'demand');
  return {
    ...base,
    decisionNumber: v.decisionNumber,
    decisionKind: v.decisionKind,
    enforcementPower: v.enforcementPower,
    servedAt: v.servedAt,
    obligation: v.obligation,
    performanceDeadline: v.performanceDeadline ?? null,
    performanceBasis: v.performanceBasis ?? null,
    paidFen: acc.paidFen,
    surchargeFen: acc.surchargeFen,
    amountDueFen: v.obligation.kind === 'fine' ? (v.stage === 'performed' ? 0 : acc.amountDueFen) : null,
    surchargeCapped: acc.surchargeCapped,
    daysLate: acc.daysLate,
    // Instalments (行政处罚法 第六十六条): each against its own due date, with its own surcharge as of now.
    instalments: v.deferral?.instalments?.length ? acc.instalments : null,
    currentDueDate: currentDueDay(v) ?? null,
    demand: demand ? { issuedAt: demand.issuedAt, servedAt: demand.servedAt ?? null, deadline: demand.deadline ?? null, documentId: demand.documentId } : null,
    court: v.court ? { earliestFiling: v.court.earliestFiling, latestFiling: v.court.latestFiling, basis: v.court.basis } : null,
    clock: v.clock ?? null,
    payments: v.payments,
    deferral: v.deferral ?? null,
    agreement: v.agreement ?? null,
    correctionCheck: v.correctionCheck ?? null,
    statements: v.statements,
    decision: v.decision ?? null,
    executions: v.executions,
    courtApplication: v.courtApplication ?? null,
    courtRuling: v.courtRuling ?? null,
    suspension: v.suspension ?? null,
    suspensions: v.suspensions,
    termination: v.termination ?? null,
    endedAt: v.endedAt ?? null,
    escalations: v.escalations,
    documents: v.documents,
  };
}

async function loadVisible(deps: ApiDeps, principal: Principal, id: string): Promise<EnforcementRow> {
  const { rows } = await deps.pool.query<EnforcementRow>('SELECT e.*, d.obligation FROM enforcements e JOIN decisions d ON d.id = e.decision_id WHERE e.id = $1', [id]);
  // Another unit: the same 404 as a missing one, unless it supervises the unit (then it reads).
  return visibleOr404(deps.pool, principal, rows[0], (r) => [r.unit_code], `enforcement ${id}`);
}

/** The table's refusal for any action on a finished enforcement (as the workflow answers while it still runs). */
const endedRefusal = (row: { case_number: string; stage?: string }) =>
  conflict(`强制执行 ${row.case_number} 已结束${row.stage ? `（${row.stage}）` : ''}，不能再进行操作`, { rule: 'enforcement.ended', basis: '中华人民共和国行政强制法 第三十九条, 第四十条' });

async function target({ params, principal, deps }: { params: { id: string }; principal: Principal; deps: ApiDeps; idempotent: boolean }) {
  // A supervising unit reads, it does not act (403); another unit: 404 (api/scope.ts).
  const row = await actableOr404(deps.pool, principal, await loadVisible(deps, principal, params.id), (r) => [r.unit_code], `enforcement ${params.id}`);
  // A finished enforcement: its workflow may already be closed (an Update would fail as "not found"), the projection knows.
  if ((FINAL_STAGES as readonly string[]).includes(row.stage)) throw endedRefusal(row);
  await requireStarted(deps, row.workflow_id);
  return { workflowId: row.workflow_id, row };
}
type Target = Awaited<ReturnType<typeof target>>;

const by = (p: Principal) => ({ by: p.personId });
const present = (_r: EnforcementState, ctx: { deps: ApiDeps; target: Target }) =>
  loadAgain(ctx.deps, ctx.target.row.id).then((row) => presentEnforcement(row));
async function loadAgain(deps: ApiDeps, id: string) {
  const { rows } = await deps.pool.query<EnforcementRow>('SELECT e.*, d.obligation FROM enforcements e JOIN decisions d ON d.id = e.decision_id WHERE e.id = $1', [id]);
  return rows[0]!;
}

export function enforcementRoutes(routes: Routes): void {
  routes.add(
    { method: 'get', path: '/api/enforcements/:id', tag: 'enforcements', summary: 'One enforcement (own unit; the supervising unit reads): stage, deadlines, money as of now, demand, court window, documents', roles: [], params: idParams },
    async ({ params, principal, deps }) => presentEnforcement(await loadVisible(deps, principal, params.id)),
  );
  routes.add(
    {
      method: 'get',
      path: '/api/enforcements',
      tag: 'enforcements',
      summary: 'Enforcements of the visible units',
      roles: [],
      query: z.object({
        caseNumber: z.string().trim().min(1).max(64).optional(),
        stage: z.string().trim().min(1).max(40).optional(),
        overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
        unit: z.string().optional(),
        /** e.g. decision_revoked: the enforcements ended because their decision was revoked (what the disclosure process takes down). */
        terminationGround: z.enum(TERMINATION_GROUNDS).optional(),
      }),
    },
    async ({ query, principal, deps }) => {
      const units = await visibleUnits(deps.pool, principal);
      const wanted = query.unit ? units.filter((u) => u === query.unit) : units;
      const { rows } = await deps.pool.query<EnforcementRow>(
        `SELECT e.*, d.obligation FROM enforcements e JOIN decisions d ON d.id = e.decision_id
          WHERE e.unit_code = ANY($1) AND ($2::text IS NULL OR e.case_number = $2) AND ($3::text IS NULL OR e.stage = $3) AND ($4::boolean IS NULL OR e.overdue = $4)
            AND ($5::text IS NULL OR e.view->'termination'->>'ground' = $5)
          ORDER BY e.created_at DESC LIMIT 500`,
        [wanted, query.caseNumber ?? null, query.stage ?? null, query.overdue ?? null, query.terminationGround ?? null],
      );
      return { items: rows.map((r) => presentEnforcement(r)) };
    },
  );

  const staff = ['handler', 'head'] as const;
  addActions(routes, { tag: 'enforcements', base: '/api/enforcements/:id', params: idParams, target, onError: (err, t) => (isClosedWorkflow(err) ? endedAgain(t) : undefined) }, [
    action({ name: 'payment', path: '/payments', summary: 'Record a payment (integer fen)', roles: staff, body: z.object({ amountFen: fen, paidAt: legalInstant, receipt: text(200) }), update: enforcementUpdates.payment, arg: ({ body, principal }) => ({ ...body, ...by(principal) }), present }),
    action({
      name: 'deferral',
      path: '/deferral',
      summary: "The head approves the party's application to defer or pay in instalments (行政处罚法 第六十六条)",
      roles: ['head'],
      body: z.object({ application: text(), dueDate: isoDate.optional(), instalments: z.array(z.object({ dueDate: isoDate, amountFen: fen })).min(1).max(36).optional() }),
      update: enforcementUpdates.deferral,
      arg: ({ body, principal }) => ({ ...body, approvedBy: principal.personId, ...by(principal) }),
      present,
    }),
    action({ name: 'correction-check', path: '/correction-check', summary: 'The check of a correction order at its due date (第二十八条)', roles: staff, body: z.object({ checkedAt: legalInstant, corrected: z.boolean(), note: text() }), update: enforcementUpdates.correctionCheck, arg: ({ body, principal }) => ({ ...body, ...by(principal) }), present }),
    action({
      name: 'demand',
      path: '/demand',
      summary: 'Make the 催告书 (行政强制法 第三十五条) as a stored document; purpose substitute_performance makes the further 催告 of 第五十一条',
      roles: staff,
      body: z.object({ performWithinDays: z.number().int().min(1).max(60).optional(), purpose: z.enum(['demand', 'substitute_performance']).optional() }),
      update: enforcementUpdates.demand,
      arg: ({ body, principal }) => ({ ...body, ...by(principal) }),
      present,
    }),
    action({
      name: 'demand-service',
      path: '/demand/service',
      summary: 'Record service of the 催告书 (the same body as a decision’s service)',
      roles: staff,
      body: serviceBody,
      update: enforcementUpdates.demandService,
      // Proof fields are checked as for a decision; the announcement rule is the workflow's (it knows the failed attempts).
      // The proof's facts (who signed, the witness: personal data) are stored here as the 送达回证 document;
      // the workflow gets its id and hash and the names of the fields, never the values.
      arg: async ({ body, principal, deps, target: t }) => {
        const proof = body.method === 'announcement' ? checkAnnouncementProof(body) : checkService(body, true);
        // The table's refusal as the projection sees it, before a 送达回证 is stored for an attempt the
        // workflow would refuse (the workflow checks again: it is the authority).
        if (t.row.view) {
          const refusal = check(t.row.view, { kind: 'demandService', method: body.method, servedAt: body.servedAt, proof: {}, ...(body.failed ? { failed: true } : {}), by: principal.personId }, { nowMs: Date.now() });
          if (refusal) throw conflict(refusal.message, { rule: refusal.rule, basis: refusal.basis });
        }
        const facts = { method: body.method, servedAt: body.servedAt, proof, failed: !!body.failed, failureReason: body.failureReason ?? null, recordedBy: principal.personId };
        const content = canonicalJson(facts);
        const doc = await new DocumentStore(deps.pool).store({
          unit: t.row.unit_code,
          caseNumber: t.row.case_number,
          kind: 'demand_service_receipt',
          title: `催告书送达回证（${body.method}${body.failed ? '，未成功' : ''}）`,
          contentType: 'application/json',
          content,
          idempotencyKey: `enforcement-demand-service:${t.row.id}:${sha256Hex(content)}`,
        });
        return {
          method: body.method,
          servedAt: body.servedAt,
          proof: {},
          proofFields: Object.keys(proof).sort(),
          receipt: { documentId: doc.id, sha256: doc.sha256 },
          ...(body.failed ? { failed: true, failureReason: body.failureReason } : {}),
          ...by(principal),
        };
      },
      present,
    }),
    action({ name: 'statement', path: '/statements', summary: "Record the party's statement (陈述申辩, 第三十六条)", roles: staff, body: z.object({ text: text(), madeAt: legalInstant.optional() }), update: enforcementUpdates.statement, arg: ({ body, principal }) => ({ ...body, ...by(principal) }), present }),
    action({
      name: 'statement-review',
      path: '/statements/:n/review',
      summary: 'Review a statement: adopted all, partly or none, with reasons (第三十六条)',
      roles: staff,
      params: z.object({ id: z.uuid(), n: z.coerce.number().int().min(1).max(1000) }),
      body: z.object({ adopted: z.enum(['all', 'partly', 'none']), reasons: text() }),
      update: enforcementUpdates.statementReview,
      arg: ({ body, principal, params }) => ({ ...body, n: params.n as number, ...by(principal) }),
      present,
    }),
    action({
      name: 'enforcement-decision',
      path: '/enforcement-decision',
      summary: 'Make the 强制执行决定书 (第三十七条): refused before the 催告 deadline, with an unreviewed statement, at night or on a holiday unless emergency',
      roles: ['head', 'handler'],
      body: z.object({
        method: z.enum(['surcharge', 'transfer_deposits', 'auction', 'remove_obstruction', 'substitute_performance', 'other']),
        executeAt: z.iso.datetime({ offset: true }),
        emergency: z.object({ reason: text() }).optional(),
        immediate: z.object({ evidence: z.string().trim().max(4000) }).optional(),
      }),
      update: enforcementUpdates.enforcementDecision,
      arg: ({ body, principal }) => ({ ...body, ...by(principal) }),
      present,
    }),
    action({ name: 'execution', path: '/execution', summary: 'Record the execution (remove_obstruction needs an AV record)', roles: staff, body: z.object({ executedAt: legalInstant, result: text(), avRecordId: z.string().trim().min(1).max(200).optional(), completed: z.boolean().optional() }), update: enforcementUpdates.execution, arg: ({ body, principal }) => ({ ...body, ...by(principal) }), present }),
    action({
      name: 'agreement',
      path: '/agreement',
      summary: 'An execution agreement (第四十二条): stages, surcharge reduction for remedial measures',
      roles: staff,
      body: z.object({ stages: z.array(z.object({ dueDate: isoDate, amountFen: fen.optional(), description: z.string().trim().max(1000).optional() })).min(1).max(36), surchargeReductionFen: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(), remedialMeasures: z.string().trim().max(2000).optional() }),
      update: enforcementUpdates.agreement,
      arg: ({ body, principal }) => ({ ...body, ...by(principal) }),
      present,
    }),
    action({ name: 'agreement-broken', path: '/agreement/broken', summary: 'The party broke the agreement: enforcement resumes (第四十二条)', roles: staff, body: z.object({ reason: text() }), update: enforcementUpdates.agreementBroken, arg: ({ body, principal }) => ({ ...body, ...by(principal) }), present }),
    action({ name: 'court-application', path: '/court-application', summary: 'Apply to the people’s court (第五十三条, 第五十四条): refused outside [earliestFiling, latestFiling]', roles: staff, body: z.object({ filedAt: legalInstant, court: text(200), documents: z.array(text(300)).min(1).max(50) }), update: enforcementUpdates.courtApplication, arg: ({ body, principal }) => ({ ...body, ...by(principal) }), present }),
    action({ name: 'court-ruling', path: '/court-ruling', summary: 'The court’s ruling (第五十七条)', roles: staff, body: z.object({ ruledAt: legalInstant, outcome: z.enum(['enforce', 'refuse', 'other']), note: z.string().trim().max(2000).optional() }), update: enforcementUpdates.courtRuling, arg: ({ body, principal }) => ({ ...body, ...by(principal) }), present }),
    action({ name: 'suspension', path: '/suspension', summary: 'Suspend (中止, 第三十九条): every clock stops', roles: ['head'], body: z.object({ ground: z.enum(SUSPENSION_GROUNDS), note: z.string().trim().max(2000).optional() }), update: enforcementUpdates.suspension, arg: ({ body, principal }) => ({ ...body, ...by(principal) }), present }),
    action({ name: 'resumption', path: '/resumption', summary: 'Resume after a suspension', roles: ['head'], body: z.object({ note: z.string().trim().max(2000).optional() }), update: enforcementUpdates.resumption, arg: ({ body, principal }) => ({ ...body, ...by(principal) }), present }),
    action({ name: 'termination', path: '/termination', summary: 'Terminate (终结, 第四十条) with its ground', roles: ['head'], body: z.object({ ground: z.enum(TERMINATION_GROUNDS), note: z.string().trim().max(2000).optional() }), update: enforcementUpdates.termination, arg: ({ body, principal }) => ({ ...body, ...by(principal) }), present }),
  ]);
}

/** An announcement's proof (`where`) without the failed-before rule, which the workflow applies to the 催告书's attempts. */
function checkAnnouncementProof(body: z.infer<typeof serviceBody>): Record<string, string> {
  return checkService(body, true);
}

/** The workflow closed between reading the row and the Update (it just reached a final stage). */
function isClosedWorkflow(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (err as { code?: number })?.code === 5 || /workflow execution already completed/i.test(String((err as Error)?.message ?? ''));
}
function endedAgain(t: Target) {
  return endedRefusal({ case_number: t.row.case_number });
}
