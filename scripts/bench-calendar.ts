/** Deadline computations per second against the official calendar, beside a parse+format baseline. */
import { fromDayNumber, toDayNumber } from '../domain/dates';
import { officialCalendar } from '../domain/official-calendar';
import { computeDeadline } from '../domain/periods';
import { consume, formatRate, measureRate, seededRandom, type BenchSection } from './benchkit';

const DATE_COUNT = 100_000;
const SEED = 20_190_534;
const PERIODS = ['7wd', '20wd', '5y'];

function randomDates(): string[] {
  const random = seededRandom(SEED);
  const first = toDayNumber('2005-01-01');
  const span = toDayNumber('2025-12-31') - first + 1;
  return Array.from({ length: DATE_COUNT }, () => fromDayNumber(first + Math.floor(random() * span)));
}

export const benchSection: BenchSection = {
  name: 'calendar',
  description: `deadlines per second over ${DATE_COUNT.toLocaleString('en')} seeded random start dates 2005–2025`,
  run() {
    const calendar = officialCalendar();
    const dates = randomDates();
    // The floor for any deadline: reading the start date and writing a date back.
    const baseline = measureRate(() => {
      for (const date of dates) consume(fromDayNumber(toDayNumber(date)));
    }, dates.length);
    for (const period of PERIODS) {
      const rate = measureRate(() => {
        for (const date of dates) consume(computeDeadline(calendar, date, period).lastDay);
      }, dates.length);
      console.log(`${period}: ${formatRate(rate)}, baseline parse+format ${formatRate(baseline)}, ratio ${(rate / baseline).toFixed(2)} of baseline`);
    }
  },
};
