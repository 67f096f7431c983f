import { validateYearArrangement, WorkingCalendar, type YearArrangement } from '../../domain/calendar';
import { addDays, weekday } from '../../domain/dates';
import { officialArrangements, officialCalendar } from '../../domain/official-calendar';
import { computeDeadline } from '../../domain/periods';

const cal = officialCalendar();

function datesFrom(first: string, last: string): string[] {
  const dates: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) dates.push(d);
  return dates;
}

/**
 * The State Council notices (国务院办公厅关于YYYY年部分节假日安排的通知) for 春节 and 国庆节, with their
 * 调休 working days, and a 7-working-day period started on the eve of each holiday (counted by hand).
 * 2020's Spring Festival is as extended by 国办发明电〔2020〕1号 (to 2 February; the 1 February
 * working day was cancelled). 2023's and 2025's National Day include 中秋.
 */
const FESTIVALS: Array<{ year: number; festival: '春节' | '国庆节'; holidays: [string, string]; adjusted: string[]; eve: string; sevenWorkingDays: string }> = [
  { year: 2019, festival: '春节', holidays: ['2019-02-04', '2019-02-10'], adjusted: ['2019-02-02', '2019-02-03'], eve: '2019-02-03', sevenWorkingDays: '2019-02-19' },
  { year: 2020, festival: '春节', holidays: ['2020-01-24', '2020-02-02'], adjusted: ['2020-01-19'], eve: '2020-01-23', sevenWorkingDays: '2020-02-11' },
  { year: 2021, festival: '春节', holidays: ['2021-02-11', '2021-02-17'], adjusted: ['2021-02-07', '2021-02-20'], eve: '2021-02-10', sevenWorkingDays: '2021-02-25' },
  { year: 2022, festival: '春节', holidays: ['2022-01-31', '2022-02-06'], adjusted: ['2022-01-29', '2022-01-30'], eve: '2022-01-30', sevenWorkingDays: '2022-02-15' },
  { year: 2023, festival: '春节', holidays: ['2023-01-21', '2023-01-27'], adjusted: ['2023-01-28', '2023-01-29'], eve: '2023-01-20', sevenWorkingDays: '2023-02-03' },
  { year: 2024, festival: '春节', holidays: ['2024-02-10', '2024-02-17'], adjusted: ['2024-02-04', '2024-02-18'], eve: '2024-02-09', sevenWorkingDays: '2024-02-26' },
  { year: 2025, festival: '春节', holidays: ['2025-01-28', '2025-02-04'], adjusted: ['2025-01-26', '2025-02-08'], eve: '2025-01-27', sevenWorkingDays: '2025-02-12' },
  { year: 2026, festival: '春节', holidays: ['2026-02-15', '2026-02-23'], adjusted: ['2026-02-14', '2026-02-28'], eve: '2026-02-14', sevenWorkingDays: '2026-03-03' },
  { year: 2019, festival: '国庆节', holidays: ['2019-10-01', '2019-10-07'], adjusted: ['2019-09-29', '2019-10-12'], eve: '2019-09-30', sevenWorkingDays: '2019-10-15' },
  { year: 2020, festival: '国庆节', holidays: ['2020-10-01', '2020-10-08'], adjusted: ['2020-09-27', '2020-10-10'], eve: '2020-09-30', sevenWorkingDays: '2020-10-16' },
  { year: 2021, festival: '国庆节', holidays: ['2021-10-01', '2021-10-07'], adjusted: ['2021-09-26', '2021-10-09'], eve: '2021-09-30', sevenWorkingDays: '2021-10-15' },
  { year: 2022, festival: '国庆节', holidays: ['2022-10-01', '2022-10-07'], adjusted: ['2022-10-08', '2022-10-09'], eve: '2022-09-30', sevenWorkingDays: '2022-10-14' },
  { year: 2023, festival: '国庆节', holidays: ['2023-09-29', '2023-10-06'], adjusted: ['2023-10-07', '2023-10-08'], eve: '2023-09-28', sevenWorkingDays: '2023-10-13' },
  { year: 2024, festival: '国庆节', holidays: ['2024-10-01', '2024-10-07'], adjusted: ['2024-09-29', '2024-10-12'], eve: '2024-09-30', sevenWorkingDays: '2024-10-15' },
  { year: 2025, festival: '国庆节', holidays: ['2025-10-01', '2025-10-08'], adjusted: ['2025-09-28', '2025-10-11'], eve: '2025-09-30', sevenWorkingDays: '2025-10-16' },
  { year: 2026, festival: '国庆节', holidays: ['2026-10-01', '2026-10-07'], adjusted: ['2026-09-20', '2026-10-10'], eve: '2026-09-30', sevenWorkingDays: '2026-10-15' },
];

