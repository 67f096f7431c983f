/**
 * Calendar dates as 'YYYY-MM-DD' strings, and Asia/Shanghai instants.
 *
 * Internally a date is a day number: days since 1970-01-01 in the proleptic Gregorian calendar,
 * the same value as Date.UTC(y, m - 1, d) / 86_400_000. It is computed with integer arithmetic
 * (no Date object, no local time zone), which keeps Date objects off the period engine's hot path
 * and avoids Date.UTC's quirk of mapping years 0–99 to 1900–1999.
 */

export interface CivilDate {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

/** 0 = Sunday … 6 = Saturday, as Date#getUTCDay. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export const MIN_YEAR = 1;
export const MAX_YEAR = 9999;

const MS_PER_DAY = 86_400_000;
/** China has had no daylight saving time since 1991: Asia/Shanghai is a fixed UTC+08:00. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const SHANGHAI_OFFSET = '+08:00';

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/** Two ASCII digits at text[i], text[i + 1] as a number, or -1. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** The date's fields, or why `text` is not a real 'YYYY-MM-DD' date (e.g. '2025-02 has days 01..28'). */
function scanIsoDate(text: unknown): CivilDate | string {
  if (typeof text !== 'string') return 'expected a string YYYY-MM-DD';
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return 'expected YYYY-MM-DD';
  const century = twoDigits(text, 0);
  const yy = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (century < 0 || yy < 0 || month < 0 || day < 0) return 'expected YYYY-MM-DD';
  const year = century * 100 + yy;
  if (year < MIN_YEAR) return `year must be ${MIN_YEAR}..${MAX_YEAR}`;
  if (month < 1 || month > 12) return `month ${month} does not exist`;
  const lastDay = daysInMonth(year, month);
  if (day < 1 || day > lastDay) return `${text.slice(0, 7)} has days 01..${lastDay}`;
  return { year, month, day };
}

/** Why `text` is not a real 'YYYY-MM-DD' date, or undefined when it is one. */
export function isoDateProblem(text: unknown): string | undefined {
  const scanned = scanIsoDate(text);
  return typeof scanned === 'string' ? scanned : undefined;
}

export function isIsoDate(value: unknown): value is string {
  return typeof scanIsoDate(value) !== 'string';
}

/** The date's fields; a RangeError naming the problem when `text` is not a real 'YYYY-MM-DD' date. */
export function parseIsoDate(text: string): CivilDate {
  const scanned = scanIsoDate(text);
  if (typeof scanned === 'string') throw new RangeError(`Invalid date ${JSON.stringify(text)}: ${scanned}`);
  return scanned;
}

/** Howard Hinnant's days_from_civil. */
function dayNumberOfCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Howard Hinnant's civil_from_days. */
function civilOfDayNumber(dayNumber: number): CivilDate {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function toDayNumber(date: string): number {
  const { year, month, day } = parseIsoDate(date);
  return dayNumberOfCivil(year, month, day);
}

/** '00'..'99': formatting is on the deadline hot path. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => (n < 10 ? `0${n}` : `${n}`));

function pad2(n: number): string {
  return TWO_DIGITS[n]!;
}

function formatCivilDate({ year, month, day }: CivilDate): string {
  if (year < MIN_YEAR || year > MAX_YEAR) throw new RangeError(`Date out of range: year ${year} is not ${MIN_YEAR}..${MAX_YEAR}`);
  return (year < 1000 ? String(year).padStart(4, '0') : String(year)) + '-' + pad2(month) + '-' + pad2(day);
}

export function fromDayNumber(dayNumber: number): string {
  return formatCivilDate(civilOfDayNumber(dayNumber));
}

export function yearOf(date: string): number {
  return parseIsoDate(date).year;
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

/** `to` minus `from`, in calendar days. */
export function daysBetween(from: string, to: string): number {
  return toDayNumber(to) - toDayNumber(from);
}

export function compareDates(a: string, b: string): -1 | 0 | 1 {
  const diff = toDayNumber(a) - toDayNumber(b);
  return diff < 0 ? -1 : diff > 0 ? 1 : 0;
}

function weekdayOfDayNumber(dayNumber: number): Weekday {
  // 1970-01-01 was a Thursday (4).
  return ((((dayNumber + 4) % 7) + 7) % 7) as Weekday;
}

export function weekday(date: string): Weekday {
  return weekdayOfDayNumber(toDayNumber(date));
}

export function isWeekendDayNumber(dayNumber: number): boolean {
  const w = weekdayOfDayNumber(dayNumber);
  return w === 0 || w === 6;
}

export function isWeekend(date: string): boolean {
  return isWeekendDayNumber(toDayNumber(date));
}

/**
 * The same day-of-month `months` later (or earlier, when negative); when the target month is
 * shorter, its last day (2024-01-31 + 1 month = 2024-02-29). This is the month arithmetic of
 * 民法典 第二百零二条; years are 12 months.
 */
export function addMonths(date: string, months: number): string {
  return fromDayNumber(addMonthsToDayNumber(date, months));
}

/** addMonths as a day number (the period engine goes on in day numbers without formatting). */
export function addMonthsToDayNumber(date: string, months: number): number {
  if (!Number.isInteger(months)) throw new RangeError(`addMonths: months must be an integer, got ${months}`);
  const { year, month, day } = parseIsoDate(date);
  const monthIndex = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(monthIndex / 12);
  const targetMonth = monthIndex - targetYear * 12 + 1;
  if (targetYear < MIN_YEAR || targetYear > MAX_YEAR) {
    throw new RangeError(`Date out of range: ${date} + ${months} months is outside years ${MIN_YEAR}..${MAX_YEAR}`);
  }
  return dayNumberOfCivil(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth)));
}

