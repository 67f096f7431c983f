import { shanghaiDateOf, formatShanghaiInstant, compareDates, endOfDayShanghai, startOfDayShanghai } from '../domain/dates';
import { computeDeadline, nextWorkingDayStart, warningSchedule } from '../domain/periods';
import { HOUR_LIMITS, STATUTES, hourLimitDeadline, type HourLimitKey, type StatuteKey } from '../domain/statutes';
import { CalendarStore } from '../infra/calendar-store';
import type { DeadlineRequest, DeadlineSchedule } from '../workflows/shared/deadline-types';
import type { ActivityDeps } from './index';

/** Escalations of overdue work go out at the start of office hours on each working day. */
export const ESCALATION_HOUR = 9;

/** Deadlines are computed here, never in workflow code: the result is recorded in history. */
export function createCalendarActivities({ pool }: Pick<ActivityDeps, 'pool'>) {
  const store = new CalendarStore(pool);

  return {
    async computeLegalDeadline(request: DeadlineRequest): Promise<DeadlineSchedule> {
      const calendar = await store.calendar();
      if (request.hourLimit) {
        const limit = HOUR_LIMITS[request.hourLimit as HourLimitKey];
        if (!limit) throw new RangeError(`hourLimit: unknown hour limit ${request.hourLimit}`);
        const deadline = hourLimitDeadline(request.hourLimit as HourLimitKey, request.from);
        const from = formatShanghaiInstant(request.from);
        return { lastDay: shanghaiDateOf(deadline), deadline, yellowFrom: from, lastDayFrom: from, provisional: false, capped: false, basis: `${limit.hours} 小时（${limit.source}）` };
      }
      if (!request.steps?.length) throw new RangeError('steps: a deadline request needs steps or an hourLimit');
      let day = shanghaiDateOf(request.from);
      let provisional = false;
      const basis: string[] = [];
      for (const step of request.steps) {
        const statute = 'statute' in step ? STATUTES[step.statute as StatuteKey] : undefined;
        if ('statute' in step && !statute) throw new RangeError(`steps: unknown statute ${step.statute}`);
        const period = statute ? statute.period : (step as { period: string }).period;
        const extend = statute ? statute.extend : (step as { extend?: boolean }).extend ?? true;
        const result = computeDeadline(calendar, day, period, { extend });
        provisional ||= result.provisional;
        basis.push(statute ? `${period}（${statute.source}）` : period);
        day = result.lastDay;
      }
      let capped = false;
      if (request.capDate && compareDates(request.capDate, day) < 0) {
        day = request.capDate;
        capped = true;
        basis.push(`不超过 ${request.capDate}`);
      }
      const warnings = warningSchedule(calendar, day);
      return {
        lastDay: day,
        deadline: endOfDayShanghai(day),
        yellowFrom: warnings.yellowFrom,
        lastDayFrom: startOfDayShanghai(day),
        provisional: provisional || warnings.provisional || !calendar.isPublished(Number(day.slice(0, 4))),
        capped,
        basis: `自 ${shanghaiDateOf(request.from)} 起 ${basis.join(' + ')}`,
      };
    },

    /** When the next daily escalation of overdue work goes out: 09:00 of the next working day. */
    async nextEscalationAt(afterInstant: string): Promise<{ at: string; provisional: boolean }> {
      const next = nextWorkingDayStart(await store.calendar(), afterInstant);
      return { at: next.at.replace('T00:00:00', `T${String(ESCALATION_HOUR).padStart(2, '0')}:00:00`), provisional: next.provisional };
    },
  };
}
