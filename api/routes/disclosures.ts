// 公示 through the API (domain spec §4; 本政办发〔2019〕35号). An item is created automatically when a
// decision is recorded (POST /api/decisions calls `discloseDecision`) or changed (POST
// /api/decisions/:id/changes); GETs read the projection the workflow writes (`disclosures`), actions
// are declared from one table (api/actions.ts) and go to the workflow as Updates.
import type { PoolClient } from 'pg';
import { z } from 'zod';
import { maskText, type PartyData } from '../../domain/disclosure/mask';
import { DISCLOSURE_KINDS, disclosureRule, type DisclosureKind, type DisclosureSource, type Jurisdiction } from '../../domain/disclosure/rules';
import { DISCLOSURE_STATUSES, MANUAL_TAKEDOWN_REASONS, type ContentCorrections, type DisclosureInput, type DisclosureState } from '../../domain/disclosure/types';
import { CaseRecordStore } from '../../infra/case-record-store';
import { inTransaction } from '../../infra/db';
import { decisionFactsOf } from '../../infra/disclosure-store';
import { enqueueProcessStart, type StoredProcessStart } from '../../infra/process-starts';
import { disclosureUpdates, disclosureWorkflowId } from '../../workflows/disclosure-messages';
import { check as checkAction, type DisclosureAction } from '../../domain/disclosure/transitions';
import { action, addActions } from '../actions';
import type { Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { conflict } from '../errors';
import { requireStarted, startNow } from '../process-start';
import { reply, type Routes } from '../route';
import { actableOr404, visibleOr404, visibleUnits } from '../scope';
import { legalInstant } from '../schemas';

const text = (max = 4000) => z.string().trim().min(1, 'required').max(max);
const idParams = z.object({ id: z.uuid() });
export const correctionsSchema = z
  .object({ content: text(4000).optional(), result: text(2000).optional() })
  .refine((c) => c.content !== undefined || c.result !== undefined, 'content or result');

export interface DisclosureRow {
  id: string;
  workflow_id: string;
  unit_code: string;
  jurisdiction: string;
  case_number: string;
  n: number;
  decision_number: string | null;
  decision_id: string | null;
  source: string;
  kind: string;
  status: string;
  deadline: Date | null;
  overdue: boolean;
  warning_level: string;
  published_at: Date | null;
  takedown_at: Date | null;
  taken_down_at: Date | null;
  takedown_reason: string | null;
  takedown_explanation: string | null;
  public_view: unknown;
  view: DisclosureState | null;
  recorded_by: string | null;
  created_at: Date;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function presentDisclosure(r: DisclosureRow) {
  const v = r.view;
  return {
    id: r.id,
    workflowId: r.workflow_id,
    unit: r.unit_code,
    jurisdiction: r.jurisdiction,
    caseNumber: r.case_number,
    n: r.n,
    source: r.source,
    kind: r.kind,
    decisionId: r.decision_id,
    decisionNumber: r.decision_number,
    status: r.status,
    deadline: iso(r.deadline),
    lastDay: v?.clock?.lastDay ?? null,
    deadlineBasis: v?.clock?.basis ?? v?.rule.basis ?? null,
    overdue: r.overdue,
    warningLevel: r.warning_level,
    escalations: v?.escalations ?? 0,
    publishedAt: iso(r.published_at),
    publishedLate: v?.publishedLate ?? null,
    takedownAt: iso(r.takedown_at),
    takedownBasis: v?.takedownBasis ?? null,
    takenDownAt: iso(r.taken_down_at),
    takedownReason: r.takedown_reason,
    takedownExplanation: r.takedown_explanation,
    returnedReason: v?.returnedReason ?? null,
    checks: v?.checks ?? [],
    recordedBy: r.recorded_by,
    /** Exactly what the portal shows (masked, 第十七条、第十九条). */
    publicView: r.public_view,
    createdAt: iso(r.created_at),
  };
}

interface DecisionLike {
  id: string;
  unit_code: string;
  case_number: string;
  decision_number: string;
  decided_at: Date | string;
  recorded_by: string;
  kind?: string | null;
  party?: PartyData | null;
  supersedes?: string | null;
}

/**
 * Stores a disclosure item for a decision and its start request in ONE transaction, then tries the
 * start (the reconciler finishes it if Temporal is away). Idempotent: a second call for the same
 * decision (a retried POST /api/decisions) finds the item. `change` makes item n+1 for a change.
 */
export async function discloseDecision(deps: ApiDeps, row: object, change?: { changedAt: string; decisionNumber?: string; by: string }): Promise<{ id: string; workflowId: string }> {
  const d = row as DecisionLike; // a `decisions` row (SELECT *)
  const created = await inTransaction(deps.pool, async (tx) => {
    await tx.query('SELECT 1 FROM decisions WHERE id = $1 FOR UPDATE', [d.id]);
    if (!change) {
      const { rows } = await tx.query<{ id: string; workflow_id: string }>(`SELECT id, workflow_id FROM disclosures WHERE decision_id = $1 ORDER BY n LIMIT 1`, [d.id]);
      if (rows[0]) return { id: rows[0].id, workflowId: rows[0].workflow_id };
    }
    const { rows: n } = await tx.query<{ n: number }>('SELECT COALESCE(MAX(n), 0) + 1 AS n FROM disclosures WHERE unit_code = $1 AND case_number = $2', [d.unit_code, d.case_number]);
    return insertItem(tx, deps, {
      unit: d.unit_code,
      caseNumber: d.case_number,
      n: n[0]!.n,
      // A remade decision (重新作出, it supersedes the case's earlier one) is a change of the case's information too.
      source: change || d.supersedes ? 'decision_change' : 'decision',
      kind: (DISCLOSURE_KINDS as readonly string[]).includes(d.kind ?? '') ? (d.kind as DisclosureKind) : 'other',
      decisionId: d.id,
      decisionNumber: change?.decisionNumber ?? d.decision_number,
      from: change?.changedAt ?? new Date(d.decided_at).toISOString(),
      recordedBy: change?.by ?? d.recorded_by,
      partyKind: d.party?.kind ?? null,
    });
  });
  await startNow(deps, created.workflowId, 'outbox' in created ? created.outbox : undefined);
  return { id: created.id, workflowId: created.workflowId };
}

/**
 * The entry point for a normal random-inspection result (35号 第二十八条: published within 20 working
 * days of the inspection's end): an item with source and kind `inspection`, no decision; the
 * inspected entity (a market subject: shown in full if an organisation, masked if a person), what was
 * inspected and the conclusion are stored with it (`facts`) and masked into its public view.
 * Idempotent per (unit, caseNumber). For the draws' results route (issue 13).
 */
export async function discloseInspectionResult(
  deps: ApiDeps,
  r: { unit: string; caseNumber: string; finishedAt: string; entity: { kind: 'person' | 'organisation'; name: string }; content: string; result: string; recordedBy: string },
): Promise<{ id: string; workflowId: string }> {
  const created = await inTransaction(deps.pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`disclosure:${r.unit}:${r.caseNumber}`]);
    const { rows } = await tx.query<{ id: string; workflow_id: string }>(`SELECT id, workflow_id FROM disclosures WHERE unit_code = $1 AND case_number = $2 AND source = 'inspection'`, [r.unit, r.caseNumber]);
    if (rows[0]) return { id: rows[0].id, workflowId: rows[0].workflow_id };
    const { rows: n } = await tx.query<{ n: number }>('SELECT COALESCE(MAX(n), 0) + 1 AS n FROM disclosures WHERE unit_code = $1 AND case_number = $2', [r.unit, r.caseNumber]);
    const item = await insertItem(tx, deps, {
      unit: r.unit,
      caseNumber: r.caseNumber,
      n: n[0]!.n,
      source: 'inspection',
      kind: 'inspection',
      decisionId: null,
      decisionNumber: null,
      from: r.finishedAt,
      recordedBy: r.recordedBy,
      partyKind: r.entity.kind,
    });
    await tx.query('UPDATE disclosures SET facts = $2 WHERE id = $1', [item.id, JSON.stringify({ party: r.entity, content: r.content, result: r.result })]);
    return item;
  });
  await startNow(deps, created.workflowId, 'outbox' in created ? created.outbox : undefined);
  return { id: created.id, workflowId: created.workflowId };
}

