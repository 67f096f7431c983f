import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import { RECORD_STAGES } from '../../infra/case-record-store';
import { startOnce } from '../../infra/start-workflow';
import { avRecordClockQuery } from '../../workflows/av-record';
import {
  approveUrgentStartUpdate,
  archiveCaseUpdate,
  caseFileWorkflow,
  caseFileStateQuery,
  caseFileWorkflowId,
  enforcementEndedUpdate,
  markAvRecordStoredUpdate,
  registerAvRecordUpdate,
} from '../../workflows/case-file';
import type { ApiDeps } from '../deps';
import { conflict, notFound } from '../errors';
import { reply, type Routes } from '../route';
import { assertCanSee } from '../scope';
import { legalInstant } from '../schemas';

export const caseNumberSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N}〔〕()（）[\]_.\-]+$/u, 'letters, digits and 〔〕()[]_.- only');

const openCaseBody = z.object({
  caseNumber: caseNumberSchema,
  title: z.string().trim().min(1).max(200),
  urgent: z.boolean().default(false),
  openedAt: legalInstant.optional(),
});

export function caseRoutes(routes: Routes): void {
  routes.add(
    {
      method: 'post',
      path: '/api/cases',
      tag: 'cases',
      summary: 'Open a case file (立案); the same unit+caseNumber again answers the existing case',
      roles: ['handler'],
      body: openCaseBody,
      responses: { 201: { description: 'opened' }, 200: { description: 'already open' } },
    },
    async ({ body, principal, deps }) => {
      const workflowId = caseFileWorkflowId(principal.unit, body.caseNumber);
      const openedAt = body.openedAt ?? new Date().toISOString();
      // The row first: an accepted case is never lost, even if Temporal is briefly down.
      await deps.pool.query(
        `INSERT INTO cases (unit_code, case_number, title, urgent, opened_by, opened_at, workflow_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (unit_code, case_number) DO NOTHING`,
        [principal.unit, body.caseNumber, body.title, body.urgent, principal.personId, openedAt, workflowId],
      );
      const { created } = await startOnce(deps.temporal, caseFileWorkflow, {
        workflowId,
        taskQueue: deps.config.TASK_QUEUE,
        args: [{ unit: principal.unit, caseNumber: body.caseNumber, title: body.title, urgent: body.urgent, openedBy: principal.personId, openedAt }],
        staticSummary: `案件 ${body.caseNumber} ${body.title}`,
      });
      return reply(created ? 201 : 200, { workflowId, caseNumber: body.caseNumber, unit: principal.unit });
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/cases/:caseNumber',
      tag: 'cases',
      summary: "A case file's state",
      roles: [],
      params: z.object({ caseNumber: caseNumberSchema }),
      query: z.object({ unit: z.string().optional() }),
    },
    async ({ params, query, principal, deps }) => {
      const unit = query.unit ?? principal.unit;
      await assertCanSee(deps.pool, principal, unit, `case ${params.caseNumber}`);
      const { rows } = await deps.pool.query('SELECT workflow_id FROM cases WHERE unit_code = $1 AND case_number = $2', [unit, params.caseNumber]);
      if (!rows[0]) throw notFound(`case ${params.caseNumber}`);
      return deps.temporal.workflow.getHandle(rows[0].workflow_id).query(caseFileStateQuery);
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

/**
 * Runs a case-file Update. A validator's refusal (never written to history) becomes 409 with its
 * reason; so does an action on a case whose workflow has ended (archived).
 */
async function caseUpdate<Ret, Arg>(temporal: Client, workflowId: string, update: UpdateDefinition<Ret, [Arg]>, arg: Arg): Promise<Ret> {
  try {
    return await temporal.workflow.getHandle(workflowId).executeUpdate(update, { args: [arg] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw conflict(err.cause?.message ?? err.message);
    if (err instanceof WorkflowNotFoundError) throw conflict(`the case file ${workflowId} is closed (archived)`);
    throw err;
  }
}

/** 第八条, 第三十二条 of 本政办发〔2019〕33号: approval of an urgent start, AV records, archiving. */
export function caseRecordingRoutes(routes: Routes): void {
  routes.add(
    {
      method: 'post',
      path: '/api/cases/:caseNumber/urgent-approval',
      tag: 'cases',
      summary: "The head's approval of an urgently started case (补报批准, within 24 hours of the start)",
      roles: ['head'],
      params: caseParams,
      body: z.object({ note: z.string().trim().max(2000).optional() }).default({}),
      responses: { 200: { description: 'approved' }, 409: { description: 'not urgent, already approved, or archived' } },
    },
    async ({ params, body, principal, deps }) => {
      const workflowId = await caseWorkflowId(deps, principal.unit, params.caseNumber);
      return caseUpdate(deps.temporal, workflowId, approveUrgentStartUpdate, { by: principal.personId, at: new Date().toISOString(), note: body.note });
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/cases/:caseNumber/av-records',
      tag: 'cases',
      summary: 'Register an audio-video record; it must be stored in the system within 24 hours of being made (or of returning from field work)',
      roles: ['handler'],
      params: caseParams,
      body: z.object({
        ref: z.string().trim().min(1).max(200),
        madeAt: legalInstant,
        returnedAt: legalInstant.optional(),
        sha256: sha256Hex.optional(),
        stage: z.enum(RECORD_STAGES).default('investigation'),
      }),
      responses: { 201: { description: 'registered; its clock runs' }, 200: { description: 'already registered (same ref and times)' }, 409: { description: 'refused' } },
    },
    async ({ params, body, principal, deps }) => {
      const workflowId = await caseWorkflowId(deps, principal.unit, params.caseNumber);
      const at = new Date().toISOString();
      const av = await caseUpdate(deps.temporal, workflowId, registerAvRecordUpdate, { ...body, by: principal.personId, at });
      return reply(av.registeredAt === at && av.registeredBy === principal.personId ? 201 : 200, av);
    },
  );

  routes.add(
    { method: 'get', path: '/api/cases/:caseNumber/av-records', tag: 'cases', summary: "A case's audio-video records", roles: [], params: caseParams, query: z.object({ unit: z.string().optional() }) },
    async ({ params, query, principal, deps }) => {
      const unit = query.unit ?? principal.unit;
      await assertCanSee(deps.pool, principal, unit, `case ${params.caseNumber}`);
      const workflowId = await caseWorkflowId(deps, unit, params.caseNumber);
      return (await deps.temporal.workflow.getHandle(workflowId).query(caseFileStateQuery)).avRecords;
    },
  );

  routes.add(
    { method: 'get', path: '/api/cases/:caseNumber/av-records/:id', tag: 'cases', summary: 'One audio-video record with its 24-hour clock', roles: [], params: avParams, query: z.object({ unit: z.string().optional() }) },
    async ({ params, query, principal, deps }) => {
      const unit = query.unit ?? principal.unit;
      await assertCanSee(deps.pool, principal, unit, `case ${params.caseNumber}`);
      const workflowId = await caseWorkflowId(deps, unit, params.caseNumber);
      const av = (await deps.temporal.workflow.getHandle(workflowId).query(caseFileStateQuery)).avRecords.find((r) => r.n === params.id);
      if (!av) throw notFound(`audio-video record #${params.id} of case ${params.caseNumber}`);
      const clock = await deps.temporal.workflow.getHandle(av.workflowId).query(avRecordClockQuery);
      return { ...av, deadline: clock.deadline, basis: clock.basis, level: clock.level, escalations: clock.escalations };
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/cases/:caseNumber/av-records/:id/stored',
      tag: 'cases',
      summary: 'The audio-video record has been stored in the enforcement information system (its clock stops)',
      roles: ['handler'],
      params: avParams,
      body: z.object({ sha256: sha256Hex.optional() }).default({}),
      responses: { 200: { description: 'stored' }, 409: { description: 'unknown, already stored, or hash differs from the registered one' } },
    },
    async ({ params, body, principal, deps }) => {
      const workflowId = await caseWorkflowId(deps, principal.unit, params.caseNumber);
      return caseUpdate(deps.temporal, workflowId, markAvRecordStoredUpdate, { n: params.id, sha256: body.sha256, by: principal.personId, at: new Date().toISOString() });
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/cases/:caseNumber/enforcement-ended',
      tag: 'cases',
      summary: 'The enforcement action has ended (行政执法行为终结); the file must be archived within 30 days',
      roles: ['handler'],
      params: caseParams,
      body: z.object({ endedAt: legalInstant, note: z.string().trim().max(2000).optional() }),
      responses: { 200: { description: 'recorded; the archive deadline runs' }, 409: { description: 'refused' } },
    },
    async ({ params, body, principal, deps }) => {
      const workflowId = await caseWorkflowId(deps, principal.unit, params.caseNumber);
      const state = await caseUpdate(deps.temporal, workflowId, enforcementEndedUpdate, { ...body, by: principal.personId, at: new Date().toISOString() });
      await deps.pool.query('UPDATE cases SET status = $3 WHERE unit_code = $1 AND case_number = $2', [principal.unit, params.caseNumber, state.status]);
      return state;
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/cases/:caseNumber/archive',
      tag: 'cases',
      summary: 'Archive the case file (归档); refused while an audio-video record is unstored or an urgent start unapproved',
      roles: ['handler'],
      params: caseParams,
      responses: { 200: { description: 'archived' }, 409: { description: 'refused' } },
    },
    async ({ params, principal, deps }) => {
      const workflowId = await caseWorkflowId(deps, principal.unit, params.caseNumber);
      const state = await caseUpdate(deps.temporal, workflowId, archiveCaseUpdate, { by: principal.personId, at: new Date().toISOString() });
      await deps.pool.query('UPDATE cases SET status = $3 WHERE unit_code = $1 AND case_number = $2', [principal.unit, params.caseNumber, state.status]);
      return state;
    },
  );
}
