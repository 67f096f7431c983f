import { condition, proxyActivities } from '@temporalio/workflow';
import type { createCalendarActivities } from '../../activities/calendar';
import type { CalendarNotice } from '../../domain/calendar';
import { DeadlineKey, DeadlineProvisionalKey, OverdueKey, WarningLevelKey, type WarningLevel } from '../search-attributes';
import type { DeadlineRequest, DeadlineSchedule } from '../shared/deadline-types';
import { DB_ACTIVITY } from './activity-options';
import { showAttributes } from './attributes';

export type { DeadlineRequest, DeadlineSchedule } from '../shared/deadline-types';

const calendar = proxyActivities<ReturnType<typeof createCalendarActivities>>(DB_ACTIVITY);

export interface DeadlineChange {
  reason: string;
  before: DeadlineSchedule;
  after: DeadlineSchedule;
}

/**
 * What the clock tells its process. `tag` (e.g. `g2:yellow`) names the milestone within the clock's
 * current generation; put it into every notification key, so a milestone re-armed by a re-timing
 * is a new notification, not a duplicate of the one before the re-timing.
 */
export interface ClockHooks {
  /** Two working days or less remain. */
  onYellow?(schedule: DeadlineSchedule, tag: string): Promise<void>;
  /** The last day has begun. */
  onLastDay?(schedule: DeadlineSchedule, tag: string): Promise<void>;
  /** The deadline passed: called ONCE per generation (the 08:30 daily digest carries overdue work after that). */
  onOverdue?(schedule: DeadlineSchedule, tag: string): Promise<void>;
  /** The deadline moved by itself (a newly published calendar year), not by `retime()`. */
  onChange?(change: DeadlineChange, tag: string): Promise<void>;
}

/** Everything the clock knows, as plain JSON: carried across continue-as-new. */
export interface ClockSnapshot {
  request: DeadlineRequest;
  schedule?: DeadlineSchedule;
  level: WarningLevel;
  /** +1 on every re-timing (extension, calendar publication). */
  generation: number;
  yellowSent: boolean;
  lastDaySent: boolean;
  overdueSent: boolean;
  pendingReason?: string;
  /** The publication the pending re-timing computes from (a versioned calendarPublished notice). */
  pendingNotice?: CalendarNotice;
}

/**
 * "Wait until this legal deadline, with reminders before it": one clock for every process.
 * The deadline is computed by an activity (so history keeps the calendar as it was); the clock
 * keeps Deadline, WarningLevel, Overdue and DeadlineProvisional current (upserted only on change),
 * because a visibility query cannot compare with "now". It registers no handler: the process kit
 * owns the `calendarPublished` signal and forwards it with `calendarPublished()`.
 */
export class LegalDeadline {
  private s: ClockSnapshot;

  constructor(
    request: DeadlineRequest,
    private readonly hooks: ClockHooks = {},
    snapshot?: ClockSnapshot,
  ) {
    this.s = snapshot ? structuredCloneJson(snapshot) : { request, level: 'none', generation: 1, yellowSent: false, lastDaySent: false, overdueSent: false };
  }

  /** A clock carried over from an earlier run (continue-as-new). */
  static restore(snapshot: ClockSnapshot, hooks: ClockHooks = {}): LegalDeadline {
    return new LegalDeadline(snapshot.request, hooks, snapshot);
  }

  snapshot(): ClockSnapshot {
    return structuredCloneJson(this.s);
  }

  get schedule(): DeadlineSchedule | undefined {
    return this.s.schedule;
  }
  get level(): WarningLevel {
    return this.s.level;
  }
  get overdue(): boolean {
    return this.s.level === 'red';
  }
  get generation(): number {
    return this.s.generation;
  }

  /** Computes the deadline now (so callers can report it) without waiting. */
  async start(): Promise<DeadlineSchedule> {
    if (!this.s.schedule) this.apply(await calendar.computeLegalDeadline(this.s.request));
    else this.showAttributes();
    return this.s.schedule!;
  }

  /**
   * The calendarPublished signal, forwarded by the process. A versioned notice (naming its
   * publication) re-times from exactly that recorded version, if the deadline was computed from an
   * older one and consulted the year (or is provisional); a notice no newer than the version already
   * applied or pending is stale or a duplicate and changes nothing (monotonic). A notice without a
   * version (histories from before versions): recompute from the latest if provisional, as before.
   */
  calendarPublished(notice: CalendarNotice): void {
    const schedule = this.s.schedule;
    if (notice.publicationId === undefined) {
      if (schedule?.provisional) this.s.pendingReason = `国务院办公厅公布 ${notice.year} 年节假日安排`;
      return;
    }
    if (!schedule) return; // not computed yet: the first computation reads the latest version
    const applied = Math.max(schedule.calendar?.asOf ?? 0, this.s.pendingNotice?.publicationId ?? 0);
    if (notice.publicationId <= applied) return;
    if (!schedule.provisional && !consultedYear(this.s.request, schedule, notice.year)) return;
    this.s.pendingNotice = notice;
    this.s.pendingReason = `国务院办公厅公布 ${notice.year} 年节假日安排（第 ${notice.revision} 版，日历版本 #${notice.publicationId}${notice.notice ? `，${notice.notice}` : ''}）`;
  }

  /**
   * A new basis decided by the process itself (an approved extension): computed at once and
   * returned, so the caller records it in its own entry (no second "deadline changed" record).
   */
  async retime(request: DeadlineRequest): Promise<DeadlineSchedule> {
    const after = await calendar.computeLegalDeadline(request);
    this.s.request = request;
    this.rearm(after);
    return after;
  }

