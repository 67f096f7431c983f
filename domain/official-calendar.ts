/**
 * The State Council's published holiday arrangements, 2004–2026, from the `chinese-days` package.
 * Years it does not cover are unpublished (see WorkingCalendar), never a silent Monday–Friday.
 */
import { WorkingCalendar, type YearArrangement } from './calendar';

/** Who published the bundled years (also written by the calendar migration). */
export const OFFICIAL_PUBLISHER = '国务院办公厅 (chinese-days package)';

/** Each map: 'YYYY-MM-DD' -> "English name,中文名,days". */
interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

// The one I/O of the domain: a data file shipped inside a dependency, read once.
const data = require('chinese-days/dist/chinese-days.json') as ChineseDaysData;

/** The Chinese name: the field before the day count (the English name could contain commas). */
function chineseName(label: string): string {
  const parts = label.split(',');
  return (parts[parts.length - 2] ?? label).trim();
}

export function officialArrangements(): YearArrangement[] {
  const byYear = new Map<number, YearArrangement>();
  const add = (date: string, label: string, list: 'holidays' | 'workdays') => {
    // Grouped by the date's own year: the 2023 notice's 2022-12-31 holiday belongs to 2022.
    const year = Number(date.slice(0, 4));
    let arrangement = byYear.get(year);
    if (!arrangement) byYear.set(year, (arrangement = { year, holidays: [], workdays: [] }));
    arrangement[list].push({ date, name: chineseName(label) });
  };
  for (const [date, label] of Object.entries(data.holidays)) add(date, label, 'holidays');
  for (const [date, label] of Object.entries(data.workdays)) add(date, label, 'workdays');
  return [...byYear.values()].sort((a, b) => a.year - b.year);
}

let memo: WorkingCalendar | undefined;

export function officialCalendar(): WorkingCalendar {
  return (memo ??= new WorkingCalendar(officialArrangements()));
}
