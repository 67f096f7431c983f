/**
 * The official working-day calendar (工作日): Monday–Friday, minus the statutory holidays, plus the
 * weekend days made working days (调休上班), as published each year by the State Council's notice
 * (国务院办公厅关于YYYY年部分节假日安排的通知). A year whose notice is not in the calendar is
 * unpublished: its days are classified by weekday only, and every answer that had to classify
 * such a day says so (`provisional`), to be recomputed once the year is published.
 */
import { fromDayNumber, isIsoDate, isoDateProblem, isWeekend, isWeekendDayNumber, toDayNumber } from './dates';

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'adjusted_workday';

export interface SpecialDay {
  date: string;
  name: string; // e.g. '国庆节'
}

export interface YearArrangement {
  year: number;
  holidays: SpecialDay[];
  /** 调休上班: weekend days that are working days. */
  workdays: SpecialDay[];
}

export interface DayInfo {
  date: string;
  kind: DayKind;
  workday: boolean;
  /** The holiday's or adjusted day's name, for those two kinds. */
  name?: string;
  published: boolean;
}

/** A day found by walking the calendar; provisional when a day it classified is unpublished. */
export interface CalendarStep {
  date: string;
  provisional: boolean;
}

export const MIN_CALENDAR_YEAR = 1900;
export const MAX_CALENDAR_YEAR = 2200;

// Day codes: bit 0 set = working day; PROVISIONAL marks a day of an unpublished year.
const WORKDAY = 0b001;
const WEEKEND = 0b010;
const ADJUSTED_WORKDAY = 0b011;
const HOLIDAY = 0b100;
const PROVISIONAL = 0b1000;
const KIND_MASK = 0b111;
/** The working-day index reaches this far past the last published year (provisional days, by weekday). */
const INDEX_SLACK_DAYS = 3 * 366;

const KIND_OF_CODE: Record<number, DayKind> = {
  [WORKDAY]: 'workday',
  [WEEKEND]: 'weekend',
  [ADJUSTED_WORKDAY]: 'adjusted_workday',
  [HOLIDAY]: 'holiday',
};

function isWorkingCode(code: number): boolean {
  return (code & WORKDAY) !== 0;
}

function weekdayCode(dayNumber: number): number {
  return isWeekendDayNumber(dayNumber) ? WEEKEND : WORKDAY;
}

/** Arrangements handed out by the calendar cannot be changed behind its back. */
function frozen(arrangement: YearArrangement): YearArrangement {
  for (const list of [arrangement.holidays, arrangement.workdays]) {
    list.forEach((day) => Object.freeze(day));
    Object.freeze(list);
  }
  return Object.freeze(arrangement);
}

function requireCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what}: count must be a non-negative integer, got ${n}`);
}

export class WorkingCalendar {
  private readonly byYear: ReadonlyMap<number, YearArrangement>;
  /** Day number of 1 January of the first published year; `codes` runs from there. */
  private readonly firstDayNumber: number;
  /** One code per day up to 31 December of the last published year; 0 for days of unpublished years. */
  private readonly codes: Uint8Array;
  private readonly names: ReadonlyMap<number, string>;
  /**
   * Precomputed working-day index over [firstDayNumber, last published year's end + INDEX_SLACK_DAYS)
   * (issue 15): how many working / provisional days precede each day, and where the k-th working
   * day is, so a forward count of n working days is two array reads instead of a walk. Days outside
   * the span fall back to the walk; answers are the same (test/domain/working-day-index.test.ts).
   */
  private readonly workBefore: Int32Array;
  private readonly provisionalBefore: Int32Array;
  private readonly workdayOffsets: Int32Array;
  /** Formatted dates of the span, filled on first use (a cache; the answer never depends on it). */
  private readonly texts: (string | undefined)[] = [];

  constructor(years: Iterable<YearArrangement>) {
    const byYear = new Map<number, YearArrangement>();
    for (const input of years) {
      const checked = validateYearArrangement(input);
      if (!checked.ok) {
        const year = (input as { year?: unknown } | null)?.year;
        const issues = checked.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
        throw new RangeError(`Invalid calendar arrangement for year ${String(year)}: ${issues}`);
      }
      if (byYear.has(checked.value.year)) throw new RangeError(`Calendar year ${checked.value.year} is given twice`);
      byYear.set(checked.value.year, frozen(checked.value));
    }
    this.byYear = byYear;

    const published = [...byYear.keys()];
    this.firstDayNumber = published.length ? toDayNumber(`${Math.min(...published)}-01-01`) : 0;
    const endDayNumber = published.length ? toDayNumber(`${Math.max(...published)}-12-31`) + 1 : 0;
    this.codes = new Uint8Array(endDayNumber - this.firstDayNumber);

    const names = new Map<number, string>();
    for (const { year, holidays, workdays } of byYear.values()) {
      const from = toDayNumber(`${year}-01-01`);
      const to = toDayNumber(`${year}-12-31`);
      for (let day = from; day <= to; day++) this.codes[day - this.firstDayNumber] = weekdayCode(day);
      for (const [list, code] of [[holidays, HOLIDAY], [workdays, ADJUSTED_WORKDAY]] as const) {
        for (const special of list) {
          const day = toDayNumber(special.date);
          this.codes[day - this.firstDayNumber] = code;
          names.set(day, special.name);
        }
      }
    }
    this.names = names;

    const span = published.length ? endDayNumber + INDEX_SLACK_DAYS - this.firstDayNumber : 0;
    this.workBefore = new Int32Array(span + 1);
    this.provisionalBefore = new Int32Array(span + 1);
    const offsets: number[] = [];
    for (let i = 0; i < span; i++) {
      const code = this.codeOf(this.firstDayNumber + i);
      const working = isWorkingCode(code);
      this.workBefore[i + 1] = this.workBefore[i]! + (working ? 1 : 0);
      this.provisionalBefore[i + 1] = this.provisionalBefore[i]! + ((code & PROVISIONAL) !== 0 ? 1 : 0);
      if (working) offsets.push(i);
    }
    this.workdayOffsets = Int32Array.from(offsets);
  }

  /** A new calendar with `arrangement` added, or replacing the same year's (a notice published at run time). */
  withArrangement(arrangement: YearArrangement): WorkingCalendar {
    const others = [...this.byYear.values()].filter((a) => a.year !== arrangement.year);
    return new WorkingCalendar([...others, arrangement]);
  }

  publishedYears(): number[] {
    return [...this.byYear.keys()].sort((a, b) => a - b);
  }

  isPublished(year: number): boolean {
    return this.byYear.has(year);
  }

  arrangement(year: number): YearArrangement | undefined {
    return this.byYear.get(year);
  }

  arrangements(): YearArrangement[] {
    return this.publishedYears().map((year) => this.byYear.get(year)!);
  }

  /** The day's code; for a day of an unpublished year, by weekday with the PROVISIONAL bit. */
  private codeOf(dayNumber: number): number {
    const index = dayNumber - this.firstDayNumber;
    const code = index >= 0 && index < this.codes.length ? this.codes[index]! : 0;
    return code !== 0 ? code : PROVISIONAL | weekdayCode(dayNumber);
  }

  dayKind(date: string): DayKind {
    return KIND_OF_CODE[this.codeOf(toDayNumber(date)) & KIND_MASK]!;
  }

  isWorkday(date: string): boolean {
    return isWorkingCode(this.codeOf(toDayNumber(date)));
  }

  dayInfo(date: string): DayInfo {
    const dayNumber = toDayNumber(date);
    const code = this.codeOf(dayNumber);
    const name = this.names.get(dayNumber);
    return {
      date,
      kind: KIND_OF_CODE[code & KIND_MASK]!,
      workday: isWorkingCode(code),
      ...(name !== undefined ? { name } : {}),
      published: (code & PROVISIONAL) === 0,
    };
  }

  /**
   * The `count`th working day strictly after (direction 1) or before (-1) `dayNumber`; with
   * count 0, the day itself, classifying nothing.
   */
  private walk(dayNumber: number, count: number, direction: 1 | -1): CalendarStep {
    if (direction === 1 && count > 0) {
      const offset = dayNumber - this.firstDayNumber;
      if (offset >= 0 && offset < this.workBefore.length - 1) {
        // Working days on or before the start, then the (that + count)-th working day of the span.
        const k = this.workBefore[offset + 1]! + count - 1;
        if (k < this.workdayOffsets.length) {
          const target = this.workdayOffsets[k]!;
          return {
            date: this.dateText(this.firstDayNumber + target),
            provisional: this.provisionalBefore[target + 1]! - this.provisionalBefore[offset + 1]! > 0,
          };
        }
      }
    }
    let day = dayNumber;
    let provisional = false;
    for (let found = 0; found < count; ) {
      day += direction;
      const code = this.codeOf(day);
      if (code & PROVISIONAL) provisional = true;
      if (isWorkingCode(code)) found++;
    }
    return { date: fromDayNumber(day), provisional };
  }

  /** The `n`th working day after `date` (`date` itself is not counted); n = 0 gives `date`. */
  addWorkingDays(date: string, n: number): CalendarStep {
    requireCount(n, 'addWorkingDays');
    return this.walk(toDayNumber(date), n, 1);
  }

  /** The `n`th working day before `date` (`date` itself is not counted); n = 0 gives `date`. */
  subtractWorkingDays(date: string, n: number): CalendarStep {
    requireCount(n, 'subtractWorkingDays');
    return this.walk(toDayNumber(date), n, -1);
  }

  /** The first working day strictly after `date`. */
  nextWorkday(date: string): CalendarStep {
    return this.addWorkingDays(date, 1);
  }

  /** `date` when it is a working day, else the first working day after it. */
  workdayOnOrAfter(date: string): CalendarStep {
    const dayNumber = toDayNumber(date);
    const code = this.codeOf(dayNumber);
    if (isWorkingCode(code)) return { date, provisional: (code & PROVISIONAL) !== 0 };
    const next = this.walk(dayNumber, 1, 1);
    return { date: next.date, provisional: next.provisional || (code & PROVISIONAL) !== 0 };
  }

  /** workdayOnOrAfter for a day number (the period engine's hot path: no parse, formatted once). */
  workdayOnOrAfterDay(dayNumber: number): CalendarStep & { moved: boolean } {
    const code = this.codeOf(dayNumber);
    if (isWorkingCode(code)) return { date: this.dateText(dayNumber), provisional: (code & PROVISIONAL) !== 0, moved: false };
    const next = this.walk(dayNumber, 1, 1);
    return { date: next.date, provisional: next.provisional || (code & PROVISIONAL) !== 0, moved: true };
  }

  /** fromDayNumber, from the span's cache when the day lies in the index. */
  private dateText(dayNumber: number): string {
    const offset = dayNumber - this.firstDayNumber;
    if (offset >= 0 && offset < this.workBefore.length - 1) return (this.texts[offset] ??= fromDayNumber(dayNumber));
    return fromDayNumber(dayNumber);
  }

  /**
   * Working days d with from < d ≤ to (so addWorkingDays(from, count) is the last working day
   * ≤ to); negative, with the same magnitude, when `to` is before `from`.
   */
  workingDaysBetween(from: string, to: string): { count: number; provisional: boolean } {
    const start = toDayNumber(from);
    const end = toDayNumber(to);
    const [low, high, sign] = start <= end ? [start, end, 1] : [end, start, -1];
    let count = 0;
    let provisional = false;
    for (let day = low + 1; day <= high; day++) {
      const code = this.codeOf(day);
      if (code & PROVISIONAL) provisional = true;
      if (isWorkingCode(code)) count++;
    }
    return { count: sign * count, provisional };
  }
}

// ---------------------------------------------------------------------------------------------

export interface ValidationIssue {
  path: string;
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a year's arrangement as it would come from an API or a file, and returns a clean copy
 * (only the known fields, each list sorted by date).
 */
export function validateYearArrangement(input: unknown): ValidationResult<YearArrangement> {
  const issues: ValidationIssue[] = [];
  if (!isRecord(input)) return { ok: false, issues: [{ path: '', message: 'expected an object { year, holidays, workdays }' }] };

  const { year } = input;
  const yearValid = typeof year === 'number' && Number.isInteger(year) && year >= MIN_CALENDAR_YEAR && year <= MAX_CALENDAR_YEAR;
  if (!yearValid) issues.push({ path: 'year', message: `expected an integer ${MIN_CALENDAR_YEAR}..${MAX_CALENDAR_YEAR}` });

  const seen = new Map<string, string>(); // date -> path of its first listing
  const lists: Record<'holidays' | 'workdays', SpecialDay[]> = { holidays: [], workdays: [] };
  for (const listName of ['holidays', 'workdays'] as const) {
    const list = input[listName];
    if (!Array.isArray(list)) {
      issues.push({ path: listName, message: 'expected an array of { date, name }' });
      continue;
    }
    list.forEach((entry: unknown, index) => {
      const path = `${listName}[${index}]`;
      if (!isRecord(entry)) {
        issues.push({ path, message: 'expected { date, name }' });
        return;
      }
      const { date, name } = entry;
      const nameValid = typeof name === 'string' && name.trim() !== '';
      if (!nameValid) issues.push({ path: `${path}.name`, message: 'expected a non-empty name' });
      if (!isIsoDate(date)) {
        issues.push({ path: `${path}.date`, message: isoDateProblem(date) ?? 'invalid date' });
        return;
      }
      if (yearValid && !date.startsWith(`${year}-`)) issues.push({ path: `${path}.date`, message: `${date} is not in ${year}` });
      const earlier = seen.get(date);
      if (earlier !== undefined) {
        const both = !earlier.startsWith(listName);
        issues.push({ path: `${path}.date`, message: both ? `${date} is both a holiday and a working day (${earlier})` : `${date} is listed twice (${earlier})` });
      } else {
        seen.set(date, path);
      }
      if (listName === 'workdays' && !isWeekend(date)) {
        issues.push({ path: `${path}.date`, message: `${date} is a Monday–Friday; an adjusted working day must be a Saturday or Sunday` });
      }
      if (nameValid) lists[listName].push({ date, name });
    });
  }

  if (issues.length) return { ok: false, issues };
  const byDate = (a: SpecialDay, b: SpecialDay) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0);
  return { ok: true, value: { year: year as number, holidays: lists.holidays.sort(byDate), workdays: lists.workdays.sort(byDate) } };
}

// ---- recorded publications (issue 14): what a deadline was computed from ----

/** One recorded version of a year's arrangement (a row of `calendar_year_history`), immutable. */
export interface CalendarPublicationRef {
  /** The version number (`calendar_year_history.id`): global, in commit order (publications are serialised). */
  publicationId: number;
  year: number;
  /** 0 = the bundled official data; 1, 2, … = the year's publications at run time. */
  revision: number;
  /** SHA-256 of the arrangement's canonical text (migration 0021, `calendar_content_hash`). */
  contentHash: string;
  /** The basis document, e.g. 国办发明电〔2026〕7号. */
  notice: string | null;
}

/**
 * The `calendarPublished` signal: the publication a re-timing applies. A notice without
 * `publicationId` comes from before versions were recorded (it stays in replayed histories).
 */
export interface CalendarNotice {
  year: number;
  publicationId?: number;
  revision?: number;
  contentHash?: string;
  notice?: string | null;
}

/** Which recorded calendar a deadline was computed from; kept with the deadline (records, UI). */
export interface CalendarBasis {
  /** The calendar as of this version: for each year its latest revision with publicationId <= asOf. */
  asOf: number;
  /** The years the computation consulted that were published as of `asOf`, with their versions. */
  years: CalendarPublicationRef[];
  /** Consulted years not published as of `asOf`: counted Monday–Friday, so the deadline is provisional. */
  unpublished: number[];
}

/** The sentence a record or the UI shows for a basis: the version and every consulted year's revision. */
export function describeCalendarBasis(basis: CalendarBasis): string {
  const parts = [
    ...basis.years.filter((y) => y.revision > 0).map((y) => `${y.year} 年第 ${y.revision} 版${y.notice ? `（${y.notice}）` : ''}`),
    ...basis.unpublished.map((year) => `${year} 年节假日安排未公布，暂按周一至周五计`),
  ];
  return `日历版本 #${basis.asOf}${parts.length ? `：${parts.join('；')}` : ''}`;
}
