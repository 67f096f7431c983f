import fc from 'fast-check';
import { addDays, daysBetween, daysInMonth, parseIsoDate, shanghaiDateOf, yearOf } from '../../domain/dates';
import { WorkingCalendar } from '../../domain/calendar';
import { officialArrangements, officialCalendar } from '../../domain/official-calendar';
import { computeDeadline, formatPeriod, nextWorkingDayStart, parsePeriod, warningSchedule, type PeriodUnit } from '../../domain/periods';
import { anyStart, dateBetween, FIRST_PUBLISHED_YEAR, LAST_PUBLISHED_YEAR, publishedStart } from './arbitraries';

const cal = officialCalendar();

/** Month arithmetic by Date, independent of domain/dates: same day-of-month or the month's last day. */
function monthsLaterByDate(start: string, months: number): string {
  const { year, month, day } = parseIsoDate(start);
  const firstOfTarget = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastOfTarget = new Date(Date.UTC(firstOfTarget.getUTCFullYear(), firstOfTarget.getUTCMonth() + 1, 0)).getUTCDate();
  firstOfTarget.setUTCDate(Math.min(day, lastOfTarget));
  return firstOfTarget.toISOString().slice(0, 10);
}

/** Calendar-day, month and year periods, 0d included. */
const calendarPeriod = fc.oneof(
  fc.record({ n: fc.integer({ min: 0, max: 400 }), unit: fc.constant<PeriodUnit>('d') }),
  fc.record({ n: fc.integer({ min: 1, max: 240 }), unit: fc.constant<PeriodUnit>('m') }),
  fc.record({ n: fc.integer({ min: 1, max: 100 }), unit: fc.constant<PeriodUnit>('y') }),
);
const positivePeriod = fc.oneof(
  fc.record({ n: fc.integer({ min: 1, max: 60 }), unit: fc.constant<PeriodUnit>('wd') }),
  fc.record({ n: fc.integer({ min: 1, max: 400 }), unit: fc.constant<PeriodUnit>('d') }),
  fc.record({ n: fc.integer({ min: 1, max: 36 }), unit: fc.constant<PeriodUnit>('m') }),
  fc.record({ n: fc.integer({ min: 1, max: 6 }), unit: fc.constant<PeriodUnit>('y') }),
);

