// The per-workflow process kit: one instance per run, shared by every process (legal review, case file, …).
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  defineSignal,
  log,
  makeContinueAsNewFunc,
  proxyActivities,
  setCurrentDetails as setDetails,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { createDocumentActivities, StoreDocumentInput } from '../../activities/documents';
import type { createNotificationActivities, NotifyInput } from '../../activities/notifications';
import type { CaseRecordInput, createRecordActivities } from '../../activities/records';
import { ALL_SEARCH_ATTRIBUTE_KEYS, StatusKey } from '../search-attributes';
import { DB_ACTIVITY, NOTIFY_ACTIVITY } from './activity-options';
import { showAttributes, type AttributeUpdate } from './attributes';
import type { CalendarNotice } from '../../domain/calendar';
import { LegalDeadline, type ClockHooks, type ClockSnapshot, type DeadlineRequest } from './clock';

const db = proxyActivities<ReturnType<typeof createRecordActivities> & ReturnType<typeof createDocumentActivities>>(DB_ACTIVITY);
const notifications = proxyActivities<ReturnType<typeof createNotificationActivities>>(NOTIFY_ACTIVITY);

/** Sent to every running workflow with a provisional deadline when a calendar year is published. */
export const calendarPublishedSignal = defineSignal<[CalendarNotice]>('calendarPublished');

/** What the kit carries from one run to the next (continue-as-new), as plain JSON. */
export interface KitCarry {
  /** The deterministic sequence behind every idempotency key. */
  seq: number;
  clock?: ClockSnapshot;
  /** The search attributes at continue-as-new, re-set in the next run if the server did not carry them. */
  attributes?: Record<string, string | boolean | number>;
}

/**
 * Continue-as-new limits: a run retires when the server suggests it, when its history passes
 * MAX_HISTORY_EVENTS, or when it is older than MAX_RUN_AGE_MS, so even a quiet workflow that lives
 * for years leaves old code paths (and `patched()` branches) behind within a year.
 */
export const MAX_HISTORY_EVENTS = 2_000;
export const MAX_RUN_AGE_MS = 180 * 24 * 3_600_000;

export type RecordEntry = Omit<CaseRecordInput, 'unit' | 'caseNumber' | 'idempotencyKey' | 'occurredAt' | 'stage'> & {
  stage?: CaseRecordInput['stage'];
  occurredAt?: string;
};
export type Notice = Omit<NotifyInput, 'idempotencyKey' | 'link'>;

export interface ProcessKitOptions {
  unit: string;
  caseNumber: string;
  link: NotifyInput['link'];
  carry?: KitCarry;
  /** Tests lower the limits to see continue-as-new happen. */
  maxHistoryEvents?: number;
  maxRunAgeMs?: number;
}

/**
 * One per run. Handlers run one at a time (`exclusive`: a Mutex, as Temporal's safe-message-handlers
 * sample) and only after `initialised()`; effects carry run-scoped deterministic idempotency keys
 * (`<workflowId>:<runId>:<seq>:<label>`: a reset is a new run, so new facts get new keys and are
 * never swallowed by the stores); notifications are started and not awaited.
 */
export class ProcessKit {
  private readonly mutex = new Mutex();
  private ready = false;
  private seq: number;
  private inflight = 0;
  private shownDetails?: string;
  clock?: LegalDeadline;
  private readonly maxHistoryEvents: number;
  private readonly maxRunAgeMs: number;
  /** The clock of the earlier run, restored by the process with its own hooks. */
  readonly carriedClock?: ClockSnapshot;

  constructor(private readonly opts: ProcessKitOptions) {
    this.seq = opts.carry?.seq ?? 0;
    this.carriedClock = opts.carry?.clock;
    this.maxHistoryEvents = opts.maxHistoryEvents ?? MAX_HISTORY_EVENTS;
    this.maxRunAgeMs = opts.maxRunAgeMs ?? MAX_RUN_AGE_MS;
    setHandler(calendarPublishedSignal, (notice) => this.clock?.calendarPublished(notice));
    if (opts.carry?.attributes) restoreAttributes(opts.carry.attributes);
  }

