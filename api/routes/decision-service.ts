// Decisions with an obligation (issue 11): the fields POST /api/decisions gains, and service of a
// decision (本政办发〔2019〕33号 第二十三至二十七条). The first successful service of a decision with an
// obligation stores the enforcement row and its start request in one transaction (start outbox).
import { z } from 'zod';
import { DECISION_KINDS_FOR_ENFORCEMENT, SERVICE_METHODS, type EnforcementInput, type Obligation, type ServiceMethod } from '../../domain/enforcement/types';
import type { PartyData } from '../../domain/disclosure/mask';
import { partyAsSeen, type PartyViewer } from '../../domain/personal-data';
import { CaseRecordStore } from '../../infra/case-record-store';
import { inTransaction } from '../../infra/db';
import { enqueueProcessStart } from '../../infra/process-starts';
import { enforcementWorkflow, enforcementWorkflowId } from '../../workflows/enforcement';
import { idempotencyKeyOf } from '../actions';
import type { ApiDeps } from '../deps';
import { conflict } from '../errors';
import { startNow, startPendingBody } from '../process-start';
import { reply, type Routes } from '../route';
import { actableOr404 } from '../scope';
import { isoDate, legalInstant } from '../schemas';

const RECORDING = '本政办发〔2019〕33号';
const fen = z.number().int('integer fen').positive().max(Number.MAX_SAFE_INTEGER);
const text = (max = 2000) => z.string().trim().min(1, 'required').max(max);

export const obligationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fine'), amountFen: fen }),
  z.object({ kind: z.literal('correction'), description: text(), dueDate: isoDate }),
  z.object({ kind: z.literal('other'), description: text(), dueDate: isoDate }),
]);
export const partySchema = z.object({
  kind: z.enum(['person', 'organisation']),
  name: text(200),
  idNumber: z.string().trim().min(1).max(64).optional(),
  phone: z.string().trim().min(1).max(40).optional(),
  address: z.string().trim().min(1).max(400).optional(),
});

/** The fields POST /api/decisions gains (spread into its body schema). */
export const decisionEnforcementBody = {
  /** Defaults to the review's decision kind for a reviewed case, else the classification's. */
  kind: z.enum(DECISION_KINDS_FOR_ENFORCEMENT).optional(),
  party: partySchema.optional(),
  obligation: obligationSchema.optional(),
  enforcementPower: z.enum(['own', 'court']).optional(),
};

interface EnforcementFields {
  kind?: (typeof DECISION_KINDS_FOR_ENFORCEMENT)[number];
  party?: z.infer<typeof partySchema>;
  obligation?: Obligation;
  enforcementPower?: 'own' | 'court';
  classification?: { decisionKind?: string } | null;
}

/** Stores the new fields on the decision just inserted; returns the row as stored. */
export async function saveDecisionEnforcement<R>(pool: ApiDeps['pool'], row: R, body: EnforcementFields): Promise<R> {
  const r = row as { id: string; unit_code: string; case_number: string; review_id: string | null };
  let kind: string | null = body.kind ?? null;
  if (!kind && r.review_id) kind = (await pool.query<{ decision_kind: string }>('SELECT decision_kind FROM reviews WHERE id = $1', [r.review_id])).rows[0]?.decision_kind ?? null;
  kind ??= body.classification?.decisionKind ?? null;
  if (kind && !(DECISION_KINDS_FOR_ENFORCEMENT as readonly string[]).includes(kind)) kind = 'other';
  const { rows } = await pool.query(
    `UPDATE decisions SET kind = $3, party = $4, obligation = $5, enforcement_power = $6 WHERE unit_code = $1 AND case_number = $2 AND id = $7 RETURNING *`,
    [r.unit_code, r.case_number, kind, body.party ? JSON.stringify(body.party) : null, body.obligation ? JSON.stringify(body.obligation) : null, body.obligation ? (body.enforcementPower ?? 'own') : (body.enforcementPower ?? null), r.id],
  );
  return (rows[0] ?? row) as R;
}

/** The decision's id and the new fields, for its answer (the party as this viewer may see it: domain/personal-data.ts). */
export function presentDecisionEnforcement(row: unknown, viewer: PartyViewer | undefined) {
  const r = row as { id?: string; unit_code?: string; kind?: string | null; party?: PartyData | null; obligation?: unknown; enforcement_power?: string | null };
  return { id: r.id ?? null, kind: r.kind ?? null, party: partyAsSeen(r.party ?? null, viewer, r.unit_code ? [r.unit_code] : []), obligation: r.obligation ?? null, enforcementPower: r.enforcement_power ?? null };
}

