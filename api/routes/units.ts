import { z } from 'zod';
import type { Routes } from '../route';
import { visibleUnits } from '../scope';

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
}
