// The case file's rules (执法全过程记录, 本政办发〔2019〕33号) as data and one pure reducer: which action
// is allowed in which status, which rule refuses it and on what basis, and what an accepted action
// changes and records. The workflow is a thin shell around `decide`/`reduce`; tests run them alone.
import { formatShanghaiInstant } from '../dates';
import type {
  ApproveUrgentStartRequest,
  ArchiveCaseRequest,
  AvRecordReport,
  AvRecordSummary,
  CaseFileInput,
  CaseFileState,
  CaseFileStatus,
  EnforcementEndedRequest,
  MarkAvRecordStoredRequest,
  RecordStage,
  RegisterAvRecordRequest,
  WarningLevel,
} from './types';

export const LAW_ENFORCEMENT_RECORDING = '本政办发〔2019〕33号';
const basis = (article: string) => `${LAW_ENFORCEMENT_RECORDING} ${article}`;

/** A time an action's reported fact may lie ahead of workflow time (clock skew between devices). */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

export interface Refusal {
  rule: string;
  basis: string;
  message: string;
}

/** The user actions (Updates) the case file takes. */
export type CaseAction =
  | ({ kind: 'approveUrgentStart' } & ApproveUrgentStartRequest)
  | ({ kind: 'registerAvRecord' } & RegisterAvRecordRequest)
  | ({ kind: 'markAvRecordStored' } & MarkAvRecordStoredRequest)
  | ({ kind: 'enforcementEnded' } & EnforcementEndedRequest)
  | ({ kind: 'archiveCase' } & ArchiveCaseRequest);
export type CaseActionKind = CaseAction['kind'];
type ActionOf<K extends CaseActionKind> = Extract<CaseAction, { kind: K }>;

/** What the workflow passes in: workflow time, never the caller's. */
export interface Now {
  /** Workflow time, ISO-8601. */
  at: string;
  avWorkflowId(n: number): string;
}

interface Guard<A> {
  rule: string;
  article: string;
  /** A message when the action must be refused, else undefined. */
  refuses(state: CaseFileState, action: A, nowMs: number): string | undefined;
}

export interface Transition<K extends CaseActionKind> {
  /** Statuses in which the action may be taken. */
  statuses: readonly CaseFileStatus[];
  /** The refusal for any other status. */
  wrongStatus(state: CaseFileState): Refusal;
  guards: ReadonlyArray<Guard<ActionOf<K>>>;
}

const minute = (instant: string) => formatShanghaiInstant(instant).replace('T', ' ').slice(0, 16);
const ms = (instant: string) => Date.parse(instant);
const inFuture = (instant: string, nowMs: number) => ms(instant) > nowMs + FUTURE_TOLERANCE_MS;

const archived = (s: CaseFileState): Refusal => ({ rule: 'case.archived', basis: basis('第三十二条'), message: `案件 ${s.caseNumber} 已于 ${s.archivedAt} 归档` });
const statusRefusal = (s: CaseFileState, other: Omit<Refusal, 'basis'> & { article: string }): Refusal =>
  s.status === 'archived' ? archived(s) : { rule: other.rule, basis: basis(other.article), message: other.message };
const findAv = (s: CaseFileState, n: number) => s.avRecords.find((r) => r.n === n);
const sameRegistration = (known: AvRecordSummary, a: RegisterAvRecordRequest) =>
  known.madeAt === a.madeAt && known.returnedAt === a.returnedAt && (!a.sha256 || known.sha256 === a.sha256);