describe('period properties', () => {
  it('Nwd is the Nth working day after the start: a working day with exactly N working days after the start up to it', () => {
    fc.assert(
      fc.property(anyStart, fc.integer({ min: 1, max: 60 }), (start, n) => {
        const { lastDay } = computeDeadline(cal, start, { n, unit: 'wd' });
        expect(cal.isWorkday(lastDay)).toBe(true);
        expect(cal.workingDaysBetween(start, lastDay).count).toBe(n);
      }),
      { numRuns: 500 },
    );
  });

  it('adding a then b working days equals adding a + b', () => {
    fc.assert(
      fc.property(anyStart, fc.nat(40), fc.nat(40), (start, a, b) => {
        const stepwise = cal.addWorkingDays(cal.addWorkingDays(start, a).date, b).date;
        expect(stepwise).toBe(cal.addWorkingDays(start, a + b).date);
      }),
      { numRuns: 500 },
    );
  });

  it('an extended calendar-day period ends on the first working day on or after start + N', () => {
    fc.assert(
      fc.property(anyStart, fc.nat(400), (start, n) => {
        const result = computeDeadline(cal, start, `${n}d`);
        const raw = addDays(start, n);
        expect(cal.isWorkday(result.lastDay)).toBe(true);
        expect(result.lastDay >= raw).toBe(true);
        for (let d = raw; d < result.lastDay; d = addDays(d, 1)) expect(cal.isWorkday(d)).toBe(false);
        expect(result.extended).toBe(result.lastDay !== raw);
      }),
      { numRuns: 500 },
    );
  });

  it('a month or year period never overflows its month: the start’s day-of-month or the month’s last day', () => {
    fc.assert(
      fc.property(anyStart, fc.integer({ min: 1, max: 100 }), fc.constantFrom<PeriodUnit>('m', 'y'), (start, n, unit) => {
        const months = unit === 'm' ? n : 12 * n;
        const { lastDay } = computeDeadline(cal, start, { n, unit }, { extend: false });
        const from = parseIsoDate(start);
        const to = parseIsoDate(lastDay);
        expect(to.year * 12 + to.month - (from.year * 12 + from.month)).toBe(months);
        expect(to.day).toBe(Math.min(from.day, daysInMonth(to.year, to.month)));
      }),
      { numRuns: 500 },
    );
  });

  it('never counts the start day: every N ≥ 1 period ends after it', () => {
    fc.assert(
      fc.property(anyStart, positivePeriod, fc.boolean(), (start, period, extend) => {
        expect(daysBetween(start, computeDeadline(cal, start, period, { extend }).lastDay)).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('without extension, d/m/y periods are plain calendar arithmetic (checked against Date), never provisional', () => {
    fc.assert(
      fc.property(anyStart, calendarPeriod, (start, { n, unit }) => {
        const expected =
          unit === 'd'
            ? new Date(Date.parse(start) + n * 86_400_000).toISOString().slice(0, 10)
            : monthsLaterByDate(start, unit === 'm' ? n : 12 * n);
        expect(computeDeadline(cal, start, { n, unit }, { extend: false })).toMatchObject({ lastDay: expected, provisional: false, extended: false });
      }),
      { numRuns: 500 },
    );
  });

  it('results inside published years are never provisional', () => {
    fc.assert(
      fc.property(publishedStart, positivePeriod, (start, period) => {
        const result = computeDeadline(cal, start, period);
        fc.pre(yearOf(result.lastDay) <= LAST_PUBLISHED_YEAR);
        expect(result.provisional).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('anything reaching 2027 or later (or before 2004) is provisional', () => {
    fc.assert(
      fc.property(dateBetween('2026-10-01', '2030-12-31'), positivePeriod, (start, period) => {
        // Every day classified lies between the start and the last day, so the last day decides.
        const result = computeDeadline(cal, start, period);
        expect(result.provisional).toBe(yearOf(result.lastDay) > LAST_PUBLISHED_YEAR);
      }),
      { numRuns: 500 },
    );
    expect(computeDeadline(cal, `${FIRST_PUBLISHED_YEAR - 1}-12-20`, '7wd').provisional).toBe(true);
    expect(computeDeadline(cal, '2026-12-01', '5y', { extend: false }).provisional).toBe(false); // nothing classified
    expect(computeDeadline(cal, `${FIRST_PUBLISHED_YEAR - 1}-12-20`, '30d').provisional).toBe(false); // 2004-01-19: only that published day is classified
  });
});

describe('provisional with published years missing here and there', () => {
  const official = officialArrangements();
  /** A calendar publishing only some of the official years, and the years it leaves out. */
  const partialCalendar = fc.subarray(official.map((a) => a.year)).map((years) => new WorkingCalendar(official.filter((a) => years.includes(a.year))));

  it('is provisional exactly when a day the computation classified lies in an unpublished year', () => {
    fc.assert(
      fc.property(partialCalendar, publishedStart, positivePeriod, fc.boolean(), (partial, start, period, extend) => {
        const result = computeDeadline(partial, start, period, { extend });
        const raw = period.unit === 'wd' ? undefined : computeDeadline(partial, start, period, { extend: false }).lastDay;
        // Classified: the days walked (wd), or the day the extension looked at up to where it stopped.
        const classified: [string, string] | undefined =
          period.unit === 'wd' ? [addDays(start, 1), result.lastDay] : extend ? [raw!, result.lastDay] : undefined;
        const expected = classified !== undefined && range(yearOf(classified[0]), yearOf(classified[1])).some((y) => !partial.isPublished(y));
        expect(result.provisional).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('counts the unpublished day the extension looked at, even when it moves into a published year', () => {
    const only2024 = new WorkingCalendar([{ year: 2024, holidays: [{ date: '2024-01-01', name: '元旦' }], workdays: [] }]);
    // 2023-12-31 is an unpublished Sunday; the next working day, 2024-01-02, is published.
    expect(computeDeadline(only2024, '2023-12-21', '10d')).toMatchObject({ lastDay: '2024-01-02', extended: true, provisional: true });
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe('period examples', () => {
  it.each([
    // start, period, extend, lastDay, extended, provisional
    ['2024-01-31', '1m', true, '2024-02-29', false, false],
    ['2023-01-31', '1m', true, '2023-02-28', false, false],
    ['2024-02-29', '1y', true, '2025-02-28', false, false],
    ['2024-02-29', '4y', true, '2028-02-29', false, true],
    ['2023-03-31', '1m', false, '2023-04-30', false, false],
    ['2023-03-31', '1m', true, '2023-05-04', true, false], // 04-30 falls in 劳动节 (04-29..05-03)
    ['2019-11-30', '3m', true, '2020-03-02', true, false], // 2020-02-29 is a Saturday
    ['2024-12-31', '2m', true, '2025-02-28', false, false],
    ['2025-09-20', '15d', true, '2025-10-09', true, false], // fine payment across National Day
    ['2025-09-20', '15d', false, '2025-10-05', false, false],
    ['2020-10-03', '5y', false, '2025-10-03', false, false], // takedown: a retention period is not extended
    ['2020-10-03', '5y', true, '2025-10-09', true, false],
    ['2025-03-14', '0d', true, '2025-03-14', false, false],
    ['2025-03-15', '0d', true, '2025-03-17', true, false],
    ['2025-12-31', '6m', true, '2026-06-30', false, false],
    ['2027-03-01', '7wd', true, '2027-03-10', false, true], // unpublished: weekends only
    ['2026-12-25', '7wd', true, '2027-01-05', false, true], // 2027-01-01 counted as a Friday: unpublished
    ['2026-12-21', '10d', true, '2026-12-31', false, false],
    ['2026-12-22', '10d', true, '2027-01-01', false, true],
    ['2026-06-01', '5y', false, '2031-06-01', false, false],
  ])('%s + %s (extend %s) ends %s', (start, period, extend, lastDay, extended, provisional) => {
    expect(computeDeadline(cal, start, period, { extend })).toEqual({
      start,
      period,
      lastDay,
      deadline: `${lastDay}T23:59:59+08:00`,
      extended,
      provisional,
    });
  });

  it('defaults to extending', () => {
    expect(computeDeadline(cal, '2025-09-20', '15d').lastDay).toBe('2025-10-09');
  });

  it('rejects a bad start date', () => {
    expect(() => computeDeadline(cal, '2025-02-30', '7wd')).toThrow('Invalid date "2025-02-30"');
    expect(() => computeDeadline(cal, '2025-02-30', '3m', { extend: false })).toThrow(/Invalid date/);
  });
});

describe('parsePeriod', () => {
  it.each([
    ['7wd', { n: 7, unit: 'wd' }],
    ['15d', { n: 15, unit: 'd' }],
    ['3m', { n: 3, unit: 'm' }],
    ['5y', { n: 5, unit: 'y' }],
    ['0d', { n: 0, unit: 'd' }],
    ['36600d', { n: 36600, unit: 'd' }],
  ])('parses %s', (text, period) => {
    expect(parsePeriod(text)).toEqual(period);
    expect(formatPeriod(parsePeriod(text))).toBe(text);
  });

  it.each([
    ['7', /expected <N><unit>/],
    ['wd', /expected <N><unit>/],
    ['7 wd', /expected <N><unit>/],
    ['7WD', /expected <N><unit>/],
    ['-1d', /expected <N><unit>/],
    ['+1d', /expected <N><unit>/],
    ['1.5d', /expected <N><unit>/],
    ['07d', /expected <N><unit>/],
    ['7w', /expected <N><unit>/],
    ['7days', /expected <N><unit>/],
    ['', /expected <N><unit>/],
    ['0wd', /0 is allowed only as 0d/],
    ['0m', /0 is allowed only as 0d/],
    ['0y', /0 is allowed only as 0d/],
    ['101y', /at most 100y/],
    ['99999999999999999999d', /non-negative integer|at most/],
  ])('rejects %j', (text, message) => {
    expect(() => parsePeriod(text)).toThrow(message);
    expect(() => parsePeriod(text)).toThrow(/^Invalid period/);
  });

  it('checks Period objects too', () => {
    expect(() => computeDeadline(cal, '2025-01-01', { n: 1.5, unit: 'd' })).toThrow(/non-negative integer/);
    expect(() => computeDeadline(cal, '2025-01-01', { n: 1, unit: 'w' as PeriodUnit })).toThrow(/expected <N><unit>/);
    expect(() => computeDeadline(cal, '2025-01-01', { n: 0, unit: 'wd' })).toThrow(/0 is allowed only as 0d/);
  });
});

describe('warningSchedule', () => {
  it('turns yellow when two working days remain', () => {
    // Working days before 2025-10-09: 09-30, then 09-29 (10-01..08 are holidays).
    expect(warningSchedule(cal, '2025-10-09')).toEqual({
      yellowFrom: '2025-09-30T00:00:00+08:00',
      lastDayFrom: '2025-10-09T00:00:00+08:00',
      deadline: '2025-10-09T23:59:59+08:00',
      provisional: false,
    });
    expect(warningSchedule(cal, '2025-03-14').yellowFrom).toBe('2025-03-13T00:00:00+08:00'); // Fri: Thu and Fri remain
    expect(warningSchedule(cal, '2025-03-17').yellowFrom).toBe('2025-03-14T00:00:00+08:00'); // Mon: Fri and Mon remain
    expect(warningSchedule(cal, '2027-01-05').provisional).toBe(true);
  });

  it('leaves at most two working days from yellowFrom, and three the day before', () => {
    fc.assert(
      fc.property(publishedStart, (lastDay) => {
        fc.pre(cal.isWorkday(lastDay) && lastDay >= '2004-02-01');
        const yellowDate = shanghaiDateOf(warningSchedule(cal, lastDay).yellowFrom);
        expect(cal.workingDaysBetween(addDays(yellowDate, -1), lastDay).count).toBe(2);
        expect(cal.workingDaysBetween(addDays(yellowDate, -2), lastDay).count).toBe(3);
      }),
    );
  });
});

describe('nextWorkingDayStart', () => {
  it('starts the first working day after the Shanghai date of the instant', () => {
    expect(nextWorkingDayStart(cal, '2025-09-29T10:00:00+08:00')).toEqual({ at: '2025-09-30T00:00:00+08:00', provisional: false });
    // 2025-09-30T17:00Z is already 10-01 in Shanghai; the next working day is 10-09.
    expect(nextWorkingDayStart(cal, '2025-09-30T17:00:00Z')).toEqual({ at: '2025-10-09T00:00:00+08:00', provisional: false });
    expect(nextWorkingDayStart(cal, '2025-10-10T23:59:59+08:00')).toEqual({ at: '2025-10-11T00:00:00+08:00', provisional: false });
    expect(nextWorkingDayStart(cal, '2026-12-31T12:00:00+08:00')).toEqual({ at: '2027-01-01T00:00:00+08:00', provisional: true });
  });
});