async function insertItem(
  tx: PoolClient,
  deps: ApiDeps,
  item: Omit<DisclosureInput, 'disclosureId' | 'jurisdiction'>,
): Promise<{ id: string; workflowId: string; outbox?: StoredProcessStart }> {
  const { rows: u } = await tx.query<{ jurisdiction: Jurisdiction }>('SELECT jurisdiction FROM units WHERE code = $1', [item.unit]);
  const jurisdiction = u[0]!.jurisdiction;
  disclosureRule(jurisdiction, item.source as DisclosureSource, item.kind); // refuses an unknown jurisdiction before anything is stored
  const workflowId = disclosureWorkflowId(item.unit, item.caseNumber, item.n);
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO disclosures (workflow_id, unit_code, jurisdiction, case_number, n, decision_number, decision_id, source, kind, party_kind, decided_at, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
    [workflowId, item.unit, jurisdiction, item.caseNumber, item.n, item.decisionNumber, item.decisionId, item.source, item.kind, item.partyKind, item.from, item.recordedBy],
  );
  const id = rows[0]!.id;
  // Ids and public facts only: the party stays in `decisions.party`.
  const input: DisclosureInput = { ...item, disclosureId: id, jurisdiction };
  const { stored } = await enqueueProcessStart(tx, {
    workflowId,
    kind: 'disclosure',
    workflowType: 'disclosureWorkflow',
    taskQueue: deps.config.TASK_QUEUE,
    input,
    unit: item.unit,
    caseNumber: item.caseNumber,
    initialStatus: 'pending_check',
    summary: `公示 ${item.caseNumber} #${item.n}${item.decisionNumber ? ` 决定 ${item.decisionNumber}` : ''}`,
  });
  return { id, workflowId, outbox: stored };
}

