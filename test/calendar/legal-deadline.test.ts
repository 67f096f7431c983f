import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { endOfDayShanghai, shanghaiDateOf } from '../../domain/dates';
import { computeDeadline, nextWorkingDayStart, warningSchedule } from '../../domain/periods';
import { officialCalendar } from '../../domain/official-calendar';
import { CalendarStore } from '../../infra/calendar-store';
import { calendarPublishedSignal } from '../../workflows/kit/process';
import { deadlineProbeWorkflow, doneSignal, eventsQuery, extendSignal, handOverSignal, snapshotQuery } from '../fixtures/deadline-workflows';
import { startTimeSkippingWorker } from '../helpers/temporal';

const HOUR = 3_600_000;

type Probe = WorkflowHandle<typeof deadlineProbeWorkflow>;

/** The instant a hook fired at (events read `<kind> <instant> <lastDay> <tag>`). */
const firedAt = (event: string) => Date.parse(event.split(' ')[1]!);
const kindsOf = (events: string[]) => events.map((e) => e.split(' ')[0]);

describe('LegalDeadline: the kit clock, "wait for a legal deadline with reminders" (time-skipping)', () => {
  let bed: Awaited<ReturnType<typeof startTimeSkippingWorker>>;
  let env: TestWorkflowEnvironment;
  let db: Awaited<ReturnType<typeof startTimeSkippingWorker>>['db'];
  let taskQueue: string;

  beforeAll(async () => {
    bed = await startTimeSkippingWorker({ prefix: 'deadline', workflowsPath: require.resolve('../fixtures/deadline-workflows') });
    ({ env, db, taskQueue } = bed);
  });
  afterAll(async () => {
    await bed?.stop();
  });

  /** Starts the probe and waits until its clock has computed the deadline. */
  const start = async (id: string, request: Parameters<typeof deadlineProbeWorkflow>[0]): Promise<Probe> => {
    const handle = await env.client.workflow.start(deadlineProbeWorkflow, { taskQueue, workflowId: `${id}-${taskQueue}`, args: [request] });
    for (let i = 0; i < 100 && (await handle.query(eventsQuery)).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    return handle;
  };
  /** Polls the probe's events (no time passes for the workflow meanwhile) until one satisfies `until`. */
  const eventsWhen = async (handle: Probe, until: (e: string) => boolean): Promise<string[]> => {
    let events: string[] = [];
    for (let i = 0; i < 100; i++) {
      try {
        events = await handle.query(eventsQuery);
        if (events.some(until)) break;
      } catch {
        // a run that has just continued as new answers once its first task is done
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return events;
  };
  const sleepUntil = async (instant: number) => env.sleep(instant - (await env.currentTimeMs()));
  const deadlineOf = (sa: Record<string, unknown>) => (sa.Deadline as Date[])[0]!.toISOString();

  it('goes yellow, then last day, then red with ONE escalation when the deadline passes; none on the following working days', async () => {
    const from = new Date(await env.currentTimeMs()).toISOString();
    const cal = officialCalendar();
    const expected = computeDeadline(cal, shanghaiDateOf(from), '7wd');
    const warnings = warningSchedule(cal, expected.lastDay);
    const handle = await start('escalate', { from, steps: [{ statute: 'legalReview' }] });

    let sa = (await handle.describe()).searchAttributes;
    expect(sa.WarningLevel).toEqual(['none']);
    expect(sa.Overdue).toEqual([false]);
    expect(sa.DeadlineProvisional).toEqual([false]);
    expect(deadlineOf(sa)).toBe(new Date(expected.deadline).toISOString());

    // Past the deadline and two more working-day mornings (the pre-kit clock escalated again at 09:00 on each).
    const overdueAt = Date.parse(expected.deadline) + 1000;
    const second = nextWorkingDayStart(cal, new Date(overdueAt).toISOString());
    const third = nextWorkingDayStart(cal, second.at);
    await sleepUntil(Date.parse(third.at) + 10 * HOUR);

    sa = (await handle.describe()).searchAttributes;
    expect(sa.WarningLevel).toEqual(['red']);
    expect(sa.Overdue).toEqual([true]);
    const events = await handle.query(eventsQuery);
    expect(kindsOf(events)).toEqual(['start', 'yellow', 'last_day', 'overdue']);
    const [, yellow, lastDay, overdue] = events as [string, string, string, string];
    expect(yellow.split(' ').slice(2)).toEqual([expected.lastDay, 'g1:yellow']);
    expect(lastDay.split(' ').slice(2)).toEqual([expected.lastDay, 'g1:last-day']);
    expect(overdue.split(' ').slice(2)).toEqual([expected.lastDay, 'g1:overdue']);
    expect(firedAt(yellow) - Date.parse(warnings.yellowFrom)).toBeGreaterThanOrEqual(0);
    expect(firedAt(yellow) - Date.parse(warnings.yellowFrom)).toBeLessThan(60_000);
    expect(shanghaiDateOf(new Date(firedAt(lastDay)).toISOString())).toBe(expected.lastDay);
    expect(firedAt(overdue)).toBeGreaterThanOrEqual(overdueAt);
    expect(firedAt(overdue) - overdueAt).toBeLessThan(60_000);

    await handle.signal(doneSignal);
    expect((await handle.result()).at(-1)).toBe('end level=red');
  });

  it('a deadline reaching an unpublished year is provisional, and moves when the year is published (the kit forwards calendarPublished)', async () => {
    // 7 working days from 2026-12-28 reach into 2027, which the bundled official data does not cover.
    const handle = await start('provisional', { from: '2026-12-28T02:00:00Z', steps: [{ statute: 'legalReview' }] });
    let events = await handle.query(eventsQuery);
    expect(events[0]).toContain('lastDay=2027-01-06');
    expect(events[0]).toContain('provisional=true');
    expect((await handle.describe()).searchAttributes.DeadlineProvisional).toEqual([true]);

    await new CalendarStore(db.pool).publish(
      {
        year: 2027,
        holidays: [{ date: '2027-01-01', name: '元旦' }, { date: '2027-01-04', name: '测试假日' }],
        workdays: [],
      },
      'test',
      null,
    );
    await handle.signal(calendarPublishedSignal, { year: 2027 });
    events = await eventsWhen(handle, (e) => e.startsWith('changed'));
    expect(events).toContainEqual(expect.stringMatching(/^changed 2027-01-06->2027-01-08 provisional=false \(.*2027.*\) g2:changed$/));
    const sa = (await handle.describe()).searchAttributes;
    expect(sa.DeadlineProvisional).toEqual([false]);
    expect(deadlineOf(sa)).toBe(new Date(endOfDayShanghai('2027-01-08')).toISOString());
    expect((await handle.query(snapshotQuery)).generation).toBe(2);
    // A second publication of a year the deadline no longer depends on changes nothing.
    await handle.signal(calendarPublishedSignal, { year: 2027 });
    await handle.signal(doneSignal);
    expect((await handle.result()).filter((e) => e.startsWith('changed'))).toHaveLength(1);
  });

  it('an extension re-times the clock: a new generation, red cleared, reminders re-armed and one new escalation', async () => {
    const from = new Date(await env.currentTimeMs()).toISOString();
    const request = { from, steps: [{ statute: 'legalReview' }] };
    const handle = await start('extend', request);
    const cal = officialCalendar();
    const first = computeDeadline(cal, shanghaiDateOf(from), '7wd');
    await sleepUntil(Date.parse(first.deadline) + 2 * HOUR);
    expect((await handle.describe()).searchAttributes.Overdue).toEqual([true]);
    expect(kindsOf(await handle.query(eventsQuery))).toEqual(['start', 'yellow', 'last_day', 'overdue']);

    await handle.signal(extendSignal, { ...request, steps: [{ statute: 'legalReview' }, { statute: 'legalReviewExtension' }] });
    const extended = computeDeadline(cal, first.lastDay, '3wd');
    const warnings = warningSchedule(cal, extended.lastDay);
    let events = await eventsWhen(handle, (e) => e.startsWith('retimed'));
    expect(events.at(-1)).toBe(`retimed ${first.lastDay}->${extended.lastDay} g2`);
    let sa = (await handle.describe()).searchAttributes;
    expect(sa.Overdue).toEqual([false]);
    expect(sa.WarningLevel).toEqual(['none']); // the new yellow lies ahead
    expect(deadlineOf(sa)).toBe(new Date(extended.deadline).toISOString());
    expect(await handle.query(snapshotQuery)).toMatchObject({ generation: 2, level: 'none', yellowSent: false, lastDaySent: false, overdueSent: false });

    // The re-armed reminders and the new escalation come, each once, under the new generation.
    await sleepUntil(Date.parse(extended.deadline) + 2 * HOUR);
    events = await handle.query(eventsQuery);
    const afterRetime = events.slice(events.findIndex((e) => e.startsWith('retimed')) + 1);
    expect(afterRetime.map((e) => [e.split(' ')[0], e.split(' ')[3]])).toEqual([
      ['yellow', 'g2:yellow'],
      ['last_day', 'g2:last-day'],
      ['overdue', 'g2:overdue'],
    ]);
    const [yellow, lastDay, overdue] = afterRetime as [string, string, string];
    expect(firedAt(yellow) - Date.parse(warnings.yellowFrom)).toBeGreaterThanOrEqual(0);
    expect(firedAt(yellow) - Date.parse(warnings.yellowFrom)).toBeLessThan(60_000);
    expect(shanghaiDateOf(new Date(firedAt(lastDay)).toISOString())).toBe(extended.lastDay);
    expect(firedAt(overdue)).toBeGreaterThan(Date.parse(extended.deadline));
    sa = (await handle.describe()).searchAttributes;
    expect(sa.WarningLevel).toEqual(['red']);
    expect(sa.Overdue).toEqual([true]);
    await handle.signal(doneSignal);
    expect((await handle.result()).at(-1)).toBe('end level=red');
  });

  it('snapshot() / restore() carry the clock across continue-as-new: same snapshot, attributes kept, no reminder twice', async () => {
    const from = new Date(await env.currentTimeMs()).toISOString();
    const handle = await start('handover', { from, steps: [{ statute: 'legalReview' }] });
    const fresh = await handle.query(snapshotQuery);
    expect(fresh).toMatchObject({ generation: 1, level: 'none', yellowSent: false, lastDaySent: false, overdueSent: false });
    const schedule = fresh.schedule!;

    // Into the yellow window, then the run hands over.
    await sleepUntil(Date.parse(schedule.yellowFrom) + HOUR);
    const before = await handle.query(snapshotQuery);
    expect(before).toMatchObject({ generation: 1, level: 'yellow', yellowSent: true, lastDaySent: false, overdueSent: false, schedule });
    const { runId: firstRunId } = await handle.describe();
    await handle.signal(handOverSignal);
    // The next run, addressed by its run id (the test server does not answer a query in the switch).
    let runId = firstRunId;
    for (let i = 0; i < 100 && runId === firstRunId; i++) {
      runId = (await handle.describe()).runId;
      if (runId === firstRunId) await new Promise((r) => setTimeout(r, 50));
    }
    expect(runId).not.toBe(firstRunId);
    const next: Probe = env.client.workflow.getHandle(handle.workflowId, runId);
    const events = await eventsWhen(next, (e) => e.startsWith('restored'));
    expect(events.at(-1)).toBe(`restored g1 lastDay=${schedule.lastDay} level=yellow`);
    const sa = (await next.describe()).searchAttributes;
    expect(await next.query(snapshotQuery)).toEqual(before);
    expect(sa.WarningLevel).toEqual(['yellow']);
    expect(sa.Overdue).toEqual([false]);
    expect(deadlineOf(sa)).toBe(new Date(schedule.deadline).toISOString());

    // The restored clock goes on where the old one stopped: last day and the escalation, yellow not again.
    await sleepUntil(Date.parse(schedule.deadline) + 2 * HOUR);
    const all = await next.query(eventsQuery);
    expect(all.map((e) => (e.startsWith('start') || e.startsWith('restored') ? e.split(' ')[0] : `${e.split(' ')[0]} ${e.split(' ')[3]}`))).toEqual([
      'start',
      'yellow g1:yellow',
      'restored',
      'last_day g1:last-day',
      'overdue g1:overdue',
    ]);
    expect((await next.describe()).searchAttributes.Overdue).toEqual([true]);
    await next.signal(doneSignal);
    expect((await handle.result()).at(-1)).toBe('end level=red');
  });
});
