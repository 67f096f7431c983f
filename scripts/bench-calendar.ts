/**
 * Target 4 (issue 15): working-day deadlines per second against the official calendar, as a ratio
 * of a parse+format loop over the same dates (the floor for any deadline: read the start date,
 * write a date back). Target ≥ 0.9×. The working-day index in domain/calendar.ts serves it;
 * test/domain/working-day-index.test.ts checks the answers against the old walk on every date 2004–2027.
 */
import { fromDayNumber, toDayNumber } from '../domain/dates';
import { officialCalendar } from '../domain/official-calendar';
import { computeDeadline } from '../domain/periods';
import { consume, formatRate, measureRate, note, report, seededRandom, type BenchSection } from './benchkit';

const DATE_COUNT = 100_000;
const SEED = 20_190_534;
const PERIODS = ['7wd', '20wd', '60wd', '15d', '5y'];

function randomDates(): string[] {
  const random = seededRandom(SEED);
  const first = toDayNumber('2005-01-01');
  const span = toDayNumber('2025-12-31') - first + 1;
  return Array.from({ length: DATE_COUNT }, () => fromDayNumber(first + Math.floor(random() * span)));
}

export const benchSection: BenchSection = {
  name: 'calendar',
  description: `deadlines per second over ${DATE_COUNT.toLocaleString('en')} seeded random start dates 2005–2025, ratio to parse+format of the same dates`,
  run() {
    const calendar = officialCalendar();
    const dates = randomDates();
    const baseline = measureRate(() => {
      for (const date of dates) consume(fromDayNumber(toDayNumber(date)));
    }, dates.length);
    for (const period of PERIODS) {
      const rate = measureRate(() => {
        for (const date of dates) consume(computeDeadline(calendar, date, period).lastDay);
      }, dates.length);
      note(`  ${period}: ${formatRate(rate)} against parse+format ${formatRate(baseline)}`);
      report({ name: `calendar ${period}`, value: rate, unit: 'ops/s', baseline, target: '≥ 0.9× parse+format', holds: rate / baseline >= 0.9 });
    }
  },
};
