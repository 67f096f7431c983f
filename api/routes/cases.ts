import { z } from 'zod';
import { startOnce } from '../../infra/start-workflow';
import { caseFileWorkflow, caseFileStateQuery, caseFileWorkflowId } from '../../workflows/case-file';
import { notFound } from '../errors';
import { reply, type Routes } from '../route';
import { assertCanSee } from '../scope';

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
  openedAt: z.iso.datetime({ offset: true }).optional(),
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