describe.each(FESTIVALS)('$year $festival', ({ year, festival, holidays: [first, last], adjusted, eve, sevenWorkingDays }) => {
  it(`is a holiday from ${first} to ${last}, and only then`, () => {
    for (const date of datesFrom(first, last)) {
      expect(cal.dayInfo(date)).toMatchObject({ kind: 'holiday', workday: false, published: true });
      expect(['国庆节', '中秋', '春节']).toContain(cal.dayInfo(date).name);
    }
    expect(cal.dayKind(addDays(first, -1))).not.toBe('holiday');
    expect(cal.dayKind(addDays(last, 1))).not.toBe('holiday');
  });

  it(`makes ${adjusted.join(', ')} working days (调休), and no other weekend day for ${festival}`, () => {
    for (const date of adjusted) {
      expect([0, 6]).toContain(weekday(date));
      expect(cal.dayInfo(date)).toMatchObject({ kind: 'adjusted_workday', workday: true, name: festival });
    }
    const listed = cal.arrangement(year)!.workdays.filter((d) => d.name === festival).map((d) => d.date);
    expect(listed).toEqual(adjusted);
  });

  it(`ends a 7wd period started on ${eve} on ${sevenWorkingDays}`, () => {
    expect(computeDeadline(cal, eve, '7wd')).toEqual({
      start: eve,
      period: '7wd',
      lastDay: sevenWorkingDays,
      deadline: `${sevenWorkingDays}T23:59:59+08:00`,
      provisional: false,
      extended: false,
    });
  });
});

describe('official calendar', () => {
  it('publishes exactly 2004–2026', () => {
    expect(cal.publishedYears()).toEqual(Array.from({ length: 23 }, (_, i) => 2004 + i));
    expect(cal.isPublished(2003)).toBe(false);
    expect(cal.isPublished(2027)).toBe(false);
  });

  it('classifies ordinary days by weekday', () => {
    expect(cal.dayInfo('2025-03-12')).toEqual({ date: '2025-03-12', kind: 'workday', workday: true, published: true });
    expect(cal.dayInfo('2025-03-15')).toEqual({ date: '2025-03-15', kind: 'weekend', workday: false, published: true });
  });

  it('uses the Chinese names', () => {
    expect(cal.dayInfo('2025-10-06').name).toBe('中秋');
    expect(cal.dayInfo('2026-01-04')).toMatchObject({ kind: 'adjusted_workday', name: '元旦' });
    expect(cal.dayInfo('2015-09-03')).toMatchObject({ kind: 'holiday', name: '中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日' });
  });

  it('classifies unpublished years by weekday only, and says so', () => {
    expect(cal.dayInfo('2027-01-01')).toEqual({ date: '2027-01-01', kind: 'workday', workday: true, published: false });
    expect(cal.dayInfo('2027-01-02')).toEqual({ date: '2027-01-02', kind: 'weekend', workday: false, published: false });
    expect(cal.dayKind('2003-10-01')).toBe('workday');
    expect(cal.nextWorkday('2026-12-31')).toEqual({ date: '2027-01-01', provisional: true });
  });

  it('is memoised', () => {
    expect(officialCalendar()).toBe(cal);
  });

  it('counts working days between two dates, either way round', () => {
    // After 2025-09-30: 10-09, 10-10, 10-11 (调休), 10-13.
    expect(cal.workingDaysBetween('2025-09-30', '2025-10-13')).toEqual({ count: 4, provisional: false });
    expect(cal.workingDaysBetween('2025-10-13', '2025-09-30')).toEqual({ count: -4, provisional: false });
    expect(cal.workingDaysBetween('2026-12-30', '2027-01-04')).toEqual({ count: 3, provisional: true });
    expect(cal.subtractWorkingDays('2025-10-13', 4)).toEqual({ date: '2025-09-30', provisional: false });
    expect(cal.addWorkingDays('2025-10-13', 0)).toEqual({ date: '2025-10-13', provisional: false });
    expect(() => cal.addWorkingDays('2025-10-13', -1)).toThrow(/non-negative/);
  });
});

describe('publishing a year at run time', () => {
  const year2027: YearArrangement = {
    year: 2027,
    holidays: [
      { date: '2027-01-01', name: '元旦' },
      { date: '2027-01-02', name: '元旦' },
      { date: '2027-01-03', name: '元旦' },
    ],
    workdays: [{ date: '2027-01-09', name: '元旦' }], // invented for the test
  };

  it('turns provisional answers into published ones', () => {
    const before = computeDeadline(cal, '2026-12-31', '3wd');
    expect(before).toMatchObject({ lastDay: '2027-01-05', provisional: true });
    const updated = cal.withArrangement(year2027);
    expect(updated.publishedYears()).toContain(2027);
    expect(computeDeadline(updated, '2026-12-31', '3wd')).toMatchObject({ lastDay: '2027-01-06', provisional: false });
    expect(updated.dayKind('2027-01-09')).toBe('adjusted_workday');
    expect(cal.isPublished(2027)).toBe(false); // the original is unchanged
  });

  it('replaces a year already published', () => {
    const replaced = cal.withArrangement({ year: 2026, holidays: [], workdays: [] });
    expect(replaced.dayKind('2026-10-01')).toBe('workday');
    expect(replaced.publishedYears()).toEqual(cal.publishedYears());
  });

  it('leaves a gap year unpublished', () => {
    const gapped = new WorkingCalendar([{ year: 2020, holidays: [], workdays: [] }, { year: 2022, holidays: [], workdays: [] }]);
    expect(gapped.dayInfo('2021-06-01').published).toBe(false);
    expect(gapped.dayInfo('2022-06-01').published).toBe(true);
    expect(new WorkingCalendar([]).dayInfo('2025-06-02')).toMatchObject({ kind: 'workday', published: false });
  });

  it('refuses an invalid arrangement or the same year twice', () => {
    expect(() => new WorkingCalendar([{ year: 2027, holidays: [{ date: '2026-12-31', name: 'x' }], workdays: [] }])).toThrow(
      'Invalid calendar arrangement for year 2027: holidays[0].date: 2026-12-31 is not in 2027',
    );
    expect(() => new WorkingCalendar([year2027, year2027])).toThrow(/given twice/);
  });
});

