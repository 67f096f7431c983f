// Calendar-dependent dates of enforcement (the activities call these with the stored calendar; tests
// with the official one). Periods come from the statute table (domain/statutes.ts).
import type { WorkingCalendar } from '../calendar';
import { addDays, compareDates, shanghaiDateOf } from '../dates';
import { computeDeadline } from '../periods';
import { STATUTES, statuteDeadline } from '../statutes';
import type { CourtWindow } from './types';

const later = (a: string, b: string) => (compareDates(a, b) >= 0 ? a : b);

/**
 * The window for applying to the people's court (行政强制法 第五十三条, 第五十四条, 第六十九条):
 * earliest = the later of the day after the 10th working day after the 催告书 was served and the
 * day after both remedy periods ran out (reconsideration 60 days, 行政复议法 第二十条; lawsuit
 * 6 months, 行政诉讼法 第四十六条; both from service of the decision); latest = 3 months after the
 * later remedy period ran out.
 */
export function courtWindow(cal: WorkingCalendar, decisionServedAt: string, demandServedAt: string): CourtWindow {
  const served = shanghaiDateOf(decisionServedAt);
  const reconsideration = statuteDeadline(cal, 'reconsiderationPeriod', served).lastDay;
  const lawsuit = statuteDeadline(cal, 'lawsuitPeriod', served).lastDay;
  const remedyPeriodsEnd = later(reconsideration, lawsuit);
  const demandWaitEnds = statuteDeadline(cal, 'courtApplicationWait', shanghaiDateOf(demandServedAt)).lastDay;
  const earliestFiling = later(addDays(demandWaitEnds, 1), addDays(remedyPeriodsEnd, 1));
  const latestFiling = statuteDeadline(cal, 'courtApplicationWindow', remedyPeriodsEnd).lastDay;
  return {
    earliestFiling,
    latestFiling,
    remedyPeriodsEnd,
    demandWaitEnds,
    basis: `催告书送达后 ${STATUTES.courtApplicationWait.period}（${STATUTES.courtApplicationWait.source}）；复议 ${STATUTES.reconsiderationPeriod.period}、诉讼 ${STATUTES.lawsuitPeriod.period} 期限届满（${remedyPeriodsEnd}）后 ${STATUTES.courtApplicationWindow.period} 内（${STATUTES.courtApplicationWindow.source}）`,
  };
}

/** The fine's last day: 15 days after the party received the decision (行政处罚法 第六十七条), rest-day rule. */
export const fineLastDay = (cal: WorkingCalendar, servedAt: string) => statuteDeadline(cal, 'finePayment', shanghaiDateOf(servedAt));

/** The 催告's period: N working days after its service (default 10, 本服务的选择; 行政强制法 第三十五条). */
export const demandLastDay = (cal: WorkingCalendar, servedAt: string, workingDays: number) => computeDeadline(cal, shanghaiDateOf(servedAt), `${workingDays}wd`);

/** 代履行: the further 催告 is served 3 working days before (行政强制法 第五十一条, 第六十九条): the day execution may start. */
export const substituteMayStart = (cal: WorkingCalendar, servedAt: string) => addDays(statuteDeadline(cal, 'substitutePerformanceNotice', shanghaiDateOf(servedAt)).lastDay, 1);

/** Night (22:00–06:00 Asia/Shanghai) or a day that is no working day (statutory holiday, rest day) — 行政强制法 第四十三条. */
export function executionTimeProblem(cal: WorkingCalendar, executeAt: string): 'night' | 'holiday' | undefined {
  const hour = Number(new Date(Date.parse(executeAt) + 8 * 3_600_000).toISOString().slice(11, 13));
  if (hour >= 22 || hour < 6) return 'night';
  if (!cal.isWorkday(shanghaiDateOf(executeAt))) return 'holiday';
  return undefined;
}
