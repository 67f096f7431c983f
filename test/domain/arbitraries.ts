/** fast-check arbitraries shared by the domain tests. */
import fc from 'fast-check';
import { fromDayNumber, toDayNumber } from '../../domain/dates';

/** The official data covers exactly these years. */
export const FIRST_PUBLISHED_YEAR = 2004;
export const LAST_PUBLISHED_YEAR = 2026;

export function dateBetween(from: string, to: string): fc.Arbitrary<string> {
  return fc.integer({ min: toDayNumber(from), max: toDayNumber(to) }).map(fromDayNumber);
}

/** Mostly published years, with both edges and unpublished years on either side. */
export const anyStart = dateBetween('2002-06-01', '2028-06-30');
export const publishedStart = dateBetween(`${FIRST_PUBLISHED_YEAR}-01-01`, `${LAST_PUBLISHED_YEAR}-12-31`);
