/**
 * Annual statistics (锦政办发〔2019〕23号 (一)4(5); 潞州 plan 二): computed per unit from the system's
 * own data, checked and published by the unit, shown on the portal with charts.
 */
import { z } from 'zod';
import { computeAnnualFigures, publicUnit, publishedStatistics, publishStatistics } from '../../infra/portal-store';
import { notFound } from '../errors';
import { reply, type Routes } from '../route';
import { assertCanSee, assertUnitExists } from '../scope';

const params = z.object({ code: z.string().trim().min(1).max(100), year: z.coerce.number().int().min(2000).max(2100) });

export function statisticsRoutes(routes: Routes): void {
  routes.add(
    { method: 'get', path: '/api/units/:code/statistics/:year', tag: 'units', summary: "The unit's figures for the year, computed now from the system's data", roles: [], params },
    async ({ params, principal, deps }) => {
      await assertUnitExists(deps.pool, params.code);
      await assertCanSee(deps.pool, principal, params.code, `unit ${params.code}`);
      const published = (await publishedStatistics(deps.pool, params.code)).find((s) => s.year === params.year);
      return { ...(await computeAnnualFigures(deps.pool, params.code, params.year)), publishedAt: published?.publishedAt ?? null };
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/units/:code/statistics/:year/publish',
      tag: 'units',
      summary: 'The unit checked the figures: they are computed again and published on the portal (by 31 January)',
      roles: ['admin', 'publisher'],
      params,
    },
    async ({ params, principal, deps }) => {
      await assertUnitExists(deps.pool, params.code);
      await assertCanSee(deps.pool, principal, params.code, `unit ${params.code}`);
      const figures = await computeAnnualFigures(deps.pool, params.code, params.year);
      return reply(201, await publishStatistics(deps.pool, figures, principal.personId));
    },
  );

  routes.add(
    { method: 'get', path: '/public/units/:code/statistics', tag: 'public', summary: "A unit's published annual statistics (no login)", params: z.object({ code: z.string().max(100) }) },
    async ({ params, deps }) => {
      if (!(await publicUnit(deps.pool, params.code))) throw notFound(`unit ${params.code}`);
      return publishedStatistics(deps.pool, params.code);
    },
  );
}
