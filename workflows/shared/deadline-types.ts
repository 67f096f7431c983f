// Shapes shared by the deadline activities and the workflow-side clock (no runtime code).
import type { CalendarBasis } from '../../domain/calendar';

/** One period step: a statute from the statute table (preferred), or an explicit period. */
export type DeadlineStep = { statute: string } | { period: string; extend?: boolean };

export interface DeadlineRequest {
  /** The triggering event (ISO-8601 instant); its Asia/Shanghai date is the start day, never counted. */
  from: string;
  /** Applied in turn, each from the previous last day: [review] or [review, reviewExtension]. */
  steps?: DeadlineStep[];
  /** An hour limit from the statute table instead of day periods (e.g. 24 h to store AV records). */
  hourLimit?: string;
  /** The deadline never ends after this day (YYYY-MM-DD), e.g. the decision's own statutory deadline. */
  capDate?: string;
}

export interface DeadlineSchedule {
  /** The last day, YYYY-MM-DD (Asia/Shanghai). */
  lastDay: string;
  /** End of the last day (or the hour limit), ISO-8601 with +08:00. */
  deadline: string;
  /** From here WarningLevel is yellow (two working days or less remain). */
  yellowFrom: string;
  /** Start of the last day: the last-day reminder. */
  lastDayFrom: string;
  /** Touched a year whose holiday notice is not published: recomputed when it is. */
  provisional: boolean;
  /** capDate cut the period short. */
  capped: boolean;
  /** Human-readable basis with the legal source and the calendar version, for records and the UI. */
  basis: string;
  /** The recorded calendar version it was computed from (absent: an hour limit, or computed before versions). */
  calendar?: CalendarBasis;
}