/** The table: action → allowed statuses, the rules that refuse it, their articles. */
export const CASE_FILE_TRANSITIONS: { [K in CaseActionKind]: Transition<K> } = {
  approveUrgentStart: {
    statuses: ['open', 'enforcement_ended'],
    wrongStatus: archived,
    guards: [
      { rule: 'case.urgent.not_urgent', article: '第八条', refuses: (s) => (!s.urgentApproval ? `案件 ${s.caseNumber} 未以紧急程序启动，无需补报审批` : undefined) },
      {
        rule: 'case.urgent.already_approved',
        article: '第八条',
        refuses: (s) => (s.urgentApproval?.status === 'approved' ? `案件 ${s.caseNumber} 的紧急启动已于 ${s.urgentApproval.approvedAt} 批准` : undefined),
      },
    ],
  },
  registerAvRecord: {
    statuses: ['open', 'enforcement_ended'],
    wrongStatus: (s) => ({ ...archived(s), message: `案件 ${s.caseNumber} 已归档，不能再登记音像记录` }),
    guards: [
      {
        rule: 'case.av.ref_conflict',
        article: '第三十二条',
        refuses: (s, a) => {
          const known = s.avRecords.find((r) => r.ref === a.ref);
          return known && !sameRegistration(known, a) ? `音像记录 ${a.ref} 已登记为 #${known.n}，内容不同` : undefined;
        },
      },
      { rule: 'case.av.made_in_future', article: '第三十二条', refuses: (_s, a, now) => (inFuture(a.madeAt, now) ? `制作时间 ${a.madeAt} 晚于当前时间` : undefined) },
      {
        rule: 'case.av.returned_in_future',
        article: '第三十二条',
        refuses: (_s, a, now) => (a.returnedAt && inFuture(a.returnedAt, now) ? `返回时间 ${a.returnedAt} 晚于当前时间` : undefined),
      },
      {
        rule: 'case.av.returned_before_made',
        article: '第三十二条',
        refuses: (_s, a) => (a.returnedAt && ms(a.returnedAt) < ms(a.madeAt) ? '返回本单位时间早于音像记录制作时间' : undefined),
      },
    ],
  },
  markAvRecordStored: {
    statuses: ['open', 'enforcement_ended'],
    wrongStatus: archived,
    guards: [
      { rule: 'case.av.unknown', article: '第三十二条', refuses: (s, a) => (!findAv(s, a.n) ? `案件 ${s.caseNumber} 没有音像记录 #${a.n}` : undefined) },
      {
        rule: 'case.av.already_stored',
        article: '第三十二条',
        refuses: (s, a) => {
          const av = findAv(s, a.n);
          return av?.status === 'stored' ? `音像记录 #${a.n} 已于 ${av.storedAt} 存储` : undefined;
        },
      },
      {
        // 第三十七条: records may not be altered; the stored file must be the registered one.
        rule: 'case.av.hash_mismatch',
        article: '第三十七条',
        refuses: (s, a) => {
          const av = findAv(s, a.n);
          return a.sha256 && av?.sha256 && a.sha256 !== av.sha256 ? `音像记录 #${a.n} 的 SHA-256 与登记时不符（登记 ${av.sha256}）` : undefined;
        },
      },
    ],
  },
  enforcementEnded: {
    statuses: ['open'],
    wrongStatus: (s) =>
      statusRefusal(s, { rule: 'case.enforcement.already_ended', article: '第三十二条', message: `案件 ${s.caseNumber} 的执法行为已于 ${s.enforcementEndedAt} 终结` }),
    guards: [
      { rule: 'case.enforcement.ended_in_future', article: '第三十二条', refuses: (_s, a, now) => (inFuture(a.endedAt, now) ? `终结时间 ${a.endedAt} 晚于当前时间` : undefined) },
      { rule: 'case.enforcement.ended_before_opened', article: '第三十二条', refuses: (s, a) => (ms(a.endedAt) < ms(s.openedAt) ? '终结时间早于立案时间' : undefined) },
    ],
  },
  archiveCase: {
    statuses: ['enforcement_ended'],
    wrongStatus: (s) =>
      statusRefusal(s, { rule: 'case.archive.enforcement_not_ended', article: '第三十二条', message: `案件 ${s.caseNumber} 的执法行为尚未终结，不能归档` }),
    guards: [
      {
        rule: 'case.archive.av_pending',
        article: '第三十二条',
        refuses: (s) => {
          const pending = s.avRecords.filter((r) => r.status !== 'stored').map((r) => `#${r.n}`);
          return pending.length ? `音像记录 ${pending.join('、')} 尚未存储，不能归档` : undefined;
        },
      },
      {
        rule: 'case.archive.urgent_unapproved',
        article: '第八条',
        refuses: (s) => (s.urgentApproval?.status === 'pending' ? '紧急启动的执法程序尚未经负责人补报批准，不能归档' : undefined),
      },
    ],
  },
};

/** The refusal for this action in this state at this workflow time, or undefined when allowed. */
export function decide(state: CaseFileState, action: CaseAction, nowMs: number): Refusal | undefined {
  const t = CASE_FILE_TRANSITIONS[action.kind] as Transition<CaseActionKind>;
  if (!t.statuses.includes(state.status)) return t.wrongStatus(state);
  // A registration already known with the same content is a retry: allowed, answered with the record.
  for (const g of t.guards as ReadonlyArray<Guard<CaseAction>>) {
    const message = g.refuses(state, action, nowMs);
    if (message) return { rule: g.rule, basis: basis(g.article), message };
  }
  return undefined;
}

/** A case-record entry the shell appends (its key is made run-scoped by the shell). */
export interface EntryDraft {
  stage: RecordStage;
  actor: string;
  action: string;
  summary: string;
  occurredAt: string;
  payload?: Record<string, unknown>;
  documents?: { documentId: string; sha256: string; kind: string }[];
}

