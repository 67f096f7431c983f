// 执法全过程记录 (本政办发〔2019〕33号): WHICH case-file action is allowed WHEN, and why not. One row per
// action: the statuses it is allowed in, the refusal for any other, and its guards (rule id, article,
// condition). Validators and handlers call `check`; what an allowed action DOES is in reducer.ts.
import type {
  ApproveUrgentStartRequest,
  ArchiveCaseRequest,
  AvRecordSummary,
  CaseFileState,
  CaseFileStatus,
  EnforcementEndedRequest,
  MarkAvRecordStoredRequest,
  RegisterAvRecordRequest,
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

const ms = (instant: string) => Date.parse(instant);
const inFuture = (instant: string, nowMs: number) => ms(instant) > nowMs + FUTURE_TOLERANCE_MS;

const archived = (s: CaseFileState): Refusal => ({ rule: 'case.archived', basis: basis('第三十二条'), message: `案件 ${s.caseNumber} 已于 ${s.archivedAt} 归档` });
const statusRefusal = (s: CaseFileState, other: Omit<Refusal, 'basis'> & { article: string }): Refusal =>
  s.status === 'archived' ? archived(s) : { rule: other.rule, basis: basis(other.article), message: other.message };
export const findAv = (s: CaseFileState, n: number) => s.avRecords.find((r) => r.n === n);
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
      // Separation of duties (issue 10): who started the urgent procedure does not approve it afterwards.
      {
        rule: 'case.urgent.same_person',
        article: '第八条',
        refuses: (s, a) => (a.by === s.openedBy ? `${a.by} 以紧急程序启动了案件 ${s.caseNumber}，不能自己补报批准；由负责人批准` : undefined),
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
export function check(state: CaseFileState, action: CaseAction, nowMs: number): Refusal | undefined {
  const t = CASE_FILE_TRANSITIONS[action.kind] as Transition<CaseActionKind>;
  if (!t.statuses.includes(state.status)) return t.wrongStatus(state);
  // A registration already known with the same content is a retry: allowed, answered with the record.
  for (const g of t.guards as ReadonlyArray<Guard<CaseAction>>) {
    const message = g.refuses(state, action, nowMs);
    if (message) return { rule: g.rule, basis: basis(g.article), message };
  }
  return undefined;
}

