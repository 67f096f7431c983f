/**
 * Statutory periods (法定期限), domain spec §1. The day of the triggering event is never counted
 * (期间开始的当日不计入); a period ends at 23:59:59 Shanghai time on its last day.
 *
 *   Nwd  the Nth working day after the start day.
 *   Nd   start + N calendar days; if that day is not a working day, the next working day
 *        (民法典 第二百零三条) unless the period is not extended.
 *   Nm   the same day-of-month N months later, or that month's last day when it has no such day
 *   Ny   (民法典 第二百零二条; 2024-01-31 + 1m = 2024-02-29), then the rest-day rule as for Nd.
 *
 * `extend: false` is for retention periods (公开满5年可撤下), which nobody has to meet.
 * N = 0 is accepted only as 0d (the same day, "当日"): "the 0th working day after X" and a
 * zero-month period name no legal period.
 */
import type { CalendarStep, WorkingCalendar } from './calendar';
import { addDays, addMonthsToDayNumber, endOfDayShanghai, fromDayNumber, toDayNumber, shanghaiDateOf, startOfDayShanghai } from './dates';

export type PeriodUnit = 'wd' | 'd' | 'm' | 'y';

export interface Period {
  n: number;
  unit: PeriodUnit;
}

/** Longest accepted period per unit: about a century; no statute comes near it. */
export const MAX_PERIOD: Readonly<Record<PeriodUnit, number>> = { wd: 25_000, d: 36_600, m: 1_200, y: 100 };

const UNIT_NAMES: Readonly<Record<PeriodUnit, string>> = {
  wd: 'working days',
  d: 'calendar days',
  m: 'months',
  y: 'years',
};

const PERIOD_SYNTAX = /^(0|[1-9][0-9]*)(wd|d|m|y)$/;
const EXPECTED = 'expected <N><unit> with unit wd (working days), d (calendar days), m (months) or y (years), e.g. 7wd, 15d, 3m, 5y';

/** Why the period is not acceptable, or undefined. */
function periodProblem({ n, unit }: Period): string | undefined {
  if (!Object.hasOwn(UNIT_NAMES, unit)) return EXPECTED;
  if (!Number.isSafeInteger(n) || n < 0) return 'N must be a non-negative integer';
  if (n === 0 && unit !== 'd') return `0 is allowed only as 0d (the same day); ${UNIT_NAMES[unit]} need N ≥ 1`;
  if (n > MAX_PERIOD[unit]) return `at most ${MAX_PERIOD[unit]}${unit}`;
  return undefined;
}

function invalidPeriod(shown: unknown, problem: string): RangeError {
  return new RangeError(`Invalid period ${JSON.stringify(shown)}: ${problem}`);
}

export function parsePeriod(text: string): Period {
  const match = typeof text === 'string' ? PERIOD_SYNTAX.exec(text) : null;
  if (!match) throw invalidPeriod(text, EXPECTED);
  const period: Period = { n: Number(match[1]), unit: match[2] as PeriodUnit };
  const problem = periodProblem(period);
  if (problem !== undefined) throw invalidPeriod(text, problem);
  return period;
}

export function formatPeriod(p: Period): string {
  return `${p.n}${p.unit}`;
}

/** Parsed period texts (a handful in practice: the statute table's); bounded so junk cannot grow it. */
const parsedPeriods = new Map<string, Period>();

function checkedPeriod(period: Period | string): Period {
  if (typeof period === 'string') {
    let parsed = parsedPeriods.get(period);
    if (parsed === undefined) {
      parsed = Object.freeze(parsePeriod(period));
      if (parsedPeriods.size < 1000) parsedPeriods.set(period, parsed);
    }
    return parsed;
  }
  const problem = periodProblem(period);
  if (problem !== undefined) throw invalidPeriod(period, problem);
  return period;
}

export interface DeadlineResult {
  /** The day of the triggering event (not counted). */
  start: string;
  /** The period in canonical form, e.g. '7wd'. */
  period: string;
  /** The period's last day, YYYY-MM-DD. */
  lastDay: string;
  /** lastDay + 'T23:59:59+08:00'. */
  deadline: string;
  /** A day the computation classified lies in a year whose holiday notice is not published. */
  provisional: boolean;
  /** The rest-day rule moved the last day. */
  extended: boolean;
}

const END_OF_DAY = endOfDayShanghai('2000-01-01').slice('2000-01-01'.length);

export interface DeadlineOptions {
  /** Apply the rest-day rule (民法典 第二百零三条) to d/m/y periods. Default true. */
  extend?: boolean;
}

export function computeDeadline(
  cal: WorkingCalendar,
  start: string,
  period: Period | string,
  opts: DeadlineOptions = {},
): DeadlineResult {
  const p = checkedPeriod(period);
  let last: CalendarStep;
  let extended = false;
  if (p.unit === 'wd') {
    last = cal.addWorkingDays(start, p.n);
  } else {
    const rawDay = p.unit === 'd' ? toDayNumber(start) + p.n : addMonthsToDayNumber(start, p.unit === 'm' ? p.n : 12 * p.n);
    if (opts.extend === false) {
      last = { date: fromDayNumber(rawDay), provisional: false };
    } else {
      const step = cal.workdayOnOrAfterDay(rawDay);
      last = { date: step.date, provisional: step.provisional };
      extended = step.moved;
    }
  }
  return {
    start,
    period: typeof period === 'string' ? period : formatPeriod(p),
    lastDay: last.date,
    // last.date was formatted by the calendar or dates.ts, so it needs no second validation.
    deadline: `${last.date}${END_OF_DAY}`,
    provisional: last.provisional,
    extended,
  };
}

/** Yellow when this many working days or fewer remain, the last day included. */
export const WARNING_WORKING_DAYS = 2;

export interface WarningSchedule {
  /** From this instant at most WARNING_WORKING_DAYS working days (today possibly one) remain up to lastDay. */
  yellowFrom: string;
  /** Start of the last day. */
  lastDayFrom: string;
  /** End of the last day: overdue after this. */
  deadline: string;
  provisional: boolean;
}

export function warningSchedule(cal: WorkingCalendar, lastDay: string): WarningSchedule {
  const lastCalmDay = cal.subtractWorkingDays(lastDay, WARNING_WORKING_DAYS);
  return {
    yellowFrom: startOfDayShanghai(addDays(lastCalmDay.date, 1)),
    lastDayFrom: startOfDayShanghai(lastDay),
    deadline: endOfDayShanghai(lastDay),
    provisional: lastCalmDay.provisional,
  };
}

/** Start (00:00+08:00) of the first working day strictly after the Shanghai date of the instant. */
export function nextWorkingDayStart(cal: WorkingCalendar, afterInstant: string): { at: string; provisional: boolean } {
  const next = cal.nextWorkday(shanghaiDateOf(afterInstant));
  return { at: startOfDayShanghai(next.date), provisional: next.provisional };
}