// ---------------------------------------------------------------------------------------------
// Instants. A string instant must carry its offset: JavaScript reads '2025-01-01T08:00' (no
// offset) as local time, the very mistake this module exists to avoid.

const INSTANT_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

export function parseInstant(instant: Date | string): Date {
  if (instant instanceof Date) {
    if (Number.isNaN(instant.getTime())) throw new RangeError('Invalid instant: Invalid Date');
    return instant;
  }
  if (typeof instant !== 'string' || !INSTANT_WITH_OFFSET.test(instant)) {
    throw new RangeError(`Invalid instant ${JSON.stringify(instant)}: expected ISO 8601 with an offset, e.g. 2025-01-01T09:30:00+08:00`);
  }
  const parsed = new Date(instant);
  if (Number.isNaN(parsed.getTime())) throw new RangeError(`Invalid instant ${JSON.stringify(instant)}`);
  return parsed;
}

/** Milliseconds of the instant shifted so that UTC fields read as Shanghai wall-clock fields. */
function shanghaiWallClockMs(instant: Date | string): number {
  return parseInstant(instant).getTime() + SHANGHAI_OFFSET_MS;
}

/** The Asia/Shanghai calendar date of an instant. */
export function shanghaiDateOf(instant: Date | string): string {
  return fromDayNumber(Math.floor(shanghaiWallClockMs(instant) / MS_PER_DAY));
}

/** The instant as 'YYYY-MM-DDTHH:mm:ss+08:00' (milliseconds dropped). */
export function formatShanghaiInstant(instant: Date | string): string {
  const wallClockMs = shanghaiWallClockMs(instant);
  const dayNumber = Math.floor(wallClockMs / MS_PER_DAY);
  const secondOfDay = Math.floor((wallClockMs - dayNumber * MS_PER_DAY) / 1000);
  const hh = pad2(Math.floor(secondOfDay / 3600));
  const mm = pad2(Math.floor(secondOfDay / 60) % 60);
  const ss = pad2(secondOfDay % 60);
  return `${fromDayNumber(dayNumber)}T${hh}:${mm}:${ss}${SHANGHAI_OFFSET}`;
}

export function startOfDayShanghai(date: string): string {
  parseIsoDate(date); // validates
  return `${date}T00:00:00${SHANGHAI_OFFSET}`;
}

/** The end of a period's last day: 23:59:59 Shanghai time. */
export function endOfDayShanghai(date: string): string {
  parseIsoDate(date); // validates
  return `${date}T23:59:59${SHANGHAI_OFFSET}`;
}
