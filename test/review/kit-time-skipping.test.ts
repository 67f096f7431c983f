// The process kit under the legal review over long stretches of time (time-skipping server).
import { shanghaiDateOf } from '../../domain/dates';
import { officialCalendar } from '../../domain/official-calendar';
import { computeDeadline } from '../../domain/periods';
import { CalendarStore } from '../../infra/calendar-store';
import { calendarPublishedSignal, MAX_HISTORY_EVENTS } from '../../workflows/kit/process';
import { DeadlineKey } from '../../workflows/search-attributes';
import { decideExtensionUpdate, giveOpinionUpdate, requestExtensionUpdate, reviewStateQuery } from '../../workflows/legal-review';
import { cleanChecklist, eventually, exportHistoryIfRecording, SUPERVISOR_UNIT, UNIT, useReviewTestEnv, type ReviewTestEnv } from './helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const HEAD = 'head-ts';
const REVIEWER = 'reviewer-ts';
const calendar = officialCalendar();

describe('process kit over years (time-skipping, legal review)', () => {
  const bed = useReviewTestEnv(REVIEWER);
  let t: ReviewTestEnv;
  beforeAll(() => void (t = bed()));

  /** Every run of the workflow, first to last, with its events. */
  async function runs(workflowId: string, firstRunId: string): Promise<Array<{ runId: string; events: Array<{ eventTime?: { seconds?: unknown } | null }> }>> {
    const out = [];
    let runId: string | undefined = firstRunId;
    while (runId) {
      const { events } = await t.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
      out.push({ runId, events: events! });
      runId = events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    return out;
  }

  it('a review overdue for two years stays under the event cap and continues as new with its state, deadline and attributes', async () => {
    const { input, handle } = await t.startInReview(REVIEWER, HEAD);
    const expected = computeDeadline(calendar, shanghaiDateOf(input.receivedAt), '7wd');
    const overdueFrom = Date.parse(expected.deadline);

    await t.env.sleep(overdueFrom + 2 * 365 * DAY - (await t.env.currentTimeMs()));

    const description = await handle.describe();
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
    expect(description.historyLength).toBeLessThan(MAX_HISTORY_EVENTS);
    expect(description.searchAttributes).toMatchObject({ Unit: [UNIT], CaseNumber: [input.caseNumber], ProcessKind: ['legal-review'], Status: ['in_review'], Overdue: [true], WarningLevel: ['red'], DeadlineProvisional: [false] });
    expect(description.typedSearchAttributes.get(DeadlineKey)?.toISOString()).toBe(new Date(expected.deadline).toISOString());
    const state = await handle.query(reviewStateQuery);
    expect(state).toMatchObject({ status: 'in_review', reviewer: REVIEWER, deadline: expected.deadline, overdue: true, warningLevel: 'red', escalations: 1 });

    // History grows with actions, not with days: measured over the whole chain of runs.
    const chain = await runs(handle.workflowId, handle.firstExecutionRunId);
    expect(chain.length).toBeGreaterThanOrEqual(4);
    const seconds = (e: { eventTime?: { seconds?: unknown } | null }) => Number(e.eventTime?.seconds ?? 0) * 1000;
    const overdueEvents = chain.flatMap((r) => r.events).filter((e) => seconds(e) > overdueFrom).length;
    const perYear = Math.round(overdueEvents / 2);
    // eslint-disable-next-line no-console
    console.log(`legal review overdue for two years: ${chain.length} runs, ${overdueEvents} events after the deadline (${perYear} per overdue year), largest run ${Math.max(...chain.map((r) => r.events.length))} events`);
    expect(perYear).toBeLessThan(100);

    // One escalation in two years (head + 司法局), not one per working day; none repeated by a new run.
    const { rows } = await t.pool.query(`SELECT unit_code FROM notifications WHERE link->>'workflowId' = $1 AND kind = 'escalation' ORDER BY unit_code`, [handle.workflowId]);
    expect(rows.map((r) => r.unit_code)).toEqual([UNIT, SUPERVISOR_UNIT].sort());

    const passed = await handle.executeUpdate(giveOpinionUpdate, { args: [{ by: REVIEWER, kind: 'approve', checklist: cleanChecklist(), text: '同意。' }] });
    expect(passed).toMatchObject({ status: 'passed', opinion: { late: true }, overdue: false });
    expect((await t.decided(handle)).status).toBe('passed');
    const last = (await runs(handle.workflowId, handle.firstExecutionRunId)).at(-1)!.runId;
    await exportHistoryIfRecording(t.env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId), 'overdue-first-run-continued-as-new');
    await exportHistoryIfRecording(t.env.client.workflow.getHandle(handle.workflowId, last), 'overdue-continued-run-passed-late');
  });

  it('after an extension approved past the yellow warning, the yellow and last-day reminders before the new deadline are delivered', async () => {
    const { input, handle } = await t.startInReview(REVIEWER, HEAD);
    const original = computeDeadline(calendar, shanghaiDateOf(input.receivedAt), '7wd');
    const extended = computeDeadline(calendar, original.lastDay, '3wd');
    const yellowFrom = Date.parse(calendar.subtractWorkingDays(original.lastDay, 2).date + 'T00:00:00+08:00') + DAY;

    const reminders = async () =>
      (
        await t.pool.query(`SELECT recipient_person AS person, subject, idempotency_key AS key FROM notifications WHERE link->>'workflowId' = $1 AND kind = 'reminder' ORDER BY created_at, idempotency_key`, [
          handle.workflowId,
        ])
      ).rows as Array<{ person: string | null; subject: string; key: string }>;
    const label = (r: { person: string | null; subject: string }) => `${r.person ?? 'legal-office'} ${r.subject.includes('将至') ? 'yellow' : 'last-day'}`;

    await t.env.sleep(yellowFrom + HOUR - (await t.env.currentTimeMs()));
    expect((await handle.describe()).searchAttributes.WarningLevel).toEqual(['yellow']);
    const before = await eventually(async () => ((await reminders()).length >= 2 ? reminders() : undefined), 'the first yellow warning');
    expect(before.map(label).sort()).toEqual(['legal-office yellow', `${REVIEWER} yellow`].sort());

    await handle.executeUpdate(requestExtensionUpdate, { args: [{ by: REVIEWER, reason: '涉及多个法律关系' }] });
    const approved = await handle.executeUpdate(decideExtensionUpdate, { args: [{ by: HEAD, approve: true, note: '同意延长' }] });
    expect(approved).toMatchObject({ deadline: extended.deadline, warningLevel: 'none' });
    expect((await handle.describe()).searchAttributes.WarningLevel).toEqual(['none']);

    // Into the new last day, still before the new deadline: both warnings again, as new notifications.
    await t.env.sleep(Date.parse(`${extended.lastDay}T00:00:00+08:00`) + 10 * HOUR - (await t.env.currentTimeMs()));
    expect(await t.env.currentTimeMs()).toBeLessThan(Date.parse(extended.deadline));
    const rearmed = await eventually(async () => {
      const rows = (await reminders()).filter((r) => !before.some((b) => b.key === r.key));
      return rows.length >= 4 ? rows : undefined;
    }, 'the re-armed reminders');
    expect(rearmed.map(label).sort()).toEqual(['legal-office last-day', 'legal-office yellow', `${REVIEWER} last-day`, `${REVIEWER} yellow`].sort());

    await handle.executeUpdate(giveOpinionUpdate, { args: [{ by: REVIEWER, kind: 'approve', checklist: cleanChecklist(), text: '同意。' }] });
    expect((await t.decided(handle)).status).toBe('passed');
    await exportHistoryIfRecording(handle, 'extension-past-yellow');
  });

  // Last in this file: it publishes 2027 into the test database.
  it('a provisional deadline is re-timed when its year is published (the kit forwards calendarPublished to the clock)', async () => {
    // 7 working days from 2026-12-28 reach into 2027, which the bundled official data does not cover.
    const { input, handle } = await t.startInReview(REVIEWER, HEAD, { receivedAt: '2026-12-28T10:00:00+08:00' });
    expect(await handle.query(reviewStateQuery)).toMatchObject({ lastDay: '2027-01-06', rounds: [expect.objectContaining({ deadlineProvisional: true })] });
    expect((await handle.describe()).searchAttributes.DeadlineProvisional).toEqual([true]);

    await new CalendarStore(t.pool).publish({ year: 2027, holidays: [{ date: '2027-01-01', name: '元旦' }, { date: '2027-01-04', name: '测试假日' }], workdays: [] }, 'test', null);
    await handle.signal(calendarPublishedSignal, { year: 2027 });
    const moved = await eventually(async () => {
      const s = await handle.query(reviewStateQuery);
      return s.lastDay === '2027-01-08' ? s : undefined;
    }, 'the re-timed deadline');
    expect(moved.rounds[0]).toMatchObject({ deadlineProvisional: false, deadline: '2027-01-08T23:59:59+08:00' });
    expect((await handle.describe()).searchAttributes.DeadlineProvisional).toEqual([false]);
    const { rows } = await t.pool.query(`SELECT payload FROM case_record WHERE case_number = $1 AND action = 'review.deadline_changed'`, [input.caseNumber]);
    expect(rows).toEqual([{ payload: expect.objectContaining({ before: '2027-01-06T23:59:59+08:00', after: '2027-01-08T23:59:59+08:00' }) }]);

    await handle.executeUpdate(giveOpinionUpdate, { args: [{ by: REVIEWER, kind: 'approve', checklist: cleanChecklist(), text: '同意。' }] });
    expect((await t.decided(handle)).status).toBe('passed');
    await exportHistoryIfRecording(handle, 'provisional-deadline-retimed');
  });
});
