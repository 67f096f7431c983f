import fc from 'fast-check';
import {
  addDays,
  addMonths,
  compareDates,
  daysBetween,
  endOfDayShanghai,
  formatShanghaiInstant,
  fromDayNumber,
  isIsoDate,
  parseIsoDate,
  shanghaiDateOf,
  startOfDayShanghai,
  toDayNumber,
  weekday,
} from '../../domain/dates';
import { dateBetween } from './arbitraries';

const MS_PER_DAY = 86_400_000;

describe('ISO dates', () => {
  it.each(['2025-02-30', '2024-02-30', '2023-02-29', '2025-13-01', '2025-00-10', '2025-04-31', '0000-01-01', '2025-1-01', '2025/01/01', '20250101', ' 2025-01-01', '2025-01-01T00:00:00Z', ''])(
    'rejects %j',
    (text) => {
      expect(isIsoDate(text)).toBe(false);
      expect(() => parseIsoDate(text)).toThrow(/Invalid date/);
    },
  );

  it('names the problem', () => {
    expect(() => toDayNumber('2025-02-30')).toThrow('Invalid date "2025-02-30": 2025-02 has days 01..28');
    expect(() => toDayNumber('2025-13-01')).toThrow('month 13 does not exist');
  });

  it.each(['2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31', '1970-01-01'])('accepts %s', (text) => {
    expect(isIsoDate(text)).toBe(true);
    expect(fromDayNumber(toDayNumber(text))).toBe(text);
  });

  it('agrees with Date in UTC for every year 1..9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: toDayNumber('0001-01-01'), max: toDayNumber('9999-12-31') }), (dayNumber) => {
        const date = fromDayNumber(dayNumber);
        expect(date).toBe(new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 10));
        expect(toDayNumber(date)).toBe(dayNumber);
        expect(weekday(date)).toBe(new Date(dayNumber * MS_PER_DAY).getUTCDay());
      }),
      { numRuns: 2000 },
    );
  });

  it('adds and compares days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(compareDates('2025-01-02', '2025-01-10')).toBe(-1);
    expect(compareDates('2025-01-10', '2025-01-10')).toBe(0);
    expect(weekday('2025-10-11')).toBe(6);
  });

  it.each([
    ['2024-01-31', 1, '2024-02-29'],
    ['2023-01-31', 1, '2023-02-28'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2024-02-29', 48, '2028-02-29'],
    ['2024-03-31', -1, '2024-02-29'],
    ['2024-12-31', 2, '2025-02-28'],
    ['2025-05-31', 1, '2025-06-30'],
  ])('addMonths(%s, %i) = %s', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });

  it('refuses dates past year 9999', () => {
    expect(() => addMonths('9999-12-01', 1)).toThrow(/out of range/);
    expect(() => addDays('9999-12-31', 1)).toThrow(/out of range/);
  });
});

describe('Shanghai instants', () => {
  it('takes the date at UTC+08:00', () => {
    expect(shanghaiDateOf('2025-09-30T15:59:59Z')).toBe('2025-09-30');
    expect(shanghaiDateOf('2025-09-30T16:00:00Z')).toBe('2025-10-01');
    expect(shanghaiDateOf('2025-10-01T00:00:00+08:00')).toBe('2025-10-01');
    expect(shanghaiDateOf(new Date(Date.UTC(2024, 11, 31, 16)))).toBe('2025-01-01');
    expect(shanghaiDateOf('2025-01-01T07:59:59.999+09:00')).toBe('2025-01-01');
  });

  it('refuses instants without an offset, which JavaScript would read as local time', () => {
    expect(() => shanghaiDateOf('2025-10-01T08:00:00')).toThrow(/offset/);
    expect(() => shanghaiDateOf('2025-10-01')).toThrow(/offset/);
    expect(() => shanghaiDateOf(new Date('nonsense'))).toThrow(/Invalid instant/);
  });

  it('formats day boundaries and instants at +08:00', () => {
    expect(startOfDayShanghai('2025-10-09')).toBe('2025-10-09T00:00:00+08:00');
    expect(endOfDayShanghai('2025-10-09')).toBe('2025-10-09T23:59:59+08:00');
    expect(formatShanghaiInstant('2025-09-30T16:30:05.250Z')).toBe('2025-10-01T00:30:05+08:00');
    expect(() => endOfDayShanghai('2025-02-30')).toThrow(/Invalid date/);
  });

  it('maps a day’s own boundaries back to the day', () => {
    fc.assert(
      fc.property(dateBetween('1950-01-01', '2150-12-31'), (date) => {
        expect(shanghaiDateOf(startOfDayShanghai(date))).toBe(date);
        expect(shanghaiDateOf(endOfDayShanghai(date))).toBe(date);
        expect(formatShanghaiInstant(endOfDayShanghai(date))).toBe(endOfDayShanghai(date));
      }),
    );
  });
});
