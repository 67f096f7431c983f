// 催告 → 强制执行: what an ALLOWED action does to the state (transitions.ts decides whether it is
// allowed). Pure: calendar facts and stored documents come in `facts` (the workflow asks activities
// first); the result is the new state and the case-record entries to write.
import type { RecordFact } from '../case-record';
import { shanghaiDateOf } from '../dates';
import { STATUTES } from '../statutes';
import { accountOf, yuan } from './money';
import { stageName, type EnforcementAction } from './transitions';
import type { CourtWindow, EnforcementInput, EnforcementState, Stage } from './types';
import { FINAL_STAGES } from './types';

export type Entry = Omit<RecordFact, 'occurredAt'> & { occurredAt?: string };

export interface Facts {
  /** A document the workflow stored for this action (催告书, 强制执行决定书). */
  document?: { kind: string; documentId: string; sha256: string };
  /** The 催告's period, computed when it is served. */
  demandDeadline?: { deadline: string; lastDay: string };
  court?: CourtWindow;
}

export interface Step {
  state: EnforcementState;
  entries: Entry[];
  /** The process has just reached a final stage: tell the case file its enforcement ended. */
  ended?: boolean;
}

export function initialState(input: EnforcementInput): EnforcementState {
  return {
    enforcementId: input.enforcementId,
    decisionId: input.decisionId,
    unit: input.unit,
    caseNumber: input.caseNumber,
    decisionNumber: input.decisionNumber,
    decisionKind: input.decisionKind,
    obligation: input.obligation,
    enforcementPower: input.enforcementPower,
    servedAt: input.servedAt,
    serviceMethod: input.serviceMethod,
    stage: 'awaiting_performance',
    payments: [],
    demands: [],
    statements: [],
    executions: [],
    suspensions: [],
    overdue: false,
    escalations: 0,
    documents: [],
    revision: 0,
  };
}

export const isFinal = (s: EnforcementState) => FINAL_STAGES.includes(s.stage);

const clone = (s: EnforcementState): EnforcementState => JSON.parse(JSON.stringify(s));

/** Moves to a final stage; the clock stops. */
function end(s: EnforcementState, stage: Stage, at: string): void {
  s.stage = stage;
  s.endedAt = at;
  s.clock = undefined;
  s.overdue = false;
}