async function loadVisible(deps: ApiDeps, principal: Principal, id: string): Promise<DisclosureRow> {
  const { rows } = await deps.pool.query<DisclosureRow>('SELECT * FROM disclosures WHERE id = $1', [id]);
  return visibleOr404(deps.pool, principal, rows[0], (r) => [r.unit_code], `disclosure ${id}`);
}

async function target({ params, principal, deps }: { params: { id: string }; principal: Principal; deps: ApiDeps; idempotent: boolean }) {
  // A supervising unit reads, it does not act (403); another unit: 404 (api/scope.ts).
  const row = await actableOr404(deps.pool, principal, await loadVisible(deps, principal, params.id), (r) => [r.unit_code], `disclosure ${params.id}`);
  await requireStarted(deps, row.workflow_id);
  return { workflowId: row.workflow_id, row };
}
type Target = Awaited<ReturnType<typeof target>>;

/** A checker's or a correction's text is masked here (with the party from Postgres) before it reaches a workflow. */
export async function maskedCorrections(deps: ApiDeps, disclosureId: string, c: ContentCorrections | undefined): Promise<ContentCorrections | undefined> {
  if (!c) return undefined;
  const facts = await decisionFactsOf(deps.pool, disclosureId);
  const party = facts?.party ?? null;
  return { ...(c.content !== undefined ? { content: maskText(c.content, party) } : {}), ...(c.result !== undefined ? { result: maskText(c.result, party) } : {}) };
}

/**
 * A taken-down item's workflow has ended: its table still answers (409 with the rule and article, as
 * the workflow would have), from the stored view, instead of "workflow not found".
 */
function refuseIfClosed(row: DisclosureRow, a: DisclosureAction): void {
  if (row.status !== 'taken_down' || !row.view) return;
  const refusal = checkAction(row.view, a);
  if (refusal) throw conflict(refusal.message, { rule: refusal.rule, basis: refusal.basis });
}

const present = async (_r: DisclosureState, ctx: { deps: ApiDeps; target: Target }) => {
  // The projection follows the Update by an activity; answer the row as it is once it has caught up.
  const until = Date.now() + 5_000;
  for (;;) {
    const { rows } = await ctx.deps.pool.query<DisclosureRow>('SELECT * FROM disclosures WHERE id = $1', [ctx.target.row.id]);
    if ((rows[0]!.view?.revision ?? -1) >= _r.revision || Date.now() > until) return presentDisclosure(rows[0]!);
    await new Promise((r) => setTimeout(r, 50));
  }
};

