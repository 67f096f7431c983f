import { z } from 'zod';
import { validateYearArrangement } from '../../domain/calendar';
import { addDays, daysBetween } from '../../domain/dates';
import { CalendarStore, calendarHistory } from '../../infra/calendar-store';
import { enqueueProcessStart } from '../../infra/process-starts';
import { calendarPublicationWorkflow, calendarPublicationWorkflowId, type CalendarPublicationInput } from '../../workflows/calendar-publication';
import { badRequest, notFound, ValidationError } from '../errors';
import { startNow } from '../process-start';
import { reply, type Routes } from '../route';
import { isoDate } from '../schemas';

const specialDay = z.object({ date: isoDate, name: z.string().trim().min(1, 'a name is required') });
const yearParam = z.object({ year: z.coerce.number().int().min(1900).max(2200) });
const MAX_RANGE_DAYS = 731;

export function calendarRoutes(routes: Routes): void {
  const storeOf = (() => {
    let store: CalendarStore | undefined;
    return (pool: ConstructorParameters<typeof CalendarStore>[0]) => (store ??= new CalendarStore(pool));
  })();

  routes.add(
    {
      method: 'put',
      path: '/api/calendar/years/:year',
      tag: 'calendar',
      summary:
        "Publish (or correct) a year's holidays and adjusted working days from the State Council notice (calendar_admin: a national or city-level role, not a unit's admin). Each publication is a recorded, immutable version (id, revision, SHA-256 of the content, who, when, the notice it rests on) kept in the year's history with what changed; running deadlines that may depend on the year are re-timed from exactly that version. The same arrangement on the same notice again records nothing (200, unchanged).",
      roles: ['calendar_admin'],
      scope: 'any-unit',
      params: yearParam,
      body: z.object({
        holidays: z.array(specialDay),
        workdays: z.array(specialDay),
        notice: z.string().trim().min(1, 'the basis document (e.g. 国办发明电〔2026〕7号) is required').max(500),
      }),
      responses: { 200: { description: 'replaced (or unchanged: the same version again)' }, 201: { description: 'published' } },
    },
    async ({ params, body, principal, deps }) => {
      const checked = validateYearArrangement({ year: params.year, holidays: body.holidays, workdays: body.workdays });
      if (!checked.ok) throw new ValidationError(checked.issues.map((i) => ({ path: i.path ? `body.${i.path}` : 'body', message: i.message })));
      const store = storeOf(deps.pool);
      // The version and the start of its re-timing workflow in one transaction: a publication whose
      // start fails (Temporal away) is re-timed later by the reconciler, never forgotten.
      const published = await store.publish(checked.value, `${principal.unit}/${principal.personId}`, body.notice, async (tx, version) => {
        const { publishedAt, ...publication } = version;
        const workflowId = calendarPublicationWorkflowId(publication);
        const input: CalendarPublicationInput = { year: params.year, basisPublishedAt: publishedAt.toISOString(), publication };
        await enqueueProcessStart(tx, {
          workflowId,
          kind: 'calendar-publication',
          workflowType: calendarPublicationWorkflow.name,
          taskQueue: deps.config.TASK_QUEUE,
          // The recorded basis: the version (history row) every re-timed deadline is computed from.
          input,
          summary: `节假日安排 ${params.year} 年第 ${publication.revision} 版公布（日历版本 #${publication.publicationId}）：重算期限`,
        });
        return workflowId;
      });
      const stored = await store.year(params.year);
      const retiming = published.retimingWorkflowId ?? '';
      const start = published.unchanged || !retiming ? undefined : await startNow(deps, retiming);
      return reply(published.unchanged || published.replaced ? 200 : 201, {
        ...stored,
        historyId: published.historyId,
        publication: published.publication,
        unchanged: published.unchanged,
        retimingWorkflowId: published.retimingWorkflowId,
        retimingStarted: published.unchanged ? undefined : Boolean(start?.startedAt),
      });
    },
  );

  routes.add(
    { method: 'get', path: '/api/calendar/years/:year/history', tag: 'calendar', summary: "A year's versions, oldest first: revision (0 = the bundled official data), content hash, who published, when, on which notice, what changed, and the re-timing it started", roles: [], scope: 'any-unit', params: yearParam },
    async ({ params, deps }) => calendarHistory(deps.pool, params.year),
  );

  routes.add(
    { method: 'get', path: '/api/calendar/years', tag: 'calendar', summary: 'Published years', roles: [] },
    async ({ deps }) => (await storeOf(deps.pool).years()).map(({ year, source, publishedBy, publishedAt }) => ({ year, source, publishedBy, publishedAt })),
  );

  routes.add(
    { method: 'get', path: '/api/calendar/years/:year', tag: 'calendar', summary: "A year's arrangement", roles: [], params: yearParam },
    async ({ params, deps }) => {
      const year = await storeOf(deps.pool).year(params.year);
      if (!year) throw notFound(`calendar year ${params.year} (not published: its days count as provisional, weekends only)`);
      return year;
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/calendar/days',
      tag: 'calendar',
      summary: `Each day from..to (inclusive, at most ${MAX_RANGE_DAYS} days) with its kind`,
      roles: [],
      query: z.object({ from: isoDate, to: isoDate }),
    },
    async ({ query, deps }) => {
      const span = daysBetween(query.from, query.to);
      if (span < 0) throw badRequest('invalid request', [{ path: 'query.to', message: 'must not be before from' }]);
      if (span >= MAX_RANGE_DAYS) throw badRequest('invalid request', [{ path: 'query.to', message: `at most ${MAX_RANGE_DAYS} days per request` }]);
      const calendar = await storeOf(deps.pool).calendar();
      return Array.from({ length: span + 1 }, (_, i) => calendar.dayInfo(addDays(query.from, i)));
    },
  );
}