export function reduce(prev: EnforcementState, a: EnforcementAction, at: string, facts: Facts = {}): Step {
  const s = clone(prev);
  const entries: Entry[] = [];
  const entry = (stage: Entry['stage'], action: string, summary: string, payload: Record<string, unknown> = {}, occurredAt?: string) =>
    entries.push({ stage, actor: a.by, action, summary, payload, ...(occurredAt ? { occurredAt } : {}), ...(facts.document ? { documents: [facts.document] } : {}) });
  const addDoc = () => facts.document && s.documents.push({ ...facts.document, at });
  switch (a.kind) {
    case 'payment': {
      const n = s.payments.length + 1;
      s.payments.push({ n, amountFen: a.amountFen, paidAt: a.paidAt, receipt: a.receipt, by: a.by });
      const acc = accountOf(s, shanghaiDateOf(a.paidAt));
      entry('performance', 'enforcement.payment', `缴纳 ${yuan(a.amountFen)} 元（凭证 ${a.receipt}），尚欠 ${yuan(acc.amountDueFen)} 元`, { n, amountFen: a.amountFen, receipt: a.receipt, paidFen: acc.paidFen, surchargeFen: acc.surchargeFen, amountDueFen: acc.amountDueFen }, a.paidAt);
      if (acc.amountDueFen === 0) {
        end(s, 'performed', at);
        entry('performance', 'enforcement.performed', `罚款${acc.surchargeFen ? `及加处罚款 ${yuan(acc.surchargeFen)} 元` : ''}已全部缴纳，履行完毕`, { paidFen: acc.paidFen, surchargeFen: acc.surchargeFen });
      }
      break;
    }
    case 'deferral': {
      const dueDate = a.instalments?.length ? a.instalments.map((i) => i.dueDate).sort().at(-1)! : a.dueDate!;
      s.deferral = { at, approvedBy: a.approvedBy, application: a.application, dueDate, ...(a.instalments ? { instalments: a.instalments } : {}) };
      s.performanceLastDay = dueDate;
      s.performanceDeadline = `${dueDate}T23:59:59+08:00`;
      s.performanceBasis = `经批准暂缓/分期缴纳至 ${dueDate}（${STATUTES.finePayment.source.replace('第六十七条', '第六十六条')}）`;
      s.stage = 'awaiting_performance';
      s.overdue = false;
      entry(
        'performance',
        'enforcement.deferral',
        a.instalments?.length
          ? `当事人申请分期缴纳罚款，经 ${a.approvedBy} 批准，分 ${a.instalments.length} 期：${[...a.instalments].sort((x, y) => (x.dueDate < y.dueDate ? -1 : 1)).map((i) => `${i.dueDate} 前 ${yuan(i.amountFen)} 元`).join('；')}`
          : `当事人申请暂缓缴纳罚款，经 ${a.approvedBy} 批准，缴纳期限至 ${dueDate}`,
        { dueDate, instalments: a.instalments ?? null, approvedBy: a.approvedBy },
      );
      break;
    }
    case 'correctionCheck': {
      s.correctionCheck = { checkedAt: a.checkedAt, corrected: a.corrected, note: a.note, by: a.by };
      // The check is done: its clock stops (a 催告 may follow when the order was not complied with).
      s.clock = undefined;
      s.overdue = false;
      entry('performance', 'enforcement.correction_checked', `复查责令改正：${a.corrected ? '已改正' : '未改正'}（${a.note}）`, { corrected: a.corrected }, a.checkedAt);
      if (a.corrected) {
        end(s, 'performed', at);
        entry('performance', 'enforcement.performed', '当事人已按期改正，履行完毕');
      }
      break;
    }
    case 'demand': {
      const purpose = a.purpose ?? 'demand';
      const days = a.performWithinDays ?? (purpose === 'demand' ? 10 : 3);
      const n = s.demands.length + 1;
      s.demands.push({ n, issuedAt: at, issuedBy: a.by, documentId: facts.document!.documentId, sha256: facts.document!.sha256, performWithinDays: days, purpose, services: [] });
      addDoc();
      if (purpose === 'demand') s.stage = 'demand_issued';
      entry('enforcement', purpose === 'demand' ? 'enforcement.demand_issued' : 'enforcement.substitute_demand_issued', `制作${purpose === 'demand' ? '催告书' : '代履行催告书'}（履行期限：送达之日起 ${days} 个工作日）`, { n, performWithinDays: days, purpose });
      break;
    }
    case 'demandService': {
      const d = s.demands.find((x) => !x.servedAt)!;
      d.services.push({ method: a.method, servedAt: a.servedAt, proof: a.proof, ...(a.receipt ? { receipt: a.receipt } : {}), ...(a.proofFields ? { proofFields: a.proofFields } : {}), ...(a.failed ? { failed: true, failureReason: a.failureReason } : {}) });
      // The 送达回证 (stored by the API with the proof's facts) is one of the case's documents.
      const receipt = a.receipt ? { kind: 'demand_service_receipt', documentId: a.receipt.documentId, sha256: a.receipt.sha256 } : undefined;
      if (receipt) s.documents.push({ ...receipt, at });
      const withReceipt = () => {
        if (receipt) entries[entries.length - 1]!.documents = [receipt];
      };
      if (a.failed) {
        entry('service', 'enforcement.demand_service_failed', `催告书送达未成功（${a.method}：${a.failureReason ?? ''}）`, { n: d.n, method: a.method }, a.servedAt);
        withReceipt();
        break;
      }
      d.servedAt = a.servedAt;
      d.deadline = facts.demandDeadline!.deadline;
      d.lastDay = facts.demandDeadline!.lastDay;
      if (d.purpose === 'demand') {
        s.stage = 'demand_served';
        s.overdue = false;
        if (facts.court) s.court = facts.court;
      }
      entry('service', 'enforcement.demand_served', `催告书已送达（${a.method}），履行期限至 ${d.lastDay}${facts.court ? `；可申请法院强制执行的期间 ${facts.court.earliestFiling} 至 ${facts.court.latestFiling}` : ''}`, { n: d.n, method: a.method, proof: a.proof, proofFields: a.proofFields ?? Object.keys(a.proof), receipt: a.receipt ?? null, lastDay: d.lastDay, court: facts.court ?? null }, a.servedAt);
      withReceipt();
      break;
    }
    case 'statement': {
      const n = s.statements.length + 1;
      s.statements.push({ n, text: a.text, at: a.madeAt ?? at, by: a.by });
      entry('enforcement', 'enforcement.statement', `记录当事人第 ${n} 份陈述申辩`, { n, text: a.text });
      break;
    }
    case 'statementReview': {
      const st = s.statements.find((x) => x.n === a.n)!;
      st.review = { adopted: a.adopted, reasons: a.reasons, at, by: a.by };
      entry('enforcement', 'enforcement.statement_reviewed', `复核第 ${a.n} 份陈述申辩：${{ all: '全部采纳', partly: '部分采纳', none: '不予采纳' }[a.adopted]}（${a.reasons}）`, { n: a.n, adopted: a.adopted });
      break;
    }
    case 'enforcementDecision': {
      s.decision = { method: a.method, executeAt: a.executeAt, ...(a.emergency ? { emergency: a.emergency } : {}), ...(a.immediate ? { immediate: a.immediate } : {}), at, by: a.by, documentId: facts.document!.documentId, sha256: facts.document!.sha256 };
      addDoc();
      s.stage = 'enforcement_decided';
      s.clock = undefined;
      s.overdue = false;
      entry('enforcement', 'enforcement.decided', `作出强制执行决定（${a.method}，执行时间 ${a.executeAt}${a.immediate ? '，立即执行' : ''}${a.emergency ? '，情况紧急' : ''}）`, { method: a.method, executeAt: a.executeAt, immediate: !!a.immediate, emergency: !!a.emergency });
      break;
    }
    case 'execution': {
      s.executions.push({ executedAt: a.executedAt, result: a.result, avRecordId: a.avRecordId ?? '', by: a.by });
      entry('enforcement', 'enforcement.executed', `实施强制执行：${a.result}`, { avRecordId: a.avRecordId ?? null, completed: a.completed !== false }, a.executedAt);
      if (a.completed !== false) end(s, 'executed', at);
      break;
    }
    case 'agreement': {
      s.agreement = { at, by: a.by, stages: a.stages, surchargeReductionFen: a.surchargeReductionFen ?? 0, ...(a.remedialMeasures ? { remedialMeasures: a.remedialMeasures } : {}) };
      s.resumeStage = s.stage;
      s.stage = 'in_agreement';
      s.overdue = false;
      entry('enforcement', 'enforcement.agreement', `与当事人达成执行协议（${a.stages.length} 期，最后一期 ${a.stages.map((x) => x.dueDate).sort().at(-1)}${a.surchargeReductionFen ? `，减免加处罚款 ${yuan(a.surchargeReductionFen)} 元` : ''}）`, { stages: a.stages, surchargeReductionFen: a.surchargeReductionFen ?? 0 });
      break;
    }
    case 'agreementBroken': {
      s.agreement!.broken = { at, by: a.by, reason: a.reason };
      // 第四十二条: broken → enforcement resumes (the reduction falls away with the agreement).
      s.agreement!.surchargeReductionFen = 0;
      s.stage = s.resumeStage ?? 'demand_served';
      s.resumeStage = undefined;
      s.clock = undefined;
      s.overdue = false;
      entry('enforcement', 'enforcement.agreement_broken', `当事人不履行执行协议（${a.reason}），恢复强制执行`, {});
      break;
    }
    case 'courtApplication': {
      s.courtApplication = { filedAt: a.filedAt, court: a.court, documents: a.documents, by: a.by };
      s.stage = 'court_applied';
      s.clock = undefined;
      s.overdue = false;
      entry('enforcement', 'enforcement.court_applied', `向 ${a.court} 申请强制执行`, { court: a.court, documents: a.documents }, a.filedAt);
      break;
    }
    case 'courtRuling': {
      s.courtRuling = { ruledAt: a.ruledAt, outcome: a.outcome, by: a.by };
      entry('enforcement', 'enforcement.court_ruled', `人民法院裁定：${a.outcome}${a.note ? `（${a.note}）` : ''}`, { outcome: a.outcome }, a.ruledAt);
      end(s, 'court_ruled', at);
      break;
    }
    case 'suspension': {
      s.suspension = { ground: a.ground, since: at, by: a.by };
      s.resumeStage = s.stage;
      s.stage = 'suspended';
      s.clock = undefined;
      s.overdue = false;
      entry('enforcement', 'enforcement.suspended', `中止执行（${a.ground}${a.note ? `：${a.note}` : ''}）`, { ground: a.ground });
      break;
    }
    case 'resumption': {
      s.suspensions.push({ ground: s.suspension!.ground, since: s.suspension!.since, until: at });
      s.suspension = undefined;
      s.stage = s.resumeStage ?? 'awaiting_performance';
      s.resumeStage = undefined;
      entry('enforcement', 'enforcement.resumed', `恢复执行${a.note ? `（${a.note}）` : ''}`, {});
      break;
    }
    case 'termination': {
      s.termination = { ground: a.ground, at, by: a.by, ...(a.note ? { note: a.note } : {}) };
      if (s.suspension) s.suspensions.push({ ground: s.suspension.ground, since: s.suspension.since, until: at });
      s.suspension = undefined;
      end(s, 'terminated', at);
      // The ground is in the record entry and in the view (`termination.ground`): a revoked decision
      // (`decision_revoked`) is what the disclosure process hooks to take the decision's disclosure down.
      entry('enforcement', 'enforcement.terminated', `终结执行（${a.ground}${a.note ? `：${a.note}` : ''}）`, { ground: a.ground, decisionId: s.decisionId, decisionNumber: s.decisionNumber, note: a.note ?? null });
      break;
    }
  }
  s.revision += 1;
  return { state: s, entries, ended: !isFinal(prev) && isFinal(s) };
}

