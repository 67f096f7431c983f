import { z } from 'zod';
import { DECISION_KINDS } from '../../domain/review-rules';
import { inTransaction } from '../../infra/db';
import { catalogueHistory, currentCatalogue, setCatalogue } from '../../infra/review-catalogue';
import { forbidden, notFound } from '../errors';
import { reply, type Routes } from '../route';
import { assertCanSee, visibleUnits } from '../scope';
import { reviewStaffing } from '../../infra/review-staffing';

export { reviewStaffing, STAFFING_RATIO } from '../../infra/review-staffing';

const unitParams = z.object({ code: z.string().trim().min(1).max(100) });

const unitSchema = z.object({
  code: z.string(),
  name: z.string(),
  shortName: z.string(),
  kind: z.string(),
  parentCode: z.string().nullable(),
  supervisorCode: z.string().nullable(),
});

export function unitRoutes(routes: Routes): void {
  routes.add(
    { method: 'get', path: '/api/me', tag: 'units', summary: 'Who the token says I am, and the units I can see', roles: [] },
    async ({ principal, deps }) => ({ ...principal, visibleUnits: await visibleUnits(deps.pool, principal) }),
  );

  routes.add(
    {
      method: 'get',
      path: '/api/units',
      tag: 'units',
      summary: 'All units with their parent and supervising unit',
      roles: [],
      responses: { 200: { description: 'units', schema: z.array(unitSchema) } },
    },
    async ({ deps }) => {
      const { rows } = await deps.pool.query(
        `SELECT code, name, short_name AS "shortName", kind, parent_code AS "parentCode", supervisor_code AS "supervisorCode" FROM units ORDER BY code`,
      );
      return rows;
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/units/:code/review-catalogue',
      tag: 'units',
      summary: "The unit's 重大行政执法决定法制审核目录清单 (第十八条): the current version and every earlier one",
      roles: [],
      params: unitParams,
    },
    async ({ params, principal, deps }) => {
      await assertCanSee(deps.pool, principal, params.code);
      return { unit: params.code, current: await currentCatalogue(deps.pool, params.code), history: await catalogueHistory(deps.pool, params.code) };
    },
  );

  routes.add(
    {
      method: 'put',
      path: '/api/units/:code/review-catalogue',
      tag: 'units',
      summary: "Publish a new version of the unit's catalogue (第十八条); earlier versions are kept",
      roles: ['head', 'legal_office_lead'],
      params: unitParams,
      body: z.object({
        items: z.array(z.object({ decisionKind: z.enum(DECISION_KINDS), matter: z.string().trim().min(1).max(200).optional(), description: z.string().trim().min(1).max(500) })).max(500),
        note: z.string().trim().min(1).max(2000),
      }),
      responses: { 201: { description: 'the new version' } },
    },
    async ({ params, body, principal, deps }) => {
      if (params.code !== principal.unit) throw forbidden('only the unit itself keeps its catalogue');
      const saved = await inTransaction(deps.pool, (tx) => setCatalogue(tx, params.code, body.items, body.note, principal.personId));
      return reply(201, saved);
    },
  );

  routes.add(
    {
      method: 'put',
      path: '/api/units/:code/enforcement-officers',
      tag: 'units',
      summary: 'Report the number of enforcement officers (the staffing target counts against it)',
      roles: ['head', 'admin'],
      params: unitParams,
      body: z.object({ count: z.number().int().min(0).max(1_000_000) }),
    },
    async ({ params, body, principal, deps }) => {
      if (params.code !== principal.unit && !principal.roles.includes('admin')) throw forbidden('only the unit itself (or an admin) reports its officers');
      const { rowCount } = await deps.pool.query('UPDATE units SET enforcement_officers = $2, enforcement_officers_set_by = $3, enforcement_officers_set_at = now() WHERE code = $1', [
        params.code,
        body.count,
        principal.personId,
      ]);
      if (!rowCount) throw notFound(`unit ${params.code}`);
      return reviewStaffing(deps.pool, params.code);
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/units/:code/review-staffing',
      tag: 'units',
      summary: 'Qualified reviewers against the target of 5% of the enforcement officers (本政办发〔2019〕27号)',
      roles: [],
      params: unitParams,
    },
    async ({ params, principal, deps }) => {
      await assertCanSee(deps.pool, principal, params.code);
      const staffing = await reviewStaffing(deps.pool, params.code);
      if (!staffing) throw notFound(`unit ${params.code}`);
      return staffing;
    },
  );
}
