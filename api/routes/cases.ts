import { z } from 'zod';
import { normaliseCaseNumber } from '../../domain/case-numbers';
import { RECORD_STAGES } from '../../infra/case-record-store';
import { inTransaction } from '../../infra/db';
import { enqueueProcessStart, type ProcessStartRequest } from '../../infra/process-starts';
import {
  approveUrgentStartUpdate,
  archiveCaseUpdate,
  caseFileWorkflow,
  caseFileWorkflowId,
  enforcementEndedUpdate,
  markAvRecordStoredUpdate,
  registerAvRecordUpdate,
  type CaseFileInput,
  type CaseFileState,
} from '../../workflows/case-file';
import { action, addActions, type ActionSpec } from '../actions';
import type { Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { conflict, notFound } from '../errors';
import { isGone, requireStarted, startNow, startPendingBody } from '../process-start';
import { reply, type Routes } from '../route';
import { unitVisibleOr404 } from '../scope';
import { legalInstant, unicodePattern } from '../schemas';

export const caseNumberSchema = z
  .string()
  .trim()
  // One case, one spelling: （）/()/[]/full-width forms and look-alikes → the canonical 〔〕 form (domain/case-numbers.ts).
  .overwrite(normaliseCaseNumber)
  .min(1)
  .max(64)
  .regex(unicodePattern('^[\\p{L}\\p{N}〔〕()（）[\\]_.\\-]+$'), 'letters, digits and 〔〕()[]_.- only');

const openCaseBody = z.object({
  caseNumber: caseNumberSchema,
  title: z.string().trim().min(1).max(200),
  urgent: z.boolean().default(false),
  openedAt: legalInstant.optional(),
});

export interface CaseRow {
  unit_code: string;
  case_number: string;
  title: string;
  urgent: boolean;
  opened_by: string;
  opened_at: Date;
  workflow_id: string;
  status: string;
  view?: CaseFileState | null;
}

const caseInput = (row: CaseRow): CaseFileInput => ({
  unit: row.unit_code,
  caseNumber: row.case_number,
  title: row.title,
  urgent: row.urgent,
  openedBy: row.opened_by,
  openedAt: new Date(row.opened_at).toISOString(),
});

export const caseStart = (row: CaseRow, taskQueue: string): ProcessStartRequest => ({
  workflowId: row.workflow_id,
  kind: 'case-file',
  workflowType: caseFileWorkflow.name,
  taskQueue,
  input: caseInput(row),
  unit: row.unit_code,
  caseNumber: row.case_number,
  initialStatus: 'open',
  summary: `案件 ${row.case_number} ${row.title}`,
});

async function loadCase(deps: Pick<ApiDeps, 'pool'>, unit: string, caseNumber: string): Promise<CaseRow> {
  const { rows } = await deps.pool.query<CaseRow>('SELECT * FROM cases WHERE unit_code = $1 AND case_number = $2', [unit, caseNumber]);
  if (!rows[0]) throw notFound(`case ${caseNumber}`);
  return rows[0];
}

/**
 * The case file's state from Postgres: the projection the workflow writes (`cases.view`), or,
 * before its first report, the stored row. Works with Temporal down or the workflow deleted.
 */
function caseState(row: CaseRow): CaseFileState {
  if (row.view) return row.view;
  return { ...caseInput(row), status: row.status as CaseFileState['status'], avRecords: [], revision: 0 };
}

export function caseRoutes(routes: Routes): void {
  routes.add(
    {
      method: 'post',
      path: '/api/cases',
      tag: 'cases',
      summary: 'Open a case file (立案); the same unit+caseNumber again answers the existing case',
      roles: ['handler'],
      body: openCaseBody,
      responses: {
        201: { description: 'opened' },
        200: { description: 'already open: the stored case (its stored title and opening time, not this request\'s)' },
        202: { description: 'stored; its workflow starts when the workflow service is reachable again, from the stored opening time' },
      },
    },
    async ({ body, principal, deps }) => {
      const workflowId = caseFileWorkflowId(principal.unit, body.caseNumber);
      const openedAt = body.openedAt ? new Date(body.openedAt).toISOString() : new Date().toISOString();
      // The row and its start request in one transaction: Postgres decides that this case exists.
      const created = await inTransaction(deps.pool, async (tx) => {
        const { rows } = await tx.query<CaseRow>(
          `INSERT INTO cases (unit_code, case_number, title, urgent, opened_by, opened_at, workflow_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (unit_code, case_number) DO NOTHING RETURNING *`,
          [principal.unit, body.caseNumber, body.title, body.urgent, principal.personId, openedAt, workflowId],
        );
        if (rows[0]) await enqueueProcessStart(tx, caseStart(rows[0], deps.config.TASK_QUEUE));
        return rows[0] !== undefined;
      });
      const row = await loadCase(deps, principal.unit, body.caseNumber);
      // A case stored before the start outbox existed: started from its stored row if it never was.
      if (!created && !row.view && row.status === 'open') await enqueueProcessStart(deps.pool, caseStart(row, deps.config.TASK_QUEUE));
      const start = await startNow(deps, workflowId);
      const pending = start !== undefined && !start.startedAt;
      return reply(pending ? 202 : created ? 201 : 200, {
        workflowId,
        caseNumber: row.case_number,
        unit: row.unit_code,
        title: row.title,
        openedAt: new Date(row.opened_at).toISOString(),
        status: row.status,
        ...(pending ? { start: startPendingBody(start) } : {}),
      });
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/cases/:caseNumber',
      tag: 'cases',
      summary: "A case file's state (from the projection the workflow keeps in Postgres)",
      roles: [],
      params: z.object({ caseNumber: caseNumberSchema }),
      query: z.object({ unit: z.string().optional() }),
    },
    async ({ params, query, principal, deps }) => {
      const unit = query.unit ?? principal.unit;
      await unitVisibleOr404(deps.pool, principal, unit, `case ${params.caseNumber}`);
      return caseState(await loadCase(deps, unit, params.caseNumber));
    },
  );
}

const sha256Hex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, '64 hexadecimal digits')
  .transform((v) => v.toLowerCase());