/** What the shell does after the state changed (in this order): start or tell an AV child. */
export type Effect = { kind: 'startAvRecord'; av: AvRecordSummary } | { kind: 'signalAvStored'; av: AvRecordSummary };

export interface Step {
  state: CaseFileState;
  /** Nothing changed (a retried registration): no entry, no projection. */
  unchanged?: boolean;
  entries: EntryDraft[];
  effects: Effect[];
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const avDocs = (av: AvRecordSummary) => (av.sha256 ? [{ documentId: av.ref, sha256: av.sha256, kind: 'audio-video' }] : undefined);

export function initialState(input: CaseFileInput): CaseFileState {
  return {
    unit: input.unit,
    caseNumber: input.caseNumber,
    title: input.title,
    status: 'open',
    urgent: input.urgent,
    openedBy: input.openedBy,
    openedAt: input.openedAt,
    urgentApproval: input.urgent ? { status: 'pending', overdue: false, escalations: 0 } : undefined,
    avRecords: [],
    revision: 0,
  };
}

export function openedEntry(input: CaseFileInput): EntryDraft {
  return {
    stage: 'start',
    actor: input.openedBy,
    action: 'start.opened',
    summary: `立案：${input.title}${input.urgent ? '（情况紧急，先行启动，须于24小时内补报负责人批准）' : ''}`,
    occurredAt: input.openedAt,
    payload: { title: input.title, urgent: input.urgent },
  };
}

/**
 * Applies an allowed action (call `decide` first) at workflow time `now`: the new state (revision
 * bumped), the entries to record and the effects to run. Pure; `state` is not modified.
 */
export function reduce(state: CaseFileState, action: CaseAction, now: Now): Step {
  const s = clone(state);
  const done = (entries: EntryDraft[], effects: Effect[] = []): Step => {
    s.revision += 1;
    return { state: s, entries, effects };
  };
  switch (action.kind) {
    case 'approveUrgentStart': {
      const a = s.urgentApproval!;
      a.status = 'approved';
      a.approvedBy = action.by;
      a.approvedAt = now.at;
      a.reportedAt = action.reportedAt;
      a.late = a.deadline !== undefined && ms(now.at) > ms(a.deadline);
      return done([
        {
          stage: 'start',
          actor: action.by,
          action: 'start.urgent-approved',
          summary: `负责人补批紧急启动的执法程序${a.late ? '（已超过启动后24小时）' : ''}`,
          occurredAt: now.at,
          payload: { note: action.note, deadline: a.deadline, late: a.late, reportedAt: action.reportedAt },
        },
      ]);
    }
    case 'registerAvRecord': {
      if (s.avRecords.some((r) => r.ref === action.ref)) return { state, unchanged: true, entries: [], effects: [] };
      const n = s.avRecords.length + 1;
      const av: AvRecordSummary = {
        n,
        ref: action.ref,
        stage: action.stage,
        madeAt: action.madeAt,
        returnedAt: action.returnedAt,
        sha256: action.sha256,
        registeredBy: action.by,
        registeredAt: now.at,
        reportedAt: action.reportedAt,
        workflowId: now.avWorkflowId(n),
        status: 'pending',
      };
      s.avRecords.push(av);
      return done(
        [
          {
            stage: action.stage,
            actor: action.by,
            action: 'av.registered',
            summary: `登记音像记录 #${n}（${action.ref}），制作于 ${minute(action.madeAt)}${action.returnedAt ? `，${minute(action.returnedAt)} 回到本单位` : ''}`,
            occurredAt: now.at,
            documents: avDocs(av),
            payload: { n, ref: action.ref, madeAt: action.madeAt, returnedAt: action.returnedAt, reportedAt: action.reportedAt },
          },
        ],
        [{ kind: 'startAvRecord', av: clone(av) }],
      );
    }
    case 'markAvRecordStored': {
      const av = findAv(s, action.n)!;
      av.status = 'stored';
      av.storedBy = action.by;
      av.storedAt = now.at;
      av.storedReportedAt = action.reportedAt;
      av.sha256 ??= action.sha256;
      return done(
        [
          {
            stage: av.stage,
            actor: action.by,
            action: 'av.stored',
            summary: `音像记录 #${av.n}（${av.ref}）已存储至执法信息系统`,
            occurredAt: now.at,
            documents: avDocs(av),
            payload: { n: av.n, ref: av.ref, madeAt: av.madeAt, reportedAt: action.reportedAt },
          },
        ],
        [{ kind: 'signalAvStored', av: clone(av) }],
      );
    }
    case 'enforcementEnded': {
      s.enforcementEndedAt = action.endedAt;
      s.status = 'enforcement_ended';
      const approvalMissing = s.urgentApproval?.status === 'pending';
      return done([
        {
          stage: 'enforcement',
          actor: action.by,
          action: 'enforcement.ended',
          summary: `执法行为终结（${minute(action.endedAt)}），案卷须在30日内归档${approvalMissing ? '；紧急启动仍未补报批准' : ''}`,
          occurredAt: action.endedAt,
          payload: { note: action.note, urgentApprovalMissing: approvalMissing, reportedAt: action.reportedAt },
        },
      ]);
    }
    case 'archiveCase': {
      s.archivedAt = now.at;
      s.archivedBy = action.by;
      s.archivedReportedAt = action.reportedAt;
      s.archivedLate = s.archiveDeadline !== undefined && ms(now.at) > ms(s.archiveDeadline.deadline);
      s.status = 'archived';
      return done([
        {
          stage: 'archive',
          actor: action.by,
          action: 'archive.archived',
          summary: `案卷归档${s.archivedLate ? '（已超过30日归档期限）' : ''}`,
          occurredAt: now.at,
          payload: { deadline: s.archiveDeadline?.deadline, late: s.archivedLate, avRecords: s.avRecords.length, reportedAt: action.reportedAt },
        },
      ]);
    }
  }
}

/** Events of the clocks and the AV children (no caller, never refused). */
export type CaseEvent =
  | { kind: 'urgentClock'; deadline: string; level: WarningLevel }
  | { kind: 'urgentOverdue'; deadline: string; basis: string }
  | { kind: 'archiveClock'; deadline: string; lastDay: string; basis: string; provisional: boolean; level: WarningLevel }
  | { kind: 'archiveOverdue'; deadline: string; lastDay: string; basis: string }
  | { kind: 'archiveDeadlineChanged'; before: { deadline: string; lastDay: string }; after: { deadline: string; lastDay: string; basis: string; provisional: boolean }; reason: string }
  | { kind: 'avReport'; report: AvRecordReport };

/** Applies a clock or child event at workflow time `now`; unchanged when it changes nothing. */
export function apply(state: CaseFileState, event: CaseEvent, now: string): Step {
  const s = clone(state);
  const done = (entries: EntryDraft[] = []): Step => {
    if (JSON.stringify(s) === JSON.stringify(state) && entries.length === 0) return { state, unchanged: true, entries, effects: [] };
    s.revision += 1;
    return { state: s, entries, effects: [] };
  };
  switch (event.kind) {
    case 'urgentClock': {
      const a = s.urgentApproval;
      if (a) Object.assign(a, { deadline: event.deadline, level: event.level, overdue: event.level === 'red' });
      return done();
    }
    case 'urgentOverdue': {
      const a = s.urgentApproval!;
      Object.assign(a, { level: 'red', overdue: true, escalations: a.escalations + 1 });
      return done([
        {
          stage: 'start',
          actor: 'system',
          action: 'start.urgent-approval-overdue',
          summary: `紧急启动后24小时内未经负责人补批（期限 ${minute(event.deadline)}）`,
          occurredAt: now,
          payload: { deadline: event.deadline, basis: event.basis },
        },
      ]);
    }
    case 'archiveClock': {
      const escalations = s.archiveDeadline?.escalations ?? 0;
      s.archiveDeadline = { deadline: event.deadline, lastDay: event.lastDay, basis: event.basis, provisional: event.provisional, level: event.level, escalations };
      return done();
    }
    case 'archiveOverdue': {
      const c = s.archiveDeadline!;
      Object.assign(c, { level: 'red', escalations: c.escalations + 1 });
      return done([
        {
          stage: 'archive',
          actor: 'system',
          action: 'archive.overdue',
          summary: `执法行为终结后30日内未归档（期限 ${event.lastDay}）`,
          occurredAt: now,
          payload: { deadline: event.deadline, basis: event.basis },
        },
      ]);
    }
    case 'archiveDeadlineChanged': {
      Object.assign(s.archiveDeadline!, event.after);
      return done([
        {
          stage: 'archive',
          actor: 'system',
          action: 'archive.deadline_changed',
          summary: `归档期限由 ${event.before.lastDay} 变更为 ${event.after.lastDay}（${event.reason}）`,
          occurredAt: now,
          payload: { before: event.before.deadline, after: event.after.deadline, reason: event.reason, basis: event.after.basis },
        },
      ]);
    }
    case 'avReport': {
      const av = findAv(s, event.report.n);
      if (!av) return done();
      const r = event.report;
      Object.assign(av, { deadline: r.deadline ?? av.deadline, basis: r.basis ?? av.basis, level: r.level, escalations: r.escalations });
      if (r.outcome) av.late = r.outcome.late;
      return done();
    }
  }
}
