// 公示: what an ALLOWED action or a clock event does to the state (transitions.ts decides whether it
// is allowed). Pure: dates computed by activities come in as facts; the result is the new state and
// the case-record entries to write (no personal data: the record names ids, numbers and statuses).
import type { RecordFact } from '../case-record';
import { disclosureRule } from './rules';
import { STATUS_NAMES, type DisclosureAction } from './transitions';
import type { ClockView, DisclosureInput, DisclosureState, TakedownReason } from './types';

export type Entry = Omit<RecordFact, 'occurredAt'> & { occurredAt?: string };
export interface Step {
  state: DisclosureState;
  entries: Entry[];
}
export interface Facts {
  /** On publication: the automatic takedown date (activity-computed) and its basis. */
  takedown?: { at: string; basis: string };
}

export type DisclosureEvent =
  | { kind: 'clock'; clock: ClockView }
  | { kind: 'overdue'; lastDay: string }
  | { kind: 'expired' }
  | { kind: 'started' };

export function initialState(input: DisclosureInput): DisclosureState {
  const rule = disclosureRule(input.jurisdiction, input.source, input.kind);
  return {
    ...input,
    status: 'pending_check',
    rule: { statute: rule.statute, period: rule.period, basis: rule.basis },
    overdue: false,
    escalations: 0,
    checks: [],
    revision: 0,
  };
}

export const isFinal = (s: DisclosureState) => s.status === 'taken_down';
export const awaitingPublication = (s: DisclosureState) => s.status === 'pending_check' || s.status === 'returned';

const clone = (s: DisclosureState): DisclosureState => JSON.parse(JSON.stringify(s));
const label = (s: DisclosureState) => `${s.caseNumber} 第 ${s.n} 条公示信息${s.decisionNumber ? `（决定 ${s.decisionNumber}）` : ''}`;

function takeDown(s: DisclosureState, reason: TakedownReason, explanation: string, at: string, by: string): void {
  s.status = 'taken_down';
  s.takenDownAt = at;
  s.takedownReason = reason;
  s.takedownExplanation = explanation;
  s.takenDownBy = by;
  s.clock = undefined;
  s.overdue = false;
}

export function reduce(prev: DisclosureState, a: DisclosureAction, at: string, facts: Facts = {}): Step {
  const s = clone(prev);
  const entries: Entry[] = [];
  const entry = (action: string, summary: string, payload: Record<string, unknown> = {}) => entries.push({ stage: 'other', actor: a.by, action, summary, payload: { disclosureId: s.disclosureId, n: s.n, ...payload } });
  switch (a.kind) {
    case 'check': {
      s.checks.push({ by: a.by, at, approve: a.approve, note: a.note, corrected: !!a.corrections });
      if (a.corrections) s.corrections = { ...s.corrections, ...a.corrections };
      if (a.approve) {
        s.status = 'published';
        s.publishedAt = at;
        s.publishedLate = s.overdue || (s.clock ? Date.parse(at) > Date.parse(s.clock.deadline) : false);
        s.takedownAt = facts.takedown?.at;
        s.takedownBasis = facts.takedown?.basis;
        s.clock = undefined;
        s.overdue = false;
        s.returnedReason = undefined;
        entry('disclosure.published', `${label(s)}经审核公开${s.publishedLate ? '（逾期）' : ''}；自动撤下 ${s.takedownAt ?? ''}`, { checkedBy: a.by, takedownAt: s.takedownAt, late: s.publishedLate });
      } else {
        s.status = 'returned';
        s.returnedReason = a.note;
        entry('disclosure.returned', `${label(s)}审核未通过，退回：${a.note}`, { checkedBy: a.by });
      }
      break;
    }
    case 'resubmit': {
      if (a.corrections) s.corrections = { ...s.corrections, ...a.corrections };
      s.status = 'pending_check';
      s.returnedReason = undefined;
      entry('disclosure.resubmitted', `${label(s)}修改后重新提交审核：${a.note}`);
      break;
    }
    case 'correct': {
      s.corrections = { ...s.corrections, ...a.corrections };
      entry('disclosure.corrected', `${label(s)}依申请更正（第三十二条）`, { correctionId: a.correctionId });
      break;
    }
    case 'takedown': {
      const wasPublished = s.status === 'published';
      takeDown(s, a.reason, a.explanation, at, a.by);
      entry('disclosure.taken_down', `${label(s)}${wasPublished ? '从公示平台撤下' : '不再公开'}（${a.reason}）：${a.explanation}`, { reason: a.reason, wasPublished });
      break;
    }
  }
  s.revision += 1;
  return { state: s, entries };
}

export function apply(prev: DisclosureState, e: DisclosureEvent, at: string): Step {
  const s = clone(prev);
  const entries: Entry[] = [];
  const entry = (action: string, summary: string, payload: Record<string, unknown> = {}) => entries.push({ stage: 'other', actor: 'system', action, summary, payload: { disclosureId: s.disclosureId, n: s.n, ...payload } });
  switch (e.kind) {
    case 'started':
      entry('disclosure.created', `${label(s)}待审核公开：${s.rule.basis}`, { source: s.source, kind: s.kind });
      break;
    case 'clock':
      if (JSON.stringify(s.clock) === JSON.stringify(e.clock)) return { state: prev, entries };
      s.clock = e.clock;
      s.overdue = e.clock.level === 'red';
      break;
    case 'overdue':
      s.overdue = true;
      s.escalations += 1;
      entry('disclosure.overdue', `${label(s)}应当公示而未公示：公开期限 ${e.lastDay} 已过，当前「${STATUS_NAMES[s.status]}」（${'本政办发〔2019〕35号'} 第三十五条）`, { lastDay: e.lastDay });
      break;
    case 'expired':
      takeDown(s, 'period_expired', `公开期满（${s.takedownBasis ?? '第二十九条'}），自动撤下`, at, 'system');
      entry('disclosure.taken_down', `${label(s)}公开期满，自动撤下`, { reason: 'period_expired' });
      break;
  }
  s.revision += 1;
  return { state: s, entries };
}