/** The facts each service method records (33号 第二十三至二十七条), under these names; fields of other methods are ignored. */
const PROOF_FIELDS: Record<ServiceMethod, { fields: string[]; article: string }> = {
  direct: { fields: ['signedBy'], article: '第二十三条' },
  registered_mail: { fields: ['trackingNumber'], article: '第二十四条' },
  left_at_residence: { fields: ['witness', 'refusalReason', 'avRecordId'], article: '第二十五条' },
  entrusted: { fields: ['reason', 'signedBy'], article: '第二十六条' },
  forwarded: { fields: ['reason', 'signedBy'], article: '第二十六条' },
  announcement: { fields: ['where'], article: '第二十七条' },
};
/** 民事诉讼法 第九十五条: an announcement counts as service 30 days after it was issued. */
const ANNOUNCEMENT_DAYS = 30;

export const serviceBody = z.object({
  method: z.enum(SERVICE_METHODS),
  servedAt: legalInstant,
  proof: z.record(z.string(), z.string().trim().max(500)).default({}),
  failed: z.boolean().optional(),
  failureReason: z.string().trim().min(1).max(1000).optional(),
});
export type ServiceBody = z.infer<typeof serviceBody>;

/** Checks a service body against its method; returns the proof with the method's fields only. Throws 400/409. */
export function checkService(body: ServiceBody, failedBefore: boolean): Record<string, string> {
  const spec = PROOF_FIELDS[body.method];
  const proof = Object.fromEntries(spec.fields.filter((f) => body.proof[f] !== undefined && body.proof[f] !== '').map((f) => [f, body.proof[f]!]));
  if (body.failed && !body.failureReason) throw conflict('送达未成功的，须写明原因（failureReason）', { rule: 'service.failure_reason_required', basis: `${RECORDING} ${spec.article}` });
  if (!body.failed) {
    const missing = spec.fields.filter((f) => !proof[f]);
    if (missing.length) throw conflict(`${body.method} 送达须记录：${missing.join('、')}`, { rule: 'service.proof_missing', basis: `${RECORDING} ${spec.article}`, missing });
  }
  if (body.method === 'announcement' && !failedBefore) {
    throw conflict('公告送达只能在其他方式均无法送达之后采用：请先登记未成功的送达', { rule: 'service.announcement_before_other_failed', basis: `${RECORDING} 第二十七条` });
  }
  if (Date.parse(body.servedAt) > Date.now() + 5 * 60_000) throw conflict(`送达时间 ${body.servedAt} 晚于当前时间`, { rule: 'service.in_future', basis: `${RECORDING} ${spec.article}` });
  return proof;
}

