import { z } from 'zod';
import { isoDateProblem, startOfDayShanghai } from '../domain/dates';

/**
 * Shared request-body schemas for dates and legal instants. Every route that asks for a calendar
 * date or the moment something legally happened uses these, so the API accepts the same forms
 * everywhere.
 */

/** A real calendar date 'YYYY-MM-DD' (e.g. a case deadline, a holiday). */
export const isoDate = z
  .string()
  .superRefine((v, ctx) => {
    const problem = isoDateProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ format: 'date', example: '2025-10-20' });

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const datetimeWithOffset = z.iso.datetime({ offset: true });

/**
 * The moment something legally happened (a decision, a receipt, an opening, the end of an
 * enforcement action). A decision document carries a date, not an instant, so either form is
 * accepted:
 * - 'YYYY-MM-DD': that day in Asia/Shanghai, read as its start ('YYYY-MM-DDT00:00:00+08:00'). The
 *   start is the earliest reading, so a clock counted from it never ends later than the law allows;
 *   periods counted in days do not count the day of the event anyway, so the time of day does not
 *   move them.
 * - an ISO 8601 datetime with its offset ('2025-10-20T09:30:00+08:00', '…Z'); kept as given.
 * Without an offset a datetime is refused: it would be read in the server's time zone.
 */
export const legalInstant = z
  .string()
  .superRefine((v, ctx) => {
    if (DATE_ONLY.test(v)) {
      const problem = isoDateProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    } else if (!datetimeWithOffset.safeParse(v).success) {
      ctx.addIssue({ code: 'custom', message: 'expected a date YYYY-MM-DD (that day in Asia/Shanghai) or a datetime with its offset, e.g. 2025-10-20T09:30:00+08:00' });
    }
  })
  .transform((v) => (DATE_ONLY.test(v) ? startOfDayShanghai(v) : v))
  .meta({
    description: "a date 'YYYY-MM-DD' (that day in Asia/Shanghai, from 00:00+08:00) or an ISO 8601 datetime with offset",
    example: '2025-10-20',
  });

/**
 * A Unicode-aware pattern (\p{L} needs the `u` flag) that documents well: zod-to-openapi writes a
 * pattern as `regex.toString()` less its slashes, which would leave the flag in the OpenAPI
 * pattern (`…$/u`, matching nothing; Schemathesis could not generate a value). This one prints
 * without its flags.
 */
export function unicodePattern(source: string): RegExp {
  const re = new RegExp(source, 'u');
  Object.defineProperty(re, 'toString', { value: () => `/${source}/` });
  return re;
}
