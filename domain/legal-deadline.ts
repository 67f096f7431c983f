// A legal deadline from its request (statute steps or an hour limit, an optional cap) on a working-day
// calendar. Pure: the calendar activity (activities/calendar.ts computeLegalDeadline, whose result
// the workflows' clocks record) and the API (the deadline a POST /api/reviews answers before the
// workflow has reported it) compute it with this one function.
import type { DeadlineRequest, DeadlineSchedule } from '../workflows/shared/deadline-types';
import type { WorkingCalendar } from './calendar';
import { compareDates, endOfDayShanghai, formatShanghaiInstant, shanghaiDateOf, startOfDayShanghai } from './dates';
import { computeDeadline, warningSchedule } from './periods';
import { HOUR_LIMITS, STATUTES, hourLimitDeadline, type HourLimitKey, type StatuteKey } from './statutes';

export function legalDeadlineSchedule(calendar: WorkingCalendar, request: DeadlineRequest): DeadlineSchedule {
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
}