  // ---- serialised handlers ----

  /** Handlers wait for this before touching state. */
  initialised(): void {
    this.ready = true;
  }

  /** Runs `fn` alone (after initialisation): no other handler or clock step interleaves. */
  async exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    await condition(() => this.ready);
    return this.mutex.runExclusive(fn);
  }

  /** The main loop's steps: alone, like a handler (no initialisation gate: the main loop initialises). */
  locked<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.mutex.runExclusive(fn);
  }

  // ---- idempotency keys ----

  /** The next key: run-scoped and deterministic; `label` only makes it readable. */
  key(label: string): string {
    this.seq += 1;
    const { workflowId, runId } = workflowInfo();
    return `${workflowId}:${runId}:${this.seq}:${label}`;
  }

  // ---- effects ----

  /** Appends to the case record (awaited: an action is done once its record entry is written). */
  record(entry: RecordEntry): Promise<{ seq: number; hash: string }> {
    return db.appendCaseRecord(this.recordInput(entry));
  }

  /** A record entry as the store takes it, with its key (taken now): for a process that writes it with other effects in one activity. */
  recordInput(entry: RecordEntry): CaseRecordInput {
    return {
      ...entry,
      stage: entry.stage ?? 'other',
      occurredAt: entry.occurredAt ?? new Date().toISOString(),
      unit: this.opts.unit,
      caseNumber: this.opts.caseNumber,
      idempotencyKey: this.key(entry.action),
    };
  }

  /** Stores a generated document once. */
  storeDocument(doc: Omit<StoreDocumentInput, 'unit' | 'caseNumber' | 'idempotencyKey'>, label: string): Promise<{ documentId: string; sha256: string }> {
    return db.storeDocument({ ...doc, unit: this.opts.unit, caseNumber: this.opts.caseNumber, idempotencyKey: this.key(label) });
  }

  /**
   * Tells a unit or person something. Started, NOT awaited: a unit's broken webhook never holds an
   * action; the kit waits for outstanding notices only before the run ends or continues as new.
   */
  notify(notice: Notice, label: string): void {
    const input = this.noticeInput(notice, label);
    this.inflight += 1;
    notifications
      .notify(input)
      .catch((err: unknown) => log.warn('notification not stored', { idempotencyKey: input.idempotencyKey, error: (err as Error).message }))
      .finally(() => {
        this.inflight -= 1;
      });
  }

  /** A notice as the notify activity takes it, with its key (taken now): for a process that stores it with other effects in one activity. */
  noticeInput(notice: Notice, label: string): NotifyInput {
    return { ...notice, link: this.opts.link, idempotencyKey: this.key(label) };
  }

  /** Status search attribute and the Temporal UI's current details, each only when it changed. */
  showState(status: string, details: { step: string; who: string; deadline?: string; note?: string }): void {
    showAttributes([[StatusKey, status]]);
    const lines = [`**步骤** ${details.step}`, `**办理** ${details.who}`];
    if (details.deadline) lines.push(`**期限** ${details.deadline}`);
    if (details.note) lines.push(details.note);
    const text = lines.join('\n\n');
    if (text !== this.shownDetails) {
      this.shownDetails = text;
      setDetails(text);
    }
  }

  // ---- the clock ----

  /** A new clock for this process (the carried one when the run continues an earlier one). */
  startClock(request: DeadlineRequest, hooks: ClockHooks, snapshot?: ClockSnapshot): LegalDeadline {
    this.clock = snapshot ? LegalDeadline.restore(snapshot, hooks) : new LegalDeadline(request, hooks);
    return this.clock;
  }

  /** The clock has stopped for good: the deadline attributes go. */
  stopClock(): void {
    this.clock?.clearAttributes();
    this.clock = undefined;
  }

  /**
   * A step of the process itself (not a caller's action) must happen: it runs like a handler (one
   * at a time with them) and, when an activity fails for good (the database away past its
   * schedule-to-close limit), is tried again, the lock released between attempts. Meanwhile the
   * Temporal UI's current details say what is stuck, so supervisors and operators see it.
   */
  async persist<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.locked(fn);
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        const reason = err.cause?.message ?? err.message;
        log.error('process step failed; trying again', { what, attempt, error: reason });
        this.shownDetails = undefined;
        setDetails(`**${what}：写入失败，第${attempt}次重试中**\n\n${reason}`);
        await sleep(Math.min(attempt * 10, 360) * 60_000); // 10 min, 20 min, … at most 6 h: a stuck step costs few events
      }
    }
  }

  /** Clock milestones as persisted steps. */
  hooked(hooks: ClockHooks): ClockHooks {
    const wrap =
      <A extends unknown[]>(what: string, fn?: (...args: A) => Promise<void>) =>
      async (...args: A) => {
        if (fn) await this.persist(what, async () => fn(...args));
      };
    return { onYellow: wrap('yellow', hooks.onYellow), onLastDay: wrap('last-day', hooks.onLastDay), onOverdue: wrap('overdue', hooks.onOverdue), onChange: wrap('deadline-changed', hooks.onChange) };
  }

  // ---- bounded history ----

  /** Time to continue as new: suggested by the server, the history cap, or the run's age. */
  continueAsNewDue(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > this.maxHistoryEvents || Date.now() - info.runStartTime.getTime() > this.maxRunAgeMs;
  }

  /** How long a wait may last before the run's age makes it continue as new. */
  msUntilRetirement(): number {
    return Math.max(1, workflowInfo().runStartTime.getTime() + this.maxRunAgeMs + 1000 - Date.now());
  }

  carry(): KitCarry {
    return { seq: this.seq, clock: this.clock?.snapshot(), attributes: currentAttributes() };
  }

  /** Every handler and every started notice has finished. */
  async settled(): Promise<void> {
    await condition(() => allHandlersFinished() && this.inflight === 0 && !this.mutex.isLocked());
  }

  /**
   * Waits until handlers and notices are done, then continues as new with `args` built at that
   * moment (state + `carry()`), keeping the search attributes.
   */
  async continueAsNew<F extends (...args: any[]) => Promise<unknown>>(args: () => Parameters<F>): Promise<never> {
    await this.settled();
    // Both forms: attributes set at start without type metadata (some servers strip it) are only in
    // the untyped map; the typed one holds what this workflow upserted.
    const info = workflowInfo();
    const next = makeContinueAsNewFunc<F>({ searchAttributes: info.searchAttributes, typedSearchAttributes: info.typedSearchAttributes });
    return next(...args());
  }
}

/** The process's search attributes now, as plain JSON (dates as ISO strings). */
function currentAttributes(): Record<string, string | boolean | number> {
  const info = workflowInfo();
  const out: Record<string, string | boolean | number> = {};
  for (const key of ALL_SEARCH_ATTRIBUTE_KEYS) {
    // Attributes set at start may lack type metadata: then only the untyped map has them.
    const value = info.typedSearchAttributes.get(key as never) ?? (info.searchAttributes?.[key.name] as unknown[] | undefined)?.[0];
    if (value === undefined || value === null) continue;
    out[key.name] = value instanceof Date ? value.toISOString() : (value as string | boolean | number);
  }
  return out;
}

/**
 * Continue-as-new is asked to keep the search attributes; a server that drops them (the
 * time-skipping test server does) gets them back here, and one that kept them sees no upsert.
 */
function restoreAttributes(carried: Record<string, string | boolean | number>): void {
  showAttributes(
    ALL_SEARCH_ATTRIBUTE_KEYS.filter((key) => carried[key.name] !== undefined).map((key) => {
      const value = carried[key.name]!;
      return [key, key.type === 'DATETIME' ? new Date(value as string) : value] as AttributeUpdate;
    }),
  );
}