/** Events of the process itself (not a caller's action). */
export type EnforcementEvent =
  | { kind: 'performanceDeadline'; lastDay: string; deadline: string; basis: string }
  | { kind: 'clock'; clock: EnforcementState['clock'] }
  | { kind: 'overdue'; what: string }
  | { kind: 'suspensionExpired' };

export function apply(prev: EnforcementState, e: EnforcementEvent, at: string): Step {
  const s = clone(prev);
  const entries: Entry[] = [];
  switch (e.kind) {
    case 'performanceDeadline':
      s.performanceLastDay = e.lastDay;
      s.performanceDeadline = e.deadline;
      s.performanceBasis = e.basis;
      entries.push({ stage: 'performance', actor: 'system', action: 'enforcement.started', summary: `决定已送达，履行期限至 ${e.lastDay}（${e.basis}）`, payload: { lastDay: e.lastDay, obligation: s.obligation.kind } });
      break;
    case 'clock':
      if (JSON.stringify(s.clock) === JSON.stringify(e.clock)) return { state: prev, entries: [] };
      s.clock = e.clock;
      s.overdue = e.clock?.level === 'red';
      break;
    case 'overdue':
      s.overdue = true;
      s.escalations += 1;
      entries.push({ stage: 'enforcement', actor: 'system', action: 'enforcement.overdue', summary: `期限已过：${e.what}`, payload: {} });
      break;
    case 'suspensionExpired':
      s.suspensions.push({ ground: s.suspension!.ground, since: s.suspension!.since, until: at });
      s.suspension = undefined;
      end(s, 'ended', at);
      entries.push({ stage: 'enforcement', actor: 'system', action: 'enforcement.suspension_expired', summary: `中止执行满三年未恢复，不再执行（${STATUTES.enforcementSuspensionLimit.source}）`, payload: {} });
      break;
  }
  s.revision += 1;
  return { state: s, entries, ended: !isFinal(prev) && isFinal(s) };
}

export { stageName };
