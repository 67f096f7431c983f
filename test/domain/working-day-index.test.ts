/**
 * Issue 15: the precomputed working-day index (domain/calendar.ts) and the day-number path of the
 * period engine give the same answers as the day-by-day walk they replaced, on every start date
 * 2004–2027, for the statutes' periods and a spread of others, on the official calendar and on
 * calendars with unpublished years (provisional answers) inside and after the index.
 */
import { WorkingCalendar } from '../../domain/calendar';
import { addDays, addMonths, fromDayNumber, toDayNumber } from '../../domain/dates';
import { officialArrangements, officialCalendar } from '../../domain/official-calendar';
import { computeDeadline, type DeadlineResult } from '../../domain/periods';

/** The old algorithm, written out independently of the index: step one day at a time. */
function walkForward(cal: WorkingCalendar, dayNumber: number, n: number): { date: string; provisional: boolean } {
  let day = dayNumber;
  let provisional = false;
  for (let found = 0; found < n; ) {
    day++;
    const info = cal.dayInfo(fromDayNumber(day));
    if (!info.published) provisional = true;
    if (info.workday) found++;
  }
  return { date: fromDayNumber(day), provisional };
}

function oldDeadline(cal: WorkingCalendar, start: string, period: string, extend: boolean): DeadlineResult {
  const match = /^(\d+)(wd|d|m|y)$/.exec(period)!;
  const n = Number(match[1]);
  const unit = match[2]!;
  let last: { date: string; provisional: boolean };
  let extended = false;
  if (unit === 'wd') {
    last = n === 0 ? { date: start, provisional: false } : walkForward(cal, toDayNumber(start), n);
  } else {
    const raw = unit === 'd' ? addDays(start, n) : addMonths(start, unit === 'm' ? n : 12 * n);
    if (!extend) last = { date: raw, provisional: false };
    else {
      const info = cal.dayInfo(raw);
      last = info.workday ? { date: raw, provisional: !info.published } : walkForward(cal, toDayNumber(raw), 1);
      if (!info.published) last = { ...last, provisional: true };
    }
    extended = last.date !== raw;
  }
  return { start, period, lastDay: last.date, deadline: `${last.date}T23:59:59+08:00`, provisional: last.provisional, extended };
}

const PERIODS = ['1wd', '3wd', '5wd', '7wd', '10wd', '15wd', '20wd', '30wd', '60wd', '0d', '1d', '3d', '7d', '15d', '30d', '60d', '90d', '1m', '2m', '3m', '6m', '1y', '2y', '5y'];
const FIRST = toDayNumber('2004-01-01');
const LAST = toDayNumber('2027-12-31');

function compareAll(cal: WorkingCalendar, periods: string[]): number {
  let compared = 0;
  for (let day = FIRST; day <= LAST; day++) {
    const start = fromDayNumber(day);
    for (const period of periods) {
      for (const extend of [true, false]) {
        const now = computeDeadline(cal, start, period, { extend });
        const old = oldDeadline(cal, start, period, extend);
        if (now.lastDay !== old.lastDay || now.provisional !== old.provisional || now.extended !== old.extended || now.deadline !== old.deadline || now.period !== old.period) {
          throw new Error(`${start} + ${period} (extend ${extend}): new ${JSON.stringify(now)} old ${JSON.stringify(old)}`);
        }
        compared++;
        if (period.endsWith('wd')) break; // extend does not apply to working days
      }
    }
  }
  return compared;
}

describe('working-day index: same answers as the day-by-day walk, every date 2004–2027', () => {
  test('official calendar (published 2004–2026; 2027 provisional, by weekday)', () => {
    expect(compareAll(officialCalendar(), PERIODS)).toBeGreaterThan(8766 * PERIODS.length);
    // Long counts (250wd) on a sample of dates: the day-by-day reference is what costs.
    const cal = officialCalendar();
    for (let day = FIRST; day <= LAST; day += 7) {
      const start = fromDayNumber(day);
      expect(computeDeadline(cal, start, '250wd')).toEqual(oldDeadline(cal, start, '250wd', true));
    }
  });

  test('a calendar with unpublished gaps (2010, 2019) and an early end (2022): provisional answers agree', () => {
    const cal = new WorkingCalendar(officialArrangements().filter((a) => a.year !== 2010 && a.year !== 2019 && a.year <= 2022));
    expect(compareAll(cal, ['1wd', '7wd', '20wd', '60wd', '1d', '15d', '1m', '1y', '5y'])).toBeGreaterThan(8766 * 9);
  });

  test('a calendar starting late (2015): starts before the index fall back to the walk', () => {
    const cal = new WorkingCalendar(officialArrangements().filter((a) => a.year >= 2015 && a.year <= 2016));
    expect(compareAll(cal, ['1wd', '20wd', '30d', '5y'])).toBeGreaterThan(8766 * 4);
  });

  test('an empty calendar: everything provisional, by weekday', () => {
    expect(compareAll(new WorkingCalendar([]), ['7wd', '15d'])).toBeGreaterThan(8766 * 2);
  });

  test('a period far past the index (25,000 working days) falls back and agrees', () => {
    const cal = officialCalendar();
    for (const start of ['2004-01-01', '2020-02-29', '2026-12-31']) {
      expect(computeDeadline(cal, start, '25000wd')).toEqual(oldDeadline(cal, start, '25000wd', true));
    }
  });
});