describe('validateYearArrangement', () => {
  const valid = {
    year: 2025,
    holidays: [
      { date: '2025-10-02', name: '国庆节' },
      { date: '2025-10-01', name: '国庆节' },
    ],
    workdays: [{ date: '2025-09-28', name: '国庆节' }],
  };

  it('accepts a valid year and returns a clean, sorted copy', () => {
    const result = validateYearArrangement({ ...valid, extra: 'ignored' });
    expect(result).toEqual({
      ok: true,
      value: {
        year: 2025,
        holidays: [
          { date: '2025-10-01', name: '国庆节' },
          { date: '2025-10-02', name: '国庆节' },
        ],
        workdays: [{ date: '2025-09-28', name: '国庆节' }],
      },
    });
  });

  it('accepts every bundled official year', () => {
    for (const arrangement of officialArrangements()) expect(validateYearArrangement(arrangement).ok).toBe(true);
  });

  const issuesOf = (input: unknown) => {
    const result = validateYearArrangement(input);
    if (result.ok) throw new Error('expected issues');
    return result.issues;
  };

  it.each([
    ['not an object', null, '', /expected an object/],
    ['an array', [], '', /expected an object/],
    ['a year before 1900', { ...valid, year: 1899, holidays: [], workdays: [] }, 'year', /1900\.\.2200/],
    ['a year after 2200', { ...valid, year: 2201, holidays: [], workdays: [] }, 'year', /1900\.\.2200/],
    ['a fractional year', { ...valid, year: 2025.5 }, 'year', /integer/],
    ['a year as a string', { ...valid, year: '2025' }, 'year', /integer/],
    ['holidays not a list', { ...valid, holidays: {} }, 'holidays', /array/],
    ['a missing workdays list', { year: 2025, holidays: [] }, 'workdays', /array/],
    ['an entry that is not an object', { ...valid, holidays: ['2025-10-01'] }, 'holidays[0]', /date, name/],
    ['an impossible date', { ...valid, holidays: [{ date: '2025-02-30', name: 'x' }] }, 'holidays[0].date', /2025-02 has days 01\.\.28/],
    ['a date that is not a string', { ...valid, holidays: [{ date: 20251001, name: 'x' }] }, 'holidays[0].date', /expected a string/],
    ['a date in another year', { ...valid, holidays: [{ date: '2026-01-01', name: '元旦' }] }, 'holidays[0].date', /not in 2025/],
    ['an empty name', { ...valid, holidays: [{ date: '2025-10-01', name: '' }] }, 'holidays[0].name', /non-empty/],
    ['a blank name', { ...valid, holidays: [{ date: '2025-10-01', name: '  ' }] }, 'holidays[0].name', /non-empty/],
    ['a missing name', { ...valid, holidays: [{ date: '2025-10-01' }] }, 'holidays[0].name', /non-empty/],
    ['a duplicate holiday', { ...valid, holidays: [...valid.holidays, { date: '2025-10-01', name: '国庆节' }] }, 'holidays[2].date', /listed twice \(holidays\[1\]\)/],
    ['a day both holiday and working day', { ...valid, workdays: [{ date: '2025-10-04', name: 'x' }], holidays: [{ date: '2025-10-04', name: 'x' }] }, 'workdays[0].date', /both a holiday and a working day/],
    ['an adjusted working day on a weekday', { ...valid, workdays: [{ date: '2025-09-29', name: '国庆节' }] }, 'workdays[0].date', /Saturday or Sunday/],
  ])('rejects %s', (_label, input, path, message) => {
    const issues = issuesOf(input);
    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('reports every issue at once', () => {
    const issues = issuesOf({ year: 2025, holidays: [{ date: '2024-01-01', name: '' }], workdays: [{ date: '2025-01-01', name: 'x' }] });
    expect(issues.map((i) => i.path)).toEqual(['holidays[0].name', 'holidays[0].date', 'workdays[0].date']);
  });
});

it('hands out arrangements that cannot be changed behind the calendar’s back', () => {
  const arrangement = cal.arrangement(2025)!;
  expect(() => arrangement.holidays.push({ date: '2025-03-03', name: 'x' })).toThrow(TypeError);
  expect(() => {
    arrangement.workdays[0]!.date = '2025-03-04';
  }).toThrow(TypeError);
  expect(cal.dayKind('2025-03-03')).toBe('workday');
});