export function decisionServiceRoutes(routes: Routes): void {
  routes.add(
    {
      method: 'post',
      path: '/api/decisions/:id/service',
      tag: 'enforcements',
      summary: 'Record an attempt to serve a decision (failed ones too); the first successful service of a decision with an obligation starts its enforcement (Idempotency-Key header: a retry answers the first record)',
      roles: ['handler', 'head'],
      params: z.object({ id: z.uuid() }),
      body: serviceBody,
      responses: {
        201: { description: 'recorded; `enforcementId` when this service started the enforcement' },
        202: { description: 'recorded; the enforcement workflow starts when the workflow service is reachable' },
        409: { description: 'refused: {error, rule, basis} (announcement before another method failed, proof missing)' },
      },
    },
    async ({ params, body, principal, deps, req }) => {
      const key = idempotencyKeyOf(req);
      const { rows: found } = await deps.pool.query('SELECT * FROM decisions WHERE id = $1', [params.id]);
      const decision = await actableOr404(deps.pool, principal, found[0], (r) => [r.unit_code as string], `decision ${params.id}`);

      const result = await inTransaction(deps.pool, async (tx) => {
        await tx.query('SELECT 1 FROM decisions WHERE id = $1 FOR UPDATE', [params.id]);
        if (key) {
          const { rows } = await tx.query('SELECT * FROM decision_services WHERE idempotency_key = $1', [`${params.id}:${key}`]);
          if (rows[0]) return { service: rows[0], enforcement: (await tx.query('SELECT id, workflow_id FROM enforcements WHERE decision_id = $1', [params.id])).rows[0], created: false };
        }
        const { rows: earlier } = await tx.query<{ failed: boolean }>('SELECT failed FROM decision_services WHERE decision_id = $1', [params.id]);
        const proof = checkService(body, earlier.some((s) => s.failed));
        const effectiveAt = body.failed ? null : body.method === 'announcement' ? new Date(Date.parse(body.servedAt) + ANNOUNCEMENT_DAYS * 86_400_000).toISOString() : body.servedAt;
        const { rows } = await tx.query(
          `INSERT INTO decision_services (decision_id, n, method, served_at, effective_at, proof, failed, failure_reason, recorded_by, idempotency_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
          [params.id, earlier.length + 1, body.method, body.servedAt, effectiveAt, JSON.stringify(proof), !!body.failed, body.failureReason ?? null, principal.personId, key ? `${params.id}:${key}` : null],
        );
        const service = rows[0];
        let enforcement = (await tx.query('SELECT id, workflow_id FROM enforcements WHERE decision_id = $1', [params.id])).rows[0];
        if (!body.failed && decision.obligation && !enforcement) {
          const workflowId = enforcementWorkflowId(decision.unit_code, decision.case_number);
          const inserted = await tx.query('INSERT INTO enforcements (decision_id, unit_code, case_number, workflow_id) VALUES ($1, $2, $3, $4) RETURNING id, workflow_id', [params.id, decision.unit_code, decision.case_number, workflowId]);
          enforcement = inserted.rows[0];
          // Ids and facts only: the party's data stays in `decisions.party`.
          const input: EnforcementInput = {
            enforcementId: enforcement.id,
            decisionId: params.id,
            unit: decision.unit_code,
            caseNumber: decision.case_number,
            decisionNumber: decision.decision_number,
            decisionKind: decision.kind ?? 'other',
            obligation: decision.obligation,
            enforcementPower: decision.enforcement_power ?? 'own',
            servedAt: new Date(effectiveAt!).toISOString(),
            serviceMethod: body.method,
            startedBy: principal.personId,
          };
          const { stored } = await enqueueProcessStart(tx, {
            workflowId,
            kind: 'enforcement',
            workflowType: enforcementWorkflow.name,
            taskQueue: deps.config.TASK_QUEUE,
            input,
            unit: decision.unit_code,
            caseNumber: decision.case_number,
            initialStatus: 'awaiting_performance',
            summary: `强制执行 ${decision.case_number} 决定 ${decision.decision_number}`,
          });
          return { service, enforcement, created: true, started: true, outbox: stored };
        }
        return { service, enforcement, created: true };
      });
      const s = result.service;
      if (result.created) {
        await new CaseRecordStore(deps.pool).append({
          unit: decision.unit_code,
          caseNumber: decision.case_number,
          stage: 'service',
          actor: principal.personId,
          action: s.failed ? 'decision.service_failed' : 'decision.served',
          summary: s.failed ? `决定 ${decision.decision_number} 送达未成功（${s.method}：${s.failure_reason}）` : `决定 ${decision.decision_number} 已送达（${s.method}）`,
          occurredAt: new Date(s.served_at).toISOString(),
          payload: { decisionId: params.id, n: s.n, method: s.method, failed: s.failed, effectiveAt: s.effective_at ? new Date(s.effective_at).toISOString() : null },
          idempotencyKey: `decision-service:${s.id}`,
        });
      }
      const start = 'started' in result && result.enforcement ? await startNow(deps, result.enforcement.workflow_id, result.outbox) : undefined;
      const pending = start !== undefined && !start.startedAt;
      return reply(pending ? 202 : result.created ? 201 : 200, {
        id: s.id,
        decisionId: params.id,
        n: s.n,
        method: s.method,
        servedAt: new Date(s.served_at).toISOString(),
        effectiveAt: s.effective_at ? new Date(s.effective_at).toISOString() : null,
        proof: s.proof,
        failed: s.failed,
        failureReason: s.failure_reason,
        enforcementId: result.enforcement?.id ?? null,
        ...(pending ? { start: startPendingBody(start) } : {}),
      });
    },
  );
}
