/**
 * Issue 14, on a running legal review (time-skipping): a calendar publication re-times the review's
 * deadline from exactly the recorded version the notice names; a correction of the year re-times it
 * again (new generation); the case record says which version each deadline was computed from; a
 * stale or duplicate notice changes nothing.
 */
import { CalendarStore } from '../../infra/calendar-store';
import type { CalendarNotice } from '../../domain/calendar';
import { calendarPublishedSignal } from '../../workflows/kit/process';
import { giveOpinionUpdate, reviewStateQuery } from '../../workflows/legal-review';
import { cleanChecklist, eventually, exportHistoryIfRecording, useReviewTestEnv, type ReviewTestEnv } from '../review/helpers';

const HEAD = 'head-cal';
const REVIEWER = 'reviewer-cal';

describe('a running review re-times from the recorded calendar publication (time-skipping)', () => {
  const bed = useReviewTestEnv(REVIEWER);
  let t: ReviewTestEnv;
  beforeAll(() => void (t = bed()));

  const publish = async (holidays: string[], notice: string): Promise<CalendarNotice & { publicationId: number }> => {
    const { publication } = await new CalendarStore(t.pool).publish(
      { year: 2027, holidays: holidays.map((date, i) => ({ date, name: i === 0 ? '元旦' : `测试假日${i}` })), workdays: [] },
      'city/calendar-officer',
      notice,
    );
    const { publishedAt: _, ...version } = publication;
    return version;
  };
  const deadlineChanges = async (caseNumber: string) =>
    (await t.pool.query(`SELECT payload FROM case_record WHERE case_number = $1 AND action = 'review.deadline_changed' ORDER BY seq`, [caseNumber])).rows.map((r) => r.payload);

  it('publication, correction, stale and duplicate notices', async () => {
    // 7 working days from 2026-12-28 reach into 2027, not yet published: provisional.
    const { input, handle } = await t.startInReview(REVIEWER, HEAD, { receivedAt: '2026-12-28T10:00:00+08:00' });
    expect(await handle.query(reviewStateQuery)).toMatchObject({ lastDay: '2027-01-06', rounds: [expect.objectContaining({ deadlineProvisional: true })] });

    const v1 = await publish(['2027-01-01', '2027-01-04'], '国办发明电〔2026〕1号（测试）');
    await handle.signal(calendarPublishedSignal, v1);
    await eventually(async () => ((await handle.query(reviewStateQuery)).lastDay === '2027-01-08' ? true : undefined), 'the first re-timing');

    // The correction moves 2027-01-05 too: re-timed again, from version 2.
    const v2 = await publish(['2027-01-01', '2027-01-04', '2027-01-05'], '国办发明电〔2026〕2号（测试更正）');
    await handle.signal(calendarPublishedSignal, v2);
    const moved = await eventually(async () => {
      const s = await handle.query(reviewStateQuery);
      return s.lastDay === '2027-01-11' ? s : undefined;
    }, 'the second re-timing');
    expect(moved.rounds[0]).toMatchObject({ deadlineProvisional: false, deadline: '2027-01-11T23:59:59+08:00' });
    expect((await handle.describe()).searchAttributes.DeadlineProvisional).toEqual([false]);

    // Stale and duplicate notices, then the opinion: nothing more moved.
    await handle.signal(calendarPublishedSignal, v1);
    await handle.signal(calendarPublishedSignal, v2);
    await handle.executeUpdate(giveOpinionUpdate, { args: [{ by: REVIEWER, kind: 'approve', checklist: cleanChecklist(), text: '同意。' }] });
    expect((await t.decided(handle)).status).toBe('passed');

    // The record: two changes, each naming the version it was computed from.
    const changes = await deadlineChanges(input.caseNumber);
    expect(changes).toEqual([
      expect.objectContaining({
        before: '2027-01-06T23:59:59+08:00',
        after: '2027-01-08T23:59:59+08:00',
        reason: expect.stringContaining(`第 1 版，日历版本 #${v1.publicationId}`),
        basis: expect.stringContaining(`日历版本 #${v1.publicationId}：2027 年第 1 版（国办发明电〔2026〕1号（测试））`),
      }),
      expect.objectContaining({
        before: '2027-01-08T23:59:59+08:00',
        after: '2027-01-11T23:59:59+08:00',
        reason: expect.stringContaining(`第 2 版，日历版本 #${v2.publicationId}`),
        basis: expect.stringContaining(`日历版本 #${v2.publicationId}：2027 年第 2 版（国办发明电〔2026〕2号（测试更正））`),
      }),
    ]);
    await exportHistoryIfRecording(handle, 'calendar-versions-retimed-twice');
  });
});