const caseParams = z.object({ caseNumber: caseNumberSchema });
const avParams = z.object({ caseNumber: caseNumberSchema, id: z.coerce.number().int().min(1) });

/** The case's workflow ID, from the system of record; 404 when the unit has no such case. */
export async function caseWorkflowId(deps: Pick<ApiDeps, 'pool'>, unit: string, caseNumber: string): Promise<string> {
  const { rows } = await deps.pool.query<{ workflow_id: string }>('SELECT workflow_id FROM cases WHERE unit_code = $1 AND case_number = $2', [unit, caseNumber]);
  if (!rows[0]) throw notFound(`case ${caseNumber}`);
  return rows[0].workflow_id;
}

/** The target of every case action: the caller's own unit's case, started; an archived case refuses. */
async function caseTarget({ params, principal, deps, idempotent }: { params: { caseNumber: string }; principal: Principal; deps: ApiDeps; idempotent: boolean }) {
  const row = await loadCase(deps, principal.unit, params.caseNumber);
  if (row.status === 'archived' && !idempotent) throw archived(row);
  await requireStarted(deps, row.workflow_id);
  return { workflowId: row.workflow_id, row };
}
const archived = (row: CaseRow) => conflict(`the case file ${row.workflow_id} is closed (archived)`, { rule: 'process_ended', basis: null, status: row.status });

