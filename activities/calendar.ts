import { nextWorkingDayStart } from '../domain/periods';
import { CalendarStore, type CalendarChoice } from '../infra/calendar-store';
import type { DeadlineRequest, DeadlineSchedule } from '../workflows/shared/deadline-types';
import type { ActivityDeps } from './index';

/** Escalations of overdue work go out at the start of office hours on each working day. */
export const ESCALATION_HOUR = 9;

/** Deadlines are computed here, never in workflow code: the result is recorded in history. */
export function createCalendarActivities({ pool }: Pick<ActivityDeps, 'pool'>) {
  const store = new CalendarStore(pool);

  return {
    /**
     * The deadline on one recorded calendar version: exactly `choice.asOf` when a re-timing names it
     * (a retried or replayed re-timing gets the same answer, whatever was published since), else the
     * latest; the schedule says which (`calendar`, and the end of `basis`).
     */
    async computeLegalDeadline(request: DeadlineRequest, choice: CalendarChoice = {}): Promise<DeadlineSchedule> {
      return store.legalDeadline(request, choice);
    },

    /** When the next daily escalation of overdue work goes out: 09:00 of the next working day. */
    async nextEscalationAt(afterInstant: string): Promise<{ at: string; provisional: boolean }> {
      const next = nextWorkingDayStart(await store.calendar(), afterInstant);
      return { at: next.at.replace('T00:00:00', `T${String(ESCALATION_HOUR).padStart(2, '0')}:00:00`), provisional: next.provisional };
    },
  };
}
