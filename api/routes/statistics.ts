/**
 * Annual statistics (锦政办发〔2019〕23号 (一)4(5); 潞州 plan 二): computed per unit from the system's
 * own data, checked and published by the unit, shown on the portal with charts.
 */
import { z } from 'zod';
import { computeAnnualFigures, publicUnit, publishedStatistics, publishStatistics } from '../../infra/portal-store';
import { publishStatisticsUpdate } from '../../workflows/statistics-messages';
import { IDEMPOTENCY_KEY_HEADER } from '../actions';
import type { ApiDeps } from '../deps';
import { mapTemporalError, notFound } from '../errors';
import { isGone } from '../process-start';
import { reply, type Routes } from '../route';
import { assertCanSee, assertUnitExists } from '../scope';

interface TaskRow {
  workflow_id: string;
  status: string;
  deadline: Date | null;
  last_day: string | null;
  warning_level: string;
  overdue: boolean;
  escalations: number;
  published_at: Date | null;
  published_late: boolean | null;
  sent_to: string[];
}

/** The 1 January task for the unit and year (statisticsTaskWorkflow), if one was started. */
async function taskOf(deps: ApiDeps, unit: string, year: number): Promise<TaskRow | undefined> {
  const { rows } = await deps.pool.query<TaskRow>(`SELECT *, to_char(last_day, 'YYYY-MM-DD') AS last_day FROM statistics_tasks WHERE unit_code = $1 AND year = $2`, [unit, year]);
  return rows[0];
}

const presentTask = (t: TaskRow | undefined) =>
  t
    ? {
        workflowId: t.workflow_id,
        status: t.status,
        deadline: t.deadline?.toISOString() ?? null,
        lastDay: t.last_day,
        warningLevel: t.warning_level,
        overdue: t.overdue,
        escalations: t.escalations,
        publishedAt: t.published_at?.toISOString() ?? null,
        publishedLate: t.published_late,
        sentTo: t.sent_to,
      }
    : null;

const params = z.object({ code: z.string().trim().min(1).max(100), year: z.coerce.number().int().min(2000).max(2100) });

export function statisticsRoutes(routes: Routes): void {
  routes.add(
    { method: 'get', path: '/api/units/:code/statistics/:year', tag: 'units', summary: "The unit's figures for the year, computed now from the system's data", roles: [], params },
    async ({ params, principal, deps }) => {
      await assertUnitExists(deps.pool, params.code);
      await assertCanSee(deps.pool, principal, params.code);
      const published = (await publishedStatistics(deps.pool, params.code)).find((s) => s.year === params.year);
      return { ...(await computeAnnualFigures(deps.pool, params.code, params.year)), publishedAt: published?.publishedAt ?? null, task: presentTask(await taskOf(deps, params.code, params.year)) };
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
    async ({ params, principal, deps, req }) => {
      await assertUnitExists(deps.pool, params.code);
      await assertCanSee(deps.pool, principal, params.code);
      const task = await taskOf(deps, params.code, params.year);
      if (task?.status === 'pending') {
        // The year's task is open: its workflow publishes (stops the clock, sends the figures to the government and the superior department).
        const key = req.headers[IDEMPOTENCY_KEY_HEADER];
        try {
          await deps.temporal.workflow
            .getHandle(task.workflow_id)
            .executeUpdate(publishStatisticsUpdate, { args: [{ by: principal.personId, roles: principal.roles, unit: principal.unit }], ...(typeof key === 'string' && key ? { updateId: `statistics.publish:${key}` } : {}) });
          const published = (await publishedStatistics(deps.pool, params.code)).find((s) => s.year === params.year)!;
          return reply(201, { ...published, task: presentTask(await taskOf(deps, params.code, params.year)) });
        } catch (err) {
          if (!isGone(err)) throw mapTemporalError(err) ?? err;
        }
      }
      // No open task (an earlier year, or figures published again after the task): published directly.
      const figures = await computeAnnualFigures(deps.pool, params.code, params.year);
      return reply(201, { ...(await publishStatistics(deps.pool, figures, principal.personId)), task: presentTask(task) });
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
