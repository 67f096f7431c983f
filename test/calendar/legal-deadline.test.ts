import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { shanghaiDateOf } from '../../domain/dates';
import { computeDeadline, nextWorkingDayStart } from '../../domain/periods';
import { officialCalendar } from '../../domain/official-calendar';
import { CalendarStore } from '../../infra/calendar-store';
import { calendarPublishedSignal } from '../../workflows/kit/process';
import { deadlineProbeWorkflow, doneSignal, eventsQuery, extendSignal } from '../fixtures/deadline-workflows';
import { startTimeSkippingWorker } from '../helpers/temporal';

const HOUR = 3_600_000;

describe('LegalDeadline: the shared "wait for a legal deadline with reminders" clock (time-skipping)', () => {
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
  const start = async (id: string, request: Parameters<typeof deadlineProbeWorkflow>[0]) => {
    const handle = await env.client.workflow.start(deadlineProbeWorkflow, { taskQueue, workflowId: `${id}-${taskQueue}`, args: [request] });
    for (let i = 0; i < 100 && (await handle.query(eventsQuery)).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    return handle;
  };

  it('goes yellow, then last day, then red with an escalation each working day at 09:00, until done', async () => {
    const from = new Date(await env.currentTimeMs()).toISOString();
    const cal = officialCalendar();
    const expected = computeDeadline(cal, shanghaiDateOf(from), '7wd');
    const handle = await start('escalate', { from, steps: [{ statute: 'legalReview' }] });

    let sa = (await handle.describe()).searchAttributes;
    expect(sa.WarningLevel).toEqual(['none']);
    expect(sa.Overdue).toEqual([false]);
    expect((sa.Deadline as Date[])[0]!.toISOString()).toBe(new Date(expected.deadline).toISOString());

    // Past the deadline and two more working-day mornings.
    const overdueAt = Date.parse(expected.deadline) + 1000;
    const second = nextWorkingDayStart(cal, new Date(overdueAt).toISOString());
    const third = nextWorkingDayStart(cal, second.at);
    const target = Date.parse(third.at) + 10 * HOUR;
    await env.sleep(target - (await env.currentTimeMs()));

    sa = (await handle.describe()).searchAttributes;
    expect(sa.WarningLevel).toEqual(['red']);
    expect(sa.Overdue).toEqual([true]);
    const events = await handle.query(eventsQuery);
    const kinds = events.map((e) => e.split(' ')[0]);
    expect(kinds).toEqual(['start', 'yellow', 'last_day', 'overdue#1', 'overdue#2', 'overdue#3']);
    const firedAt = (prefix: string) => events.find((e) => e.startsWith(prefix))!.split(' ')[1]!;
    expect(shanghaiDateOf(firedAt('last_day'))).toBe(expected.lastDay);
    expect(Date.parse(firedAt('overdue#1'))).toBeGreaterThanOrEqual(overdueAt);
    const atNine = (dayStart: string) => Date.parse(dayStart) + 9 * HOUR;
    expect(Date.parse(firedAt('overdue#2')) - atNine(second.at)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(firedAt('overdue#2')) - atNine(second.at)).toBeLessThan(60_000);
    expect(Date.parse(firedAt('overdue#3')) - atNine(third.at)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(firedAt('overdue#3')) - atNine(third.at)).toBeLessThan(60_000);

    await handle.signal(doneSignal);
    expect((await handle.result()).at(-1)).toBe('end level=red');
  });

  it('an extension moves the deadline and clears red', async () => {
    const from = new Date(await env.currentTimeMs()).toISOString();
    const request = { from, steps: [{ statute: 'legalReview' }] };
    const handle = await start('extend', request);
    const first = computeDeadline(officialCalendar(), shanghaiDateOf(from), '7wd');
    await env.sleep(Date.parse(first.deadline) + 2 * HOUR - (await env.currentTimeMs()));
    expect((await handle.describe()).searchAttributes.Overdue).toEqual([true]);

    await handle.signal(extendSignal, { ...request, steps: [{ statute: 'legalReview' }, { statute: 'legalReviewExtension' }] });
    const extended = computeDeadline(officialCalendar(), first.lastDay, '3wd');
    for (let i = 0; i < 50; i++) {
      if ((await handle.query(eventsQuery)).some((e) => e.startsWith('changed'))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const sa = (await handle.describe()).searchAttributes;
    expect(sa.Overdue).toEqual([false]);
    expect((sa.Deadline as Date[])[0]!.toISOString()).toBe(new Date(extended.deadline).toISOString());
    expect(await handle.query(eventsQuery)).toContainEqual(expect.stringContaining(`changed ${first.lastDay}->${extended.lastDay}`));
    await handle.signal(doneSignal);
    await handle.result();
  });

  it('a deadline reaching an unpublished year is provisional, and moves when the year is published', async () => {
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
    for (let i = 0; i < 50; i++) {
      events = await handle.query(eventsQuery);
      if (events.some((e) => e.startsWith('changed'))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(events).toContainEqual(expect.stringContaining('changed 2027-01-06->2027-01-08 provisional=false'));
    expect((await handle.describe()).searchAttributes.DeadlineProvisional).toEqual([false]);
    await handle.signal(doneSignal);
    await handle.result();
  });
});