/** 第八条, 第三十二条 of 本政办发〔2019〕33号: approval of an urgent start, AV records, archiving. */
export function caseRecordingRoutes(routes: Routes): void {
  type Target = Awaited<ReturnType<typeof caseTarget>>;
  const by = ({ principal }: { principal: Principal }) => principal.personId;
  addActions(
    routes,
    {
      tag: 'cases',
      base: '/api/cases/:caseNumber',
      params: caseParams,
      target: caseTarget,
      onError: (err, target) => (isGone(err) && (target.row.status === 'archived' || target.row.view?.status === 'archived') ? archived(target.row) : undefined),
    },
    [
      action({
        name: 'urgent-approval',
        path: '/urgent-approval',
        summary: "The head's approval of an urgently started case (补报批准, within 24 hours of the start)",
        roles: ['head'],
        body: z.object({ note: z.string().trim().max(2000).optional() }).default({}),
        update: approveUrgentStartUpdate,
        arg: (c) => ({ by: by(c), note: c.body.note }),
        responses: { 409: { description: 'not urgent, already approved, or archived' } },
      }),
      action({
        name: 'av-record',
        path: '/av-records',
        summary: 'Register an audio-video record; it must be stored in the system within 24 hours of being made (or of returning from field work)',
        roles: ['handler'],
        body: z.object({
          ref: z.string().trim().min(1).max(200),
          madeAt: legalInstant,
          returnedAt: legalInstant.optional(),
          sha256: sha256Hex.optional(),
          stage: z.enum(RECORD_STAGES).default('investigation'),
        }),
        update: registerAvRecordUpdate,
        arg: (c) => ({ ...c.body, by: by(c) }),
        present: ({ created, ...av }) => reply(created ? 201 : 200, av),
        responses: { 201: { description: 'registered; its clock runs' }, 200: { description: 'already registered (same ref and times)' } },
      }),
      action({
        name: 'av-stored',
        path: '/av-records/:id/stored',
        summary: 'The audio-video record has been stored in the enforcement information system (its clock stops)',
        roles: ['handler'],
        params: avParams,
        body: z.object({ sha256: sha256Hex.optional() }).default({}),
        update: markAvRecordStoredUpdate,
        arg: (c) => ({ n: c.params.id as number, sha256: c.body.sha256, by: by(c) }),
        responses: { 409: { description: 'unknown, already stored, or hash differs from the registered one' } },
      }),
      action({
        name: 'enforcement-ended',
        path: '/enforcement-ended',
        summary: 'The enforcement action has ended (行政执法行为终结); the file must be archived within 30 days',
        roles: ['handler'],
        body: z.object({ endedAt: legalInstant, note: z.string().trim().max(2000).optional() }),
        update: enforcementEndedUpdate,
        arg: (c) => ({ ...c.body, by: by(c) }),
      }),
      action({
        name: 'archive',
        path: '/archive',
        summary: 'Archive the case file (归档); refused while an audio-video record is unstored or an urgent start unapproved',
        roles: ['handler'],
        update: archiveCaseUpdate,
        arg: (c) => ({ by: by(c) }),
      }),
    ] satisfies Array<ActionSpec<any, any, any, Target>>,
  );

  routes.add(
    { method: 'get', path: '/api/cases/:caseNumber/av-records', tag: 'cases', summary: "A case's audio-video records (from the case file's projection)", roles: [], params: caseParams, query: z.object({ unit: z.string().optional() }) },
    async ({ params, query, principal, deps }) => {
      const unit = query.unit ?? principal.unit;
      await unitVisibleOr404(deps.pool, principal, unit, `case ${params.caseNumber}`);
      return caseState(await loadCase(deps, unit, params.caseNumber)).avRecords;
    },
  );

  routes.add(
    { method: 'get', path: '/api/cases/:caseNumber/av-records/:id', tag: 'cases', summary: 'One audio-video record with its 24-hour clock (from the projection)', roles: [], params: avParams, query: z.object({ unit: z.string().optional() }) },
    async ({ params, query, principal, deps }) => {
      const unit = query.unit ?? principal.unit;
      await unitVisibleOr404(deps.pool, principal, unit, `case ${params.caseNumber}`);
      const av = caseState(await loadCase(deps, unit, params.caseNumber)).avRecords.find((r) => r.n === params.id);
      if (!av) throw notFound(`audio-video record #${params.id} of case ${params.caseNumber}`);
      return av;
    },
  );
}
