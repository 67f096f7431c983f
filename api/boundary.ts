import type { FieldIssue } from './errors';

/**
 * Data no process can keep is refused at the boundary, for every route at once (route.ts runs this
 * before the route's own schema): Postgres refuses a NUL in text and a lone surrogate is not
 * UTF-8, so either would otherwise fail an activity again and again inside a workflow. Dates with
 * an absurd year (before the People's Republic, after 2200) are refused too: no legal period the
 * service counts starts or ends there, and the calendar cannot count them.
 */

export const MIN_YEAR = 1949;
export const MAX_YEAR = 2200;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** 'YYYY-MM-DD…' and the expanded form '+YYYYYY-MM-DD…' of ISO 8601, as a whole value. */
const DATE_START = /^([+-]\d{6}|\d{4,})-\d{2}-\d{2}(?:$|[T ])/;

export interface BoundaryIssue extends FieldIssue {
  rule: 'no_nul' | 'no_lone_surrogate' | 'year_out_of_range';
}

function stringIssue(path: string, value: string): BoundaryIssue | undefined {
  if (value.includes('\u0000')) return { path, rule: 'no_nul', message: 'must not contain the NUL character (U+0000)' };
  if (LONE_SURROGATE.test(value)) return { path, rule: 'no_lone_surrogate', message: 'must not contain a lone UTF-16 surrogate (not valid Unicode text)' };
  const date = DATE_START.exec(value);
  if (date) {
    const year = Number(date[1]);
    if (!(year >= MIN_YEAR && year <= MAX_YEAR)) return { path, rule: 'year_out_of_range', message: `year ${date[1]} is outside ${MIN_YEAR}..${MAX_YEAR}` };
  }
  return undefined;
}

/** Every string (and object key) under `value`, with its path such as `body.materials.0.ref`. */
export function boundaryIssues(value: unknown, path: string, out: BoundaryIssue[] = [], depth = 0): BoundaryIssue[] {
  if (out.length >= 20 || depth > 32) return out;
  if (typeof value === 'string') {
    const issue = stringIssue(path, value);
    if (issue) out.push(issue);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => boundaryIssues(v, `${path}.${i}`, out, depth + 1));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const keyIssue = stringIssue(`${path}.${k}`, k);
      if (keyIssue && keyIssue.rule !== 'year_out_of_range') out.push({ ...keyIssue, path: `${path}.${JSON.stringify(k).slice(1, -1)}`, message: `field name ${keyIssue.message}` });
      boundaryIssues(v, `${path}.${k}`, out, depth + 1);
    }
  }
  return out;
}
