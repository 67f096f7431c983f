/**
 * Issue 14: re-timing from the recorded publication. Every publication of a year is an immutable
 * version (id, revision, content hash, who, when, notice); the calendarPublished notice names it, the
 * clock computes from exactly that version, says so in the record, and ignores a notice no newer than
 * what it has applied. Time-skipping server (no visibility there: the test sends the notices the
 * publication workflow would send; the dev-server path is test/calendar/calendar-api.test.ts).
 */
import { createHash } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCalendarActivities } from '../../activities/calendar';
import type { CalendarNotice, YearArrangement } from '../../domain/calendar';
import { endOfDayShanghai } from '../../domain/dates';
import { officialArrangements } from '../../domain/official-calendar';
import { CalendarStore } from '../../infra/calendar-store';
import { calendarPublishedSignal } from '../../workflows/kit/process';
import type { DeadlineSchedule } from '../../workflows/shared/deadline-types';
import { deadlineProbeWorkflow, doneSignal, eventsQuery, snapshotQuery } from '../fixtures/deadline-workflows';
import { startTimeSkippingWorker } from '../helpers/temporal';

type Probe = WorkflowHandle<typeof deadlineProbeWorkflow>;

/** The content hash recomputed independently of the SQL function (the canonical text of migration 0021). */
function contentHash(a: YearArrangement): string {
  const lines = [...a.holidays.map((d) => `holiday ${d.date} ${d.name}`), ...a.workdays.map((d) => `adjusted_workday ${d.date} ${d.name}`)].sort((x, y) =>
    Buffer.compare(Buffer.from(x), Buffer.from(y)),
  );
  return createHash('sha256').update([String(a.year), ...lines].join('\n'), 'utf8').digest('hex');
}

const y2027 = (...holidays: string[]): YearArrangement => ({
  year: 2027,
  holidays: holidays.map((date, i) => ({ date, name: i === 0 ? '元旦' : `测试假日${i}` })),
  workdays: [],
});

