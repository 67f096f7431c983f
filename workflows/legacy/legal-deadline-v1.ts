import { condition, defineSignal, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { createCalendarActivities } from '../../activities/calendar';
import { DeadlineKey, DeadlineProvisionalKey, OverdueKey, WarningLevelKey, type WarningLevel } from '../search-attributes';
import type { DeadlineRequest, DeadlineSchedule } from '../shared/deadline-types';

/** FROZEN: the clock as released before the process kit, for the v1 case file and AV record only. */
const calendarPublishedSignal = defineSignal<[{ year: number }]>('calendarPublished');

const calendar = proxyActivities<ReturnType<typeof createCalendarActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});

export interface DeadlineChange {
  reason: string;
  before: DeadlineSchedule;
  after: DeadlineSchedule;
}

export interface LegalDeadlineHooks {
  /** Two working days or less remain. */
  onYellow?(schedule: DeadlineSchedule): Promise<void>;
  /** The last day has begun. */
  onLastDay?(schedule: DeadlineSchedule): Promise<void>;
  /** Overdue: called when the deadline passes (n = 1) and at 09:00 each following working day. */
  onOverdue?(schedule: DeadlineSchedule, n: number): Promise<void>;
  /** The deadline moved (an extension, a newly published calendar year). */
  onChange?(change: DeadlineChange): Promise<void>;
}

/**
 * "Wait until this legal deadline, with reminders before it": one mechanism for every process.
 * The deadline is computed by an activity (recorded in history); the clock keeps the Deadline,
 * WarningLevel, Overdue and DeadlineProvisional search attributes current, because the Temporal UI
 * cannot compare with "now". Only one clock per workflow is active at a time.
 */
export class LegalDeadline {
  schedule?: DeadlineSchedule;
  level: WarningLevel = 'none';
  escalations = 0;
  private yellowSent = false;
  private lastDaySent = false;
  private nextEscalation?: string;
  private pendingReason?: string;

  constructor(
    private request: DeadlineRequest,
    private readonly hooks: LegalDeadlineHooks = {},
  ) {
    setHandler(calendarPublishedSignal, ({ year }) => {
      if (this.schedule?.provisional) this.pendingReason = `国务院办公厅公布 ${year} 年节假日安排`;
    });
  }

  get overdue(): boolean {
    return this.level === 'red';
  }

  /** Computes the deadline now (so callers can report it) without waiting. */
  async start(): Promise<DeadlineSchedule> {
    if (!this.schedule) this.apply(await calendar.computeLegalDeadline(this.request));
    return this.schedule!;
  }

  /** A new basis (e.g. an approved extension): the running wait picks it up and reschedules. */
  reschedule(request: DeadlineRequest, reason: string): void {
    this.request = request;
    this.pendingReason = reason;
  }

  /** Runs reminders and escalations until `done()` holds. */
  async waitUntil(done: () => boolean): Promise<void> {
    await this.start();
    while (!done()) {
      if (this.pendingReason !== undefined) {
        await this.recompute();
        continue;
      }
      const next = this.nextMilestone();
      const interrupted = await condition(() => done() || this.pendingReason !== undefined, Math.max(1, next.at - Date.now()));
      if (interrupted) continue;
      await next.fire();
    }
  }

  private nextMilestone(): { at: number; fire: () => Promise<void> } {
    const s = this.schedule!;
    const now = Date.now();
    const overdueAt = Date.parse(s.deadline) + 1000;
    if (this.level !== 'red') {
      if (now >= overdueAt) return { at: now, fire: () => this.becomeOverdue() };
      // Warnings whose time has passed while a later one is due are not sent late.
      if (!this.lastDaySent && now >= Date.parse(s.lastDayFrom)) this.yellowSent = true;
      if (!this.yellowSent) return { at: Date.parse(s.yellowFrom), fire: () => this.becomeYellow() };
      if (!this.lastDaySent) return { at: Date.parse(s.lastDayFrom), fire: () => this.lastDayBegins() };
      return { at: overdueAt, fire: () => this.becomeOverdue() };
    }
    return { at: Date.parse(this.nextEscalation!), fire: () => this.escalate() };
  }

  private async becomeYellow(): Promise<void> {
    this.yellowSent = true;
    this.setLevel('yellow');
    await this.hooks.onYellow?.(this.schedule!);
  }

  private async lastDayBegins(): Promise<void> {
    this.yellowSent = true;
    this.lastDaySent = true;
    this.setLevel('yellow');
    await this.hooks.onLastDay?.(this.schedule!);
  }

  private async becomeOverdue(): Promise<void> {
    this.setLevel('red');
    await this.escalate();
  }

  private async escalate(): Promise<void> {
    this.escalations += 1;
    await this.hooks.onOverdue?.(this.schedule!, this.escalations);
    this.nextEscalation = (await calendar.nextEscalationAt(new Date().toISOString())).at;
  }

  private async recompute(): Promise<void> {
    const reason = this.pendingReason!;
    this.pendingReason = undefined;
    const before = this.schedule!;
    const after = await calendar.computeLegalDeadline(this.request);
    if (after.deadline === before.deadline && after.provisional === before.provisional) return;
    this.apply(after);
    // Re-arm what now lies in the future; a deadline moved past now is no longer overdue.
    const now = Date.now();
    if (now < Date.parse(after.yellowFrom)) this.yellowSent = false;
    if (now < Date.parse(after.lastDayFrom)) this.lastDaySent = false;
    if (now <= Date.parse(after.deadline)) {
      this.escalations = 0;
      this.nextEscalation = undefined;
      this.setLevel(now >= Date.parse(after.yellowFrom) ? 'yellow' : 'none');
    }
    await this.hooks.onChange?.({ reason, before, after });
  }

  private apply(schedule: DeadlineSchedule): void {
    this.schedule = schedule;
    upsertSearchAttributes([
      { key: DeadlineKey, value: new Date(schedule.deadline) },
      { key: DeadlineProvisionalKey, value: schedule.provisional },
    ]);
    this.setLevel(this.level);
  }

  private setLevel(level: WarningLevel): void {
    this.level = level;
    upsertSearchAttributes([
      { key: WarningLevelKey, value: level },
      { key: OverdueKey, value: level === 'red' },
    ]);
  }
}