export function disclosureRoutes(routes: Routes): void {
  routes.add(
    { method: 'get', path: '/api/disclosures/:id', tag: 'disclosures', summary: 'One disclosure item (own unit; the supervising unit reads): status, deadline, publishedAt, takedownAt and the public view exactly as shown', roles: [], params: idParams },
    async ({ params, principal, deps }) => presentDisclosure(await loadVisible(deps, principal, params.id)),
  );
  routes.add(
    {
      method: 'get',
      path: '/api/disclosures',
      tag: 'disclosures',
      summary: 'Disclosure items of the visible units (a supervisor: its units); overdue=true lists 应当公示而未公示 (第三十五条)',
      roles: [],
      query: z.object({
        status: z.enum(DISCLOSURE_STATUSES).optional(),
        overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
        caseNumber: z.string().trim().min(1).max(64).optional(),
        unit: z.string().optional(),
      }),
    },
    async ({ query, principal, deps }) => {
      const units = await visibleUnits(deps.pool, principal);
      const wanted = query.unit ? units.filter((u) => u === query.unit) : units;
      const { rows } = await deps.pool.query<DisclosureRow>(
        `SELECT * FROM disclosures WHERE unit_code = ANY($1) AND ($2::text IS NULL OR status = $2) AND ($3::boolean IS NULL OR overdue = $3) AND ($4::text IS NULL OR case_number = $4)
          ORDER BY created_at DESC LIMIT 500`,
        [wanted, query.status ?? null, query.overdue ?? null, query.caseNumber ?? null],
      );
      return { items: rows.map(presentDisclosure) };
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/decisions/:id/changes',
      tag: 'disclosures',
      summary: 'A recorded decision changed (变更): a new disclosure item, due within the period from the change (35号 第二十八条); the earlier item is taken down as superseded when the new one is published',
      roles: ['handler', 'head'],
      params: idParams,
      body: z.object({ changedAt: legalInstant, decisionNumber: z.string().trim().min(1).max(100).optional(), description: text(2000) }),
      responses: { 201: { description: 'the new disclosure item' } },
    },
    async ({ params, body, principal, deps }) => {
      const { rows } = await deps.pool.query('SELECT * FROM decisions WHERE id = $1', [params.id]);
      const d = await actableOr404(deps.pool, principal, rows[0], (r) => [r.unit_code], `decision ${params.id}`);
      if (Date.parse(body.changedAt) > Date.now() + 5 * 60_000) throw conflict(`变更日期 ${body.changedAt} 晚于当前时间`, { rule: 'disclosure.change.in_future', basis: '本政办发〔2019〕35号 第二十八条' });
      const item = await discloseDecision(deps, d, { changedAt: body.changedAt, decisionNumber: body.decisionNumber, by: principal.personId });
      await new CaseRecordStore(deps.pool).append({
        unit: d.unit_code,
        caseNumber: d.case_number,
        stage: 'decision',
        actor: principal.personId,
        action: 'decision.changed',
        summary: `决定 ${d.decision_number} 变更${body.decisionNumber ? `为 ${body.decisionNumber}` : ''}`,
        occurredAt: body.changedAt,
        payload: { decisionId: d.id, disclosureId: item.id },
        idempotencyKey: `decision-change:${item.id}`,
      });
      const { rows: out } = await deps.pool.query<DisclosureRow>('SELECT * FROM disclosures WHERE id = $1', [item.id]);
      return reply(201, presentDisclosure(out[0]!));
    },
  );

  addActions(routes, { tag: 'disclosures', base: '/api/disclosures/:id', params: idParams, target }, [
    action({
      name: 'disclosure.check',
      path: '/check',
      summary: 'Internal check before publication (第三十一条) by a publisher of the unit who did not record the decision: approve publishes (takedownAt set, 第二十九条), refuse returns it with the reason; corrections replace the content/result (masked)',
      roles: ['publisher'],
      body: z.object({ approve: z.boolean(), note: z.string().trim().max(2000).default(''), corrections: correctionsSchema.optional() }),
      update: disclosureUpdates.check,
      arg: async ({ body, principal, deps, target: t }) => {
        refuseIfClosed(t.row, { kind: 'check', by: principal.personId, approve: body.approve, note: body.note });
        return { by: principal.personId, approve: body.approve, note: body.note, ...(body.corrections ? { corrections: await maskedCorrections(deps, t.row.id, body.corrections) } : {}) };
      },
      present,
    }),
    action({
      name: 'disclosure.resubmit',
      path: '/resubmit',
      summary: 'A returned item, amended, goes back to the check',
      roles: ['handler', 'head', 'publisher'],
      body: z.object({ note: text(2000), corrections: correctionsSchema.optional() }),
      update: disclosureUpdates.resubmit,
      arg: async ({ body, principal, deps, target: t }) => {
        refuseIfClosed(t.row, { kind: 'resubmit', by: principal.personId, note: body.note });
        return { by: principal.personId, note: body.note, ...(body.corrections ? { corrections: await maskedCorrections(deps, t.row.id, body.corrections) } : {}) };
      },
      present,
    }),
    action({
      name: 'disclosure.takedown',
      path: '/takedown',
      summary: 'Take an item down at once with an explanation (第二十九条: decision revoked, confirmed unlawful, to be remade); it stays in the record',
      roles: ['publisher', 'head'],
      body: z.object({ reason: z.enum(MANUAL_TAKEDOWN_REASONS), explanation: text(2000) }),
      update: disclosureUpdates.takedown,
      arg: ({ body, principal, target: t }) => {
        const a = { by: principal.personId, reason: body.reason, explanation: body.explanation };
        refuseIfClosed(t.row, { kind: 'takedown', ...a });
        return a;
      },
      present,
    }),
  ]);
}
