// 执法全过程记录 (本政办发〔2019〕33号): what an allowed case-file action (see transitions.ts) or a clock
// or child event DOES: the new state (revision bumped), the case-record entries and the effects.
// Pure: the workflow is a thin shell that records, projects and runs the effects.
import { formatShanghaiInstant } from '../dates';
import { findAv, type CaseAction } from './transitions';
import type { AvRecordReport, AvRecordSummary, CaseFileInput, CaseFileState, RecordStage, WarningLevel } from './types';

/** What the workflow passes in: workflow time, never the caller's. */
export interface Now {
  /** Workflow time, ISO-8601. */
  at: string;
  avWorkflowId(n: number): string;
}

const minute = (instant: string) => formatShanghaiInstant(instant).replace('T', ' ').slice(0, 16);
const ms = (instant: string) => Date.parse(instant);

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
 * Applies an allowed action (call `check` first) at workflow time `now`: the new state (revision
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
