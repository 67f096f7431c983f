// Corrections (本政办发〔2019〕35号 第三十二条): anyone may ask, with evidence, through the portal
// (no login) and gets a tracking code; the unit verifies and decides within our period (statute
// `disclosureCorrection`: 20 working days, with reminders and one escalation); the applicant sees the
// outcome, the reason and how to complain. The request, evidence and contact stay in Postgres.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { inTransaction } from '../../infra/db';
import { enqueueProcessStart } from '../../infra/process-starts';
import type { CorrectionInput, CorrectionState } from '../../domain/disclosure/types';
import { CORRECTION_APPLICANT_ROLES, maskContact, maskPersonalText, seesPartyData, type PartyViewer } from '../../domain/personal-data';
import { correctionDecisionUpdate, correctionWorkflowId } from '../../workflows/disclosure-messages';
import { action, addActions } from '../actions';
import type { Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { conflict, notFound } from '../errors';
import { requireStarted, startNow } from '../process-start';
import { reply, type Routes } from '../route';
import { actableOr404, visibleOr404, visibleUnits } from '../scope';
import { correctionsSchema, maskedCorrections } from './disclosures';

const text = (max = 4000) => z.string().trim().min(1, 'required').max(max);
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** 12 characters, ~60 bits: unguessable, easy to read out. */
const trackingCode = () => [...randomBytes(12)].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');

interface CorrectionRow {
  id: string;
  tracking_code: string;
  disclosure_id: string;
  unit_code: string;
  workflow_id: string;
  request: string;
  evidence: unknown;
  contact: string | null;
  status: string;
  outcome_reason: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  deadline: Date | null;
  overdue: boolean;
  warning_level: string;
  view: CorrectionState | null;
  created_at: Date;
}
const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

async function howToComplain(deps: ApiDeps, unit: string): Promise<string> {
  const { rows } = await deps.pool.query<{ name: string; supervisor: string | null }>('SELECT u.name, s.name AS supervisor FROM units u LEFT JOIN units s ON s.code = u.supervisor_code WHERE u.code = $1', [unit]);
  const r = rows[0];
  return `对处理结果有异议的，可以向${r?.supervisor ?? '上级行政机关'}（行政执法监督机关）投诉、举报（本政办发〔2019〕35号 第三十二条、第三十四条）；认为侵犯其合法权益的，可以依法申请行政复议或者提起行政诉讼。`;
}

/**
 * The unit's view of a request (internal: with the request, evidence and contact): in full to those
 * who decide it, masked to other readers (a supervisor): domain/personal-data.ts.
 */
const presentInternal = (r: CorrectionRow, viewer: PartyViewer) => {
  const full = seesPartyData(viewer, [r.unit_code], CORRECTION_APPLICANT_ROLES);
  const text = (t: string) => (full ? t : maskPersonalText(t));
  return {
  id: r.id,
  trackingCode: r.tracking_code,
  disclosureId: r.disclosure_id,
  unit: r.unit_code,
  request: text(r.request),
  evidence: full || !Array.isArray(r.evidence) ? r.evidence : (r.evidence as Array<{ description?: string }>).map((e) => ({ ...e, ...(typeof e.description === 'string' ? { description: text(e.description) } : {}) })),
  contact: r.contact === null || full ? r.contact : maskContact(r.contact),
  status: r.status,
  reason: r.outcome_reason,
  decidedBy: r.decided_by,
  decidedAt: iso(r.decided_at),
  deadline: iso(r.deadline),
  lastDay: r.view?.clock?.lastDay ?? null,
  overdue: r.overdue,
  warningLevel: r.warning_level,
  receivedAt: iso(r.created_at),
  };
};

async function loadVisible(deps: ApiDeps, principal: Principal, id: string): Promise<CorrectionRow> {
  const { rows } = await deps.pool.query<CorrectionRow>('SELECT * FROM disclosure_corrections WHERE id = $1', [id]);
  return visibleOr404(deps.pool, principal, rows[0], (r) => [r.unit_code], `correction ${id}`);
}

export function correctionRoutes(routes: Routes): void {
  routes.add(
    {
      method: 'post',
      path: '/public/corrections',
      tag: 'portal',
      summary: 'Ask for a published item to be corrected (no login; evidence required, 第三十二条); answers a tracking code',
      body: z.object({
        disclosureId: z.uuid(),
        request: text(4000),
        evidence: z.array(z.object({ description: text(1000), url: z.url().max(1000).optional() })).min(1, 'evidence required (第三十二条: 有证据证明)').max(20),
        contact: z.string().trim().min(1).max(200).optional(),
      }),
      responses: { 201: { description: '{trackingCode}: keep it to see the outcome at GET /public/corrections/:code' }, 404: { description: 'no such published item' } },
    },
    async ({ body, deps }) => {
      const { rows } = await deps.pool.query<{ id: string; unit_code: string; case_number: string; status: string }>('SELECT id, unit_code, case_number, status FROM disclosures WHERE id = $1', [body.disclosureId]);
      const item = rows[0];
      if (!item || item.status !== 'published') throw notFound(`published item ${body.disclosureId}`);
      const code = trackingCode();
      const workflowId = correctionWorkflowId(code);
      const created = await inTransaction(deps.pool, async (tx) => {
        const { rows: c } = await tx.query<{ id: string; created_at: Date }>(
          `INSERT INTO disclosure_corrections (tracking_code, disclosure_id, unit_code, workflow_id, request, evidence, contact) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, created_at`,
          [code, item.id, item.unit_code, workflowId, body.request, JSON.stringify(body.evidence), body.contact ?? null],
        );
        const input: CorrectionInput = { correctionId: c[0]!.id, disclosureId: item.id, unit: item.unit_code, caseNumber: item.case_number, receivedAt: new Date(c[0]!.created_at).toISOString() };
        await enqueueProcessStart(tx, {
          workflowId,
          kind: 'disclosure',
          workflowType: 'disclosureCorrectionWorkflow',
          taskQueue: deps.config.TASK_QUEUE,
          input,
          unit: item.unit_code,
          caseNumber: item.case_number,
          initialStatus: 'pending',
          summary: `公示信息更正申请 ${item.case_number}`,
        });
        return c[0]!;
      });
      await startNow(deps, workflowId);
      return reply(201, { trackingCode: code, id: created.id, status: 'pending', receivedAt: iso(created.created_at), statusUrl: `/public/corrections/${code}` });
    },
  );

  routes.add(
    { method: 'get', path: '/public/corrections/:code', tag: 'portal', summary: "The applicant's view: status, outcome, reason, the answer's deadline and how to complain (nothing of the request's personal data)", params: z.object({ code: z.string().trim().toUpperCase().regex(/^[A-Z2-9]{12}$/) }) },
    async ({ params, deps }) => {
      const { rows } = await deps.pool.query<CorrectionRow>('SELECT * FROM disclosure_corrections WHERE tracking_code = $1', [params.code]);
      const r = rows[0];
      if (!r) throw notFound(`correction ${params.code}`);
      return {
        trackingCode: r.tracking_code,
        disclosureId: r.disclosure_id,
        status: r.status,
        outcome: r.status === 'pending' ? null : r.status,
        reason: r.outcome_reason,
        decidedAt: iso(r.decided_at),
        receivedAt: iso(r.created_at),
        answerDueBy: r.view?.clock?.lastDay ?? null,
        howToComplain: await howToComplain(deps, r.unit_code),
      };
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/corrections',
      tag: 'disclosures',
      summary: 'Correction requests of the visible units (a supervisor: its units)',
      roles: [],
      query: z.object({ status: z.enum(['pending', 'corrected', 'rejected']).optional(), overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(), disclosureId: z.uuid().optional() }),
    },
    async ({ query, principal, deps }) => {
      const units = await visibleUnits(deps.pool, principal);
      const { rows } = await deps.pool.query<CorrectionRow>(
        `SELECT * FROM disclosure_corrections WHERE unit_code = ANY($1) AND ($2::text IS NULL OR status = $2) AND ($3::boolean IS NULL OR overdue = $3) AND ($4::uuid IS NULL OR disclosure_id = $4)
          ORDER BY created_at DESC LIMIT 500`,
        [units, query.status ?? null, query.overdue ?? null, query.disclosureId ?? null],
      );
      return { items: rows.map((r) => presentInternal(r, principal)) };
    },
  );
  routes.add(
    { method: 'get', path: '/api/corrections/:id', tag: 'disclosures', summary: 'One correction request', roles: [], params: z.object({ id: z.uuid() }) },
    async ({ params, principal, deps }) => presentInternal(await loadVisible(deps, principal, params.id), principal),
  );

  type Target = { workflowId: string; row: CorrectionRow };
  addActions<z.ZodObject<{ id: z.ZodUUID }>, Target>(
    routes,
    {
      tag: 'disclosures',
      base: '/api/corrections/:id',
      params: z.object({ id: z.uuid() }),
      target: async ({ params, principal, deps }): Promise<Target> => {
        const row = await actableOr404(deps.pool, principal, await loadVisible(deps, principal, params.id), (r) => [r.unit_code], `correction ${params.id}`);
        await requireStarted(deps, row.workflow_id);
        return { workflowId: row.workflow_id, row };
      },
    },
    [
      action({
        name: 'disclosure.correction.decide',
        path: '/decision',
        summary: 'Decide a correction request after verifying it (第三十二条): corrected (the item\'s content/result replaced, masked) or rejected, with the reason the applicant sees',
        roles: ['publisher', 'head'],
        body: z.object({ outcome: z.enum(['corrected', 'rejected']), reason: text(2000), corrections: correctionsSchema.optional() }),
        update: correctionDecisionUpdate,
        arg: async ({ body, principal, deps, target: t }) => {
          // A decided request's workflow has ended: answer as it would have.
          if (t.row.status !== 'pending') throw conflict(`更正申请已处理（${t.row.status}）`, { rule: 'disclosure.correction.already_decided', basis: '本政办发〔2019〕35号 第三十二条' });
          return {
          by: principal.personId,
          outcome: body.outcome,
          reason: body.reason,
          ...(body.corrections ? { corrections: await maskedCorrections(deps, t.row.disclosure_id, body.corrections) } : {}),
          };
        },
        present: async (r: CorrectionState, ctx) => {
          const until = Date.now() + 5_000;
          for (;;) {
            const row = (await ctx.deps.pool.query<CorrectionRow>('SELECT * FROM disclosure_corrections WHERE id = $1', [ctx.target.row.id])).rows[0]!;
            if ((row.view?.revision ?? -1) >= r.revision || Date.now() > until) return presentInternal(row, ctx.principal);
            await new Promise((res) => setTimeout(res, 50));
          }
        },
      }),
    ],
  );
}