describe('calendar publications are versions; re-timing computes from the version it names (time-skipping)', () => {
  let bed: Awaited<ReturnType<typeof startTimeSkippingWorker>>;
  let env: TestWorkflowEnvironment;
  let store: CalendarStore;

  beforeAll(async () => {
    bed = await startTimeSkippingWorker({ prefix: 'calver', workflowsPath: require.resolve('../fixtures/deadline-workflows') });
    env = bed.env;
    store = new CalendarStore(bed.db.pool);
  });
  afterAll(async () => {
    await bed?.stop();
  });

  const publish = async (arrangement: YearArrangement, notice: string): Promise<CalendarNotice & { publicationId: number; revision: number }> => {
    const { publication } = await store.publish(arrangement, 'city/calendar-officer', notice);
    const { publishedAt: _, ...rest } = publication;
    return rest;
  };
  /** Polls (no workflow time passes) until the probe's events satisfy `until`. */
  const eventsWhen = async (handle: Probe, until: (events: string[]) => boolean): Promise<string[]> => {
    let events: string[] = [];
    for (let i = 0; i < 100; i++) {
      events = await handle.query(eventsQuery);
      if (until(events)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return events;
  };
  const changes = (events: string[]) => events.filter((e) => e.startsWith('changed'));

  it('the migration records every official year as revision 0 with its content hash; versions cannot be changed', async () => {
    const { rows } = await bed.db.pool.query(`SELECT year, revision, source, content_hash FROM calendar_year_history ORDER BY year`);
    const official = officialArrangements();
    expect(rows).toEqual(official.map((a) => ({ year: a.year, revision: 0, source: 'official', content_hash: contentHash(a) })));
    await expect(bed.db.pool.query(`UPDATE calendar_year_history SET notice = 'x' WHERE year = 2025`)).rejects.toThrow(/append-only|refused/);
    await expect(bed.db.pool.query(`TRUNCATE calendar_year_history`)).rejects.toThrow(/refused/);
  });

  it('re-times a running deadline from the named publication, again on a corrected one (new generation, the record names the version), and ignores stale or duplicate notices', async () => {
    const request = { from: '2026-12-28T02:00:00Z', steps: [{ statute: 'legalReview' }] };
    const handle = await env.client.workflow.start(deadlineProbeWorkflow, { taskQueue: bed.taskQueue, workflowId: `versions-${bed.taskQueue}`, args: [request] });
    await eventsWhen(handle, (e) => e.length > 0);

    // Provisional: the deadline records the version it was computed from and that 2027 was unpublished.
    const first = (await handle.query(snapshotQuery)).schedule!;
    expect(first).toMatchObject({ lastDay: '2027-01-06', provisional: true });
    expect(first.calendar!.unpublished).toEqual([2027]);
    expect(first.calendar!.years.map((y) => [y.year, y.revision])).toEqual([[2026, 0]]);
    expect(first.basis).toContain('2027 年节假日安排未公布');
    expect((await handle.describe()).searchAttributes.DeadlineProvisional).toEqual([true]);

    // Version 1 of 2027: one re-timing, from exactly that version.
    const v1 = await publish(y2027('2027-01-01', '2027-01-04'), '国办发明电〔2026〕1号（测试）');
    expect(v1).toMatchObject({ year: 2027, revision: 1, contentHash: contentHash(y2027('2027-01-01', '2027-01-04')) });
    await handle.signal(calendarPublishedSignal, v1);
    let events = await eventsWhen(handle, (e) => changes(e).length === 1);
    expect(changes(events)).toEqual([expect.stringMatching(new RegExp(`^changed 2027-01-06->2027-01-08 provisional=false \\(.*2027.*第 1 版.*#${v1.publicationId}.*\\) g2:changed$`))]);
    let snapshot = await handle.query(snapshotQuery);
    expect(snapshot.generation).toBe(2);
    expect(snapshot.schedule!.calendar).toEqual({
      asOf: v1.publicationId,
      years: [expect.objectContaining({ year: 2026, revision: 0 }), { ...v1, notice: v1.notice }],
      unpublished: [],
    });
    expect(snapshot.schedule!.basis).toContain(`日历版本 #${v1.publicationId}：2027 年第 1 版（国办发明电〔2026〕1号（测试））`);
    let sa = (await handle.describe()).searchAttributes;
    expect(sa.DeadlineProvisional).toEqual([false]);

    // Two corrections are published before the workflow hears of the first (concurrent publications):
    // the notice of version 2 re-times from version 2, not from the later version 3.
    const v2 = await publish(y2027('2027-01-01', '2027-01-04', '2027-01-05'), '国办发明电〔2026〕2号（测试）');
    const v3 = await publish(y2027('2027-01-01', '2027-01-04', '2027-01-05', '2027-01-06'), '国办发明电〔2026〕3号（测试）');
    expect([v2.revision, v3.revision]).toEqual([2, 3]);
    expect(v3.publicationId).toBeGreaterThan(v2.publicationId);
    await handle.signal(calendarPublishedSignal, v2);
    events = await eventsWhen(handle, (e) => changes(e).length === 2);
    expect(changes(events)[1]).toMatch(new RegExp(`^changed 2027-01-08->2027-01-11 provisional=false \\(.*第 2 版.*#${v2.publicationId}.*\\) g3:changed$`));
    const computedFromV2: DeadlineSchedule = (await handle.query(snapshotQuery)).schedule!;
    expect(computedFromV2.calendar!.asOf).toBe(v2.publicationId);
    expect(computedFromV2.calendar!.years.find((y) => y.year === 2027)).toMatchObject({ revision: 2, contentHash: v2.contentHash });

    // Retrying (or replaying) that re-timing computes the same, although version 3 exists now.
    const activities = createCalendarActivities({ pool: bed.db.pool });
    expect(await activities.computeLegalDeadline(request, { asOf: v2.publicationId })).toEqual(computedFromV2);
    expect((await activities.computeLegalDeadline(request)).lastDay).toBe('2027-01-12');

    await handle.signal(calendarPublishedSignal, v3);
    events = await eventsWhen(handle, (e) => changes(e).length === 3);
    expect(changes(events)[2]).toMatch(new RegExp(`^changed 2027-01-11->2027-01-12 provisional=false \\(.*第 3 版.*#${v3.publicationId}.*\\) g4:changed$`));

    // Stale (v1, v2), duplicate (v3) and unrelated (2030) notices, and a notice from before versions: nothing moves.
    const y2030 = await publish({ year: 2030, holidays: [{ date: '2030-01-01', name: '元旦' }], workdays: [] }, '国办发明电〔2029〕1号（测试）');
    for (const notice of [v1, v2, v3, y2030, { year: 2027 }]) await handle.signal(calendarPublishedSignal, notice);
    await handle.signal(doneSignal);
    const all = await handle.result();
    expect(changes(all)).toHaveLength(3);
    snapshot = await handle.query(snapshotQuery);
    expect(snapshot.generation).toBe(4);
    expect(snapshot.schedule!.calendar!.asOf).toBe(v3.publicationId);
    expect(snapshot.schedule!.lastDay).toBe('2027-01-12');
    sa = (await handle.describe()).searchAttributes;
    expect(all.at(-1)).toBe('end level=none');
    expect(sa.Deadline).toEqual([new Date(endOfDayShanghai('2027-01-12'))]);
  });

  it('publishing the same arrangement on the same notice again records no new version', async () => {
    const arrangement = { year: 2031, holidays: [{ date: '2031-01-01', name: '元旦' }], workdays: [] };
    const first = await store.publish(arrangement, 'city/a', '国办发明电〔2030〕1号（测试）');
    const again = await store.publish(arrangement, 'city/b', '国办发明电〔2030〕1号（测试）');
    expect(again).toMatchObject({ unchanged: true, historyId: first.historyId, publication: { revision: 1, contentHash: first.publication.contentHash } });
    const otherNotice = await store.publish(arrangement, 'city/b', '国办发明电〔2030〕2号（测试）');
    expect(otherNotice).toMatchObject({ unchanged: false, publication: { revision: 2, contentHash: first.publication.contentHash } });
  });
});