  /**
   * Runs reminders and the overdue escalation until `done()` holds or `pause()` holds (the process
   * wants to continue as new; call `waitUntil` again in the next run). `maxWait` bounds one wait.
   */
  async waitUntil(done: () => boolean, pause: () => boolean = () => false, maxWait?: number | (() => number)): Promise<void> {
    await this.start();
    while (!done() && !pause()) {
      if (this.s.pendingReason !== undefined) {
        await this.recompute();
        continue;
      }
      const next = this.nextMilestone();
      const untilNext = next ? Math.max(1, next.at - Date.now()) : undefined;
      // A function is asked again before every wait (e.g. the time left until the run retires).
      const maxWaitMs = typeof maxWait === 'function' ? maxWait() : maxWait;
      const wait = untilNext === undefined ? maxWaitMs : maxWaitMs === undefined ? untilNext : Math.min(untilNext, maxWaitMs);
      // A re-timing (a new generation) while waiting makes the milestone waited for obsolete.
      const generation = this.s.generation;
      const interrupted = await condition(() => done() || pause() || this.s.pendingReason !== undefined || this.s.generation !== generation, wait as number);
      if (interrupted || !next || Date.now() < next.at) continue;
      await next.fire();
    }
  }

  /** The wait has ended for good: the workflow no longer runs against this deadline. */
  clearAttributes(): void {
    showAttributes([
      [WarningLevelKey, 'none'],
      [OverdueKey, false],
      [DeadlineKey, null],
      [DeadlineProvisionalKey, null],
    ]);
  }

  private tag(milestone: string): string {
    return `g${this.s.generation}:${milestone}`;
  }

  private nextMilestone(): { at: number; fire: () => Promise<void> } | undefined {
    const s = this.s.schedule!;
    const now = Date.now();
    const overdueAt = Date.parse(s.deadline) + 1000;
    if (this.s.overdueSent) return undefined;
    if (now >= overdueAt) return { at: now, fire: () => this.becomeOverdue() };
    // Warnings whose time has passed while a later one is due are not sent late.
    if (!this.s.lastDaySent && now >= Date.parse(s.lastDayFrom)) this.s.yellowSent = true;
    if (!this.s.yellowSent) return { at: Date.parse(s.yellowFrom), fire: () => this.becomeYellow() };
    if (!this.s.lastDaySent) return { at: Date.parse(s.lastDayFrom), fire: () => this.lastDayBegins() };
    return { at: overdueAt, fire: () => this.becomeOverdue() };
  }

  private async becomeYellow(): Promise<void> {
    this.s.yellowSent = true;
    this.setLevel('yellow');
    await this.hooks.onYellow?.(this.s.schedule!, this.tag('yellow'));
  }

  private async lastDayBegins(): Promise<void> {
    this.s.yellowSent = true;
    this.s.lastDaySent = true;
    this.setLevel('yellow');
    await this.hooks.onLastDay?.(this.s.schedule!, this.tag('last-day'));
  }

  private async becomeOverdue(): Promise<void> {
    this.s.overdueSent = true;
    this.setLevel('red');
    await this.hooks.onOverdue?.(this.s.schedule!, this.tag('overdue'));
  }

  private async recompute(): Promise<void> {
    const reason = this.s.pendingReason!;
    const notice = this.s.pendingNotice;
    this.s.pendingReason = undefined;
    const before = this.s.schedule!;
    // Exactly the version the notice names: a retry or replay computes the same, whatever came later.
    const after = notice ? await calendar.computeLegalDeadline(this.s.request, { asOf: notice.publicationId }) : await calendar.computeLegalDeadline(this.s.request);
    // Kept while computing, so a duplicate arriving meanwhile is seen as one; a newer one replaced it.
    if (this.s.pendingNotice === notice) this.s.pendingNotice = undefined;
    if (after.deadline === before.deadline && after.provisional === before.provisional) {
      // Same deadline on the newer version: remember the version (later stale notices are ignored), no new generation.
      if (notice) this.s.schedule = after;
      return;
    }
    this.rearm(after);
    await this.hooks.onChange?.({ reason, before, after }, this.tag('changed'));
  }

  /** A new schedule: a new generation; re-arm what now lies in the future. */
  private rearm(after: DeadlineSchedule): void {
    this.s.generation += 1;
    this.apply(after);
    const now = Date.now();
    if (now < Date.parse(after.yellowFrom)) this.s.yellowSent = false;
    if (now < Date.parse(after.lastDayFrom)) this.s.lastDaySent = false;
    if (now <= Date.parse(after.deadline)) {
      this.s.overdueSent = false;
      this.setLevel(now >= Date.parse(after.yellowFrom) ? 'yellow' : 'none');
    }
  }

  private apply(schedule: DeadlineSchedule): void {
    this.s.schedule = schedule;
    this.showAttributes();
  }

  private setLevel(level: WarningLevel): void {
    this.s.level = level;
    this.showAttributes();
  }

  private showAttributes(): void {
    const schedule = this.s.schedule;
    showAttributes([
      [DeadlineKey, schedule ? new Date(schedule.deadline) : null],
      [DeadlineProvisionalKey, schedule ? schedule.provisional : null],
      [WarningLevelKey, this.s.level],
      [OverdueKey, this.s.level === 'red'],
    ]);
  }
}

/** Whether computing this deadline consulted `year`'s calendar (recorded by the activity; older schedules: the span from start to last day). */
function consultedYear(request: DeadlineRequest, schedule: DeadlineSchedule, year: number): boolean {
  if (request.hourLimit) return false;
  if (schedule.calendar) return schedule.calendar.years.some((y) => y.year === year) || schedule.calendar.unpublished.includes(year);
  return Number(request.from.slice(0, 4)) - 1 <= year && year <= Number(schedule.lastDay.slice(0, 4));
}

const structuredCloneJson = <T>(value: T): T => JSON.parse(JSON.stringify(value));
