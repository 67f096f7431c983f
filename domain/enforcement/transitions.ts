// 催告 → 强制执行: WHICH action is allowed WHEN, and why not. One row per action: the stages it is
// allowed in, the refusal for any other, its guards (rule id, article, condition). Validators and
// handlers call `check`; what an allowed action DOES is in reducer.ts.
import { compareDates, shanghaiDateOf } from '../dates';
import { accountOf } from './money';
import type {
  AgreementBrokenRequest,
  AgreementRequest,
  CorrectionCheckRequest,
  CourtApplicationRequest,
  CourtRulingRequest,
  DeferralRequest,
  DemandRequest,
  DemandServiceRequest,
  EnforcementDecisionRequest,
  EnforcementState,
  ExecutionRequest,
  PaymentRequest,
  ResumptionRequest,
  Stage,
  StatementRequest,
  StatementReviewRequest,
  SuspensionRequest,
  TerminationRequest,
} from './types';
import { FINAL_STAGES } from './types';

export const COMPULSION = '中华人民共和国行政强制法';
export const PENALTY = '中华人民共和国行政处罚法';
export const RECORDING = '本政办发〔2019〕33号';

export interface Refusal {
  rule: string;
  basis: string;
  message: string;
}

export type EnforcementAction =
  | ({ kind: 'payment' } & PaymentRequest)
  | ({ kind: 'deferral' } & DeferralRequest)
  | ({ kind: 'correctionCheck' } & CorrectionCheckRequest)
  | ({ kind: 'demand' } & DemandRequest)
  | ({ kind: 'demandService' } & DemandServiceRequest)
  | ({ kind: 'statement' } & StatementRequest)
  | ({ kind: 'statementReview' } & StatementReviewRequest)
  | ({ kind: 'enforcementDecision' } & EnforcementDecisionRequest)
  | ({ kind: 'execution' } & ExecutionRequest)
  | ({ kind: 'agreement' } & AgreementRequest)
  | ({ kind: 'agreementBroken' } & AgreementBrokenRequest)
  | ({ kind: 'courtApplication' } & CourtApplicationRequest)
  | ({ kind: 'courtRuling' } & CourtRulingRequest)
  | ({ kind: 'suspension' } & SuspensionRequest)
  | ({ kind: 'resumption' } & ResumptionRequest)
  | ({ kind: 'termination' } & TerminationRequest);
export type EnforcementActionKind = EnforcementAction['kind'];
type ActionOf<K extends EnforcementActionKind> = Extract<EnforcementAction, { kind: K }>;

/** What a guard may know besides state and action: workflow time and, in the handler, calendar facts. */
export interface CheckContext {
  nowMs: number;
  /** Set by the handler (an activity asked the calendar); the validator leaves it out. */
  executionTime?: 'night' | 'holiday' | 'ok';
  /** 代履行: the first day execution may start after the further 催告 (computed with the calendar). */
  substituteMayStart?: string;
}

interface Guard<A> {
  rule: string;
  basis: string;
  refuses(s: EnforcementState, a: A, ctx: CheckContext): string | undefined;
}

export interface Transition<K extends EnforcementActionKind> {
  stages: readonly Stage[];
  guards: ReadonlyArray<Guard<ActionOf<K>>>;
}

const FUTURE_TOLERANCE_MS = 5 * 60_000;
const inFuture = (instant: string, nowMs: number) => Date.parse(instant) > nowMs + FUTURE_TOLERANCE_MS;
const today = (nowMs: number) => shanghaiDateOf(new Date(nowMs));
const ACTIVE: Stage[] = ['awaiting_performance', 'demand_issued', 'demand_served', 'enforcement_decided', 'court_applied', 'in_agreement'];
export const servedDemand = (s: EnforcementState, purpose: 'demand' | 'substitute_performance' = 'demand') =>
  [...s.demands].reverse().find((d) => d.purpose === purpose && d.servedAt);
const unreviewed = (s: EnforcementState) => s.statements.filter((x) => !x.review);
/**
 * The due date the party is now held to: a fine payable in instalments, the earliest instalment not
 * yet paid (each instalment is tracked against its own due date); otherwise the performance deadline.
 */
export function currentDueDay(s: Pick<EnforcementState, 'obligation' | 'performanceLastDay' | 'deferral' | 'payments' | 'agreement'>): string | undefined {
  if (s.obligation.kind === 'fine' && s.deferral?.instalments?.length) return accountOf(s, '9999-12-31').nextDue?.dueDate ?? s.performanceLastDay;
  return s.performanceLastDay;
}
/** An execution agreement's stage the party is now held to: the first whose amount payments made since the agreement do not cover (stages without an amount: the last one). */
export function currentAgreementStage(s: Pick<EnforcementState, 'agreement' | 'payments'>): { dueDate: string; n: number } | undefined {
  const a = s.agreement;
  if (!a) return undefined;
  const stages = [...a.stages].sort((x, y) => compareDates(x.dueDate, y.dueDate));
  const paidSince = s.payments.filter((p) => Date.parse(p.paidAt) >= Date.parse(a.at)).reduce((t, p) => t + p.amountFen, 0);
  let cumulative = 0;
  for (let i = 0; i < stages.length; i++) {
    const amount = stages[i]!.amountFen;
    if (amount === undefined) continue;
    cumulative += amount;
    if (paidSince < cumulative) return { dueDate: stages[i]!.dueDate, n: i + 1 };
  }
  const unpriced = stages.some((x) => x.amountFen === undefined);
  return unpriced || !stages.some((x) => x.amountFen !== undefined) ? { dueDate: stages.at(-1)!.dueDate, n: stages.length } : undefined;
}

const notInFuture = <A extends object>(field: keyof A & string, rule: string, basis: string): Guard<A> => ({
  rule,
  basis,
  refuses: (_s, a, ctx) => {
    const v = (a as Record<string, unknown>)[field];
    return typeof v === 'string' && inFuture(v, ctx.nowMs) ? `${field} ${v} 晚于当前时间` : undefined;
  },
});

export const ENFORCEMENT_TRANSITIONS: { [K in EnforcementActionKind]: Transition<K> } = {
  payment: {
    stages: ACTIVE,
    guards: [
      { rule: 'enforcement.payment.not_money', basis: `${PENALTY} 第六十七条`, refuses: (s) => (s.obligation.kind !== 'fine' ? '本决定的义务不是缴纳罚款' : undefined) },
      notInFuture('paidAt', 'enforcement.payment.in_future', `${RECORDING} 第二十八条`),
      { rule: 'enforcement.payment.receipt_reused', basis: `${RECORDING} 第二十八条`, refuses: (s, a) => (s.payments.some((p) => p.receipt === a.receipt) ? `缴款凭证 ${a.receipt} 已登记` : undefined) },
    ],
  },
  deferral: {
    stages: ['awaiting_performance', 'demand_issued', 'demand_served'],
    guards: [
      { rule: 'enforcement.deferral.not_money', basis: `${PENALTY} 第六十六条`, refuses: (s) => (s.obligation.kind !== 'fine' ? '暂缓或者分期缴纳只适用于罚款' : undefined) },
      { rule: 'enforcement.deferral.no_date', basis: `${PENALTY} 第六十六条`, refuses: (_s, a) => (!a.dueDate && !a.instalments?.length ? '须写明新的缴纳期限或分期' : undefined) },
      {
        rule: 'enforcement.deferral.instalments_exceed_fine',
        basis: `${PENALTY} 第六十六条`,
        refuses: (s, a) =>
          s.obligation.kind === 'fine' && a.instalments && a.instalments.reduce((t, i) => t + i.amountFen, 0) !== s.obligation.amountFen ? '分期金额之和须等于罚款数额' : undefined,
      },
      { rule: 'enforcement.deferral.twice', basis: `${PENALTY} 第六十六条`, refuses: (s) => (s.deferral ? `已于 ${s.deferral.at} 批准暂缓/分期` : undefined) },
    ],
  },
  correctionCheck: {
    stages: ACTIVE,
    guards: [
      { rule: 'enforcement.correction.not_correction', basis: `${RECORDING} 第二十八条`, refuses: (s) => (s.obligation.kind !== 'correction' ? '本决定不是责令改正' : undefined) },
      notInFuture('checkedAt', 'enforcement.correction.in_future', `${RECORDING} 第二十八条`),
      {
        rule: 'enforcement.correction.before_due',
        basis: `${RECORDING} 第二十八条`,
        refuses: (s, a) =>
          s.obligation.kind === 'correction' && !a.corrected && compareDates(shanghaiDateOf(a.checkedAt), s.obligation.dueDate) < 0
            ? `改正期限（${s.obligation.dueDate}）尚未届满：未改正的复查须在期限届满时进行`
            : undefined,
      },
    ],
  },
  demand: {
    stages: ['awaiting_performance', 'demand_served', 'enforcement_decided', 'in_agreement'],
    guards: [
      {
        rule: 'enforcement.demand.not_due',
        basis: `${COMPULSION} 第三十五条`,
        refuses: (s, a, ctx) => {
          const due = currentDueDay(s);
          return (a.purpose ?? 'demand') === 'demand' && due && compareDates(today(ctx.nowMs), due) <= 0 ? `履行期限（${due}）尚未届满，不能催告` : undefined;
        },
      },
      {
        rule: 'enforcement.substitute.no_decision',
        basis: `${COMPULSION} 第五十一条`,
        refuses: (s, a) => (a.purpose === 'substitute_performance' && s.decision?.method !== 'substitute_performance' ? '代履行催告须在作出代履行决定之后' : undefined),
      },
      {
        rule: 'enforcement.demand.pending',
        basis: `${COMPULSION} 第三十五条`,
        refuses: (s) => (s.demands.some((d) => !d.servedAt) ? '已有未送达的催告书，请先登记送达' : undefined),
      },
    ],
  },
  demandService: {
    stages: ['demand_issued', 'enforcement_decided'],
    guards: [
      { rule: 'enforcement.demand.none_pending', basis: `${COMPULSION} 第三十八条`, refuses: (s) => (!s.demands.some((d) => !d.servedAt) ? '没有待送达的催告书' : undefined) },
      notInFuture('servedAt', 'enforcement.demand.served_in_future', `${COMPULSION} 第三十八条`),
      {
        rule: 'enforcement.demand.served_before_issued',
        basis: `${COMPULSION} 第三十五条, 第三十八条`,
        refuses: (s, a) => {
          const d = s.demands.find((x) => !x.servedAt);
          return d && Date.parse(a.servedAt) < Date.parse(d.issuedAt) - FUTURE_TOLERANCE_MS ? `送达时间 ${a.servedAt} 早于催告书制作时间 ${d.issuedAt}` : undefined;
        },
      },
      {
        rule: 'service.announcement_before_other_failed',
        basis: `${RECORDING} 第二十七条`,
        refuses: (s, a) => {
          if (a.method !== 'announcement') return undefined;
          const d = s.demands.find((x) => !x.servedAt);
          return d && !d.services.some((x) => x.failed) ? '公告送达须在其他方式均无法送达之后（先登记失败的送达）' : undefined;
        },
      },
    ],
  },
  statement: {
    stages: ['awaiting_performance', 'demand_issued', 'demand_served', 'enforcement_decided', 'in_agreement'],
    guards: [],
  },
  statementReview: {
    stages: ['awaiting_performance', 'demand_issued', 'demand_served', 'enforcement_decided', 'in_agreement'],
    guards: [
      { rule: 'enforcement.statement.unknown', basis: `${COMPULSION} 第三十六条`, refuses: (s, a) => (!s.statements.some((x) => x.n === a.n) ? `没有第 ${a.n} 份陈述申辩` : undefined) },
      {
        rule: 'enforcement.statement.already_reviewed',
        basis: `${COMPULSION} 第三十六条`,
        refuses: (s, a) => (s.statements.find((x) => x.n === a.n)?.review ? `第 ${a.n} 份陈述申辩已复核` : undefined),
      },
    ],
  },
  enforcementDecision: {
    stages: ['awaiting_performance', 'demand_issued', 'demand_served', 'in_agreement'],
    guards: [
      { rule: 'enforcement.decision.court_only', basis: `${RECORDING} 第三十一条; ${COMPULSION} 第十三条`, refuses: (s) => (s.enforcementPower === 'court' ? '本单位没有行政强制执行权，应当申请人民法院强制执行' : undefined) },
      {
        rule: 'enforcement.decision.immediate_without_evidence',
        basis: `${COMPULSION} 第三十七条`,
        refuses: (_s, a) => (a.immediate && !a.immediate.evidence?.trim() ? '立即强制执行须有当事人转移或者隐匿财物的证据' : undefined),
      },
      {
        rule: 'enforcement.decision.before_demand_deadline',
        basis: `${COMPULSION} 第三十五条, 第三十七条`,
        refuses: (s, _a, ctx) => {
          const d = servedDemand(s);
          if (!d) return _a.immediate ? '立即强制执行也须先送达催告书' : '尚未送达催告书，不能作出强制执行决定';
          if (_a.immediate) return undefined;
          return Date.parse(d.deadline!) >= ctx.nowMs ? `催告期限（${d.lastDay}）尚未届满，不能作出强制执行决定` : undefined;
        },
      },
      {
        rule: 'enforcement.decision.statement_unreviewed',
        basis: `${COMPULSION} 第三十六条`,
        refuses: (s) => {
          const open = unreviewed(s).map((x) => `#${x.n}`);
          return open.length ? `当事人的陈述申辩 ${open.join('、')} 尚未复核` : undefined;
        },
      },
      {
        rule: 'enforcement.execution.night',
        basis: `${COMPULSION} 第四十三条`,
        refuses: (_s, a, ctx) => (!a.emergency?.reason?.trim() && (ctx.executionTime === 'night' || nightInShanghai(a.executeAt)) ? '不得在夜间（22:00–06:00）实施强制执行，情况紧急的除外' : undefined),
      },
      {
        rule: 'enforcement.execution.holiday',
        basis: `${COMPULSION} 第四十三条`,
        refuses: (_s, a, ctx) => (!a.emergency?.reason?.trim() && ctx.executionTime === 'holiday' ? `${shanghaiDateOf(a.executeAt)} 为法定节假日（休息日），不得实施强制执行，情况紧急的除外` : undefined),
      },
    ],
  },
  execution: {
    stages: ['enforcement_decided'],
    guards: [
      notInFuture('executedAt', 'enforcement.execution.in_future', `${RECORDING} 第三十条`),
      {
        rule: 'enforcement.execution.av_required',
        basis: `${RECORDING} 第三十条; ${COMPULSION} 第四十四条`,
        refuses: (s, a) => (s.decision?.method === 'remove_obstruction' && !a.avRecordId?.trim() ? '排除妨碍、恢复原状须全程音像记录（avRecordId）' : undefined),
      },
      {
        rule: 'enforcement.substitute.no_further_demand',
        basis: `${COMPULSION} 第五十一条`,
        refuses: (s, a, ctx) => {
          if (s.decision?.method !== 'substitute_performance') return undefined;
          const d = servedDemand(s, 'substitute_performance');
          if (!d) return '代履行三日前须再次催告当事人履行（先制作并送达代履行催告书）';
          const mayStart = ctx.substituteMayStart ?? d.lastDay;
          return mayStart && compareDates(shanghaiDateOf(a.executedAt), mayStart) < 0 ? `代履行催告送达（${shanghaiDateOf(d.servedAt!)}）后满三个工作日方可代履行（${mayStart} 起）` : undefined;
        },
      },
      {
        rule: 'enforcement.execution.night',
        basis: `${COMPULSION} 第四十三条`,
        refuses: (s, a) => (!s.decision?.emergency && nightInShanghai(a.executedAt) ? '不得在夜间（22:00–06:00）实施强制执行，情况紧急的除外' : undefined),
      },
    ],
  },
  agreement: {
    stages: ['demand_served', 'enforcement_decided'],
    guards: [
      { rule: 'enforcement.agreement.no_stages', basis: `${COMPULSION} 第四十二条`, refuses: (_s, a) => (!a.stages.length ? '执行协议须约定履行方式或分阶段履行' : undefined) },
      {
        rule: 'enforcement.agreement.reduction_without_remedy',
        basis: `${COMPULSION} 第四十二条`,
        refuses: (_s, a) => ((a.surchargeReductionFen ?? 0) > 0 && !a.remedialMeasures?.trim() ? '减免加处罚款须以当事人采取补救措施为前提' : undefined),
      },
    ],
  },
  agreementBroken: {
    stages: ['in_agreement'],
    guards: [],
  },
  courtApplication: {
    stages: ['demand_served', 'awaiting_performance'],
    guards: [
      { rule: 'enforcement.court.own_power', basis: `${RECORDING} 第三十条`, refuses: (s) => (s.enforcementPower === 'own' ? '本单位有行政强制执行权，应依法作出强制执行决定' : undefined) },
      { rule: 'enforcement.court.no_demand', basis: `${COMPULSION} 第五十四条`, refuses: (s) => (!s.court ? '申请人民法院强制执行前须催告当事人履行（催告书尚未送达）' : undefined) },
      notInFuture('filedAt', 'enforcement.court.filed_in_future', `${COMPULSION} 第五十三条`),
      // Too late first: a 催告 served after latestFiling leaves no window at all (earliest > latest).
      {
        rule: 'enforcement.court.too_late',
        basis: `${COMPULSION} 第五十三条`,
        refuses: (s, a) => (s.court && compareDates(shanghaiDateOf(a.filedAt), s.court.latestFiling) > 0 ? `申请期限已于 ${s.court.latestFiling} 届满` : undefined),
      },
      {
        rule: 'enforcement.court.too_early',
        basis: `${COMPULSION} 第五十三条, 第五十四条`,
        refuses: (s, a) => (s.court && compareDates(shanghaiDateOf(a.filedAt), s.court.earliestFiling) < 0 ? `最早可于 ${s.court.earliestFiling} 申请人民法院强制执行` : undefined),
      },
      {
        rule: 'enforcement.decision.statement_unreviewed',
        basis: `${COMPULSION} 第三十六条`,
        refuses: (s) => {
          const open = unreviewed(s).map((x) => `#${x.n}`);
          return open.length ? `当事人的陈述申辩 ${open.join('、')} 尚未复核` : undefined;
        },
      },
    ],
  },
  courtRuling: {
    stages: ['court_applied'],
    guards: [notInFuture('ruledAt', 'enforcement.court.ruled_in_future', `${COMPULSION} 第五十七条`)],
  },
  suspension: {
    stages: ACTIVE,
    guards: [],
  },
  resumption: {
    stages: ['suspended'],
    guards: [],
  },
  termination: {
    stages: [...ACTIVE, 'suspended'],
    guards: [],
  },
};

export function nightInShanghai(instant: string): boolean {
  const hour = Number(new Date(Date.parse(instant) + 8 * 3_600_000).toISOString().slice(11, 13));
  return hour >= 22 || hour < 6;
}

const STAGE_NAMES: Record<Stage, string> = {
  awaiting_performance: '待履行',
  demand_issued: '催告书待送达',
  demand_served: '催告期间',
  enforcement_decided: '已决定强制执行',
  court_applied: '已申请法院强制执行',
  in_agreement: '执行协议履行中',
  suspended: '中止执行',
  performed: '已履行',
  executed: '已强制执行',
  court_ruled: '法院已裁定',
  terminated: '终结执行',
  ended: '中止满三年不再执行',
};
export const stageName = (s: Stage) => STAGE_NAMES[s];

/** The refusal for this action in this state, or undefined when allowed. */
export function check(state: EnforcementState, action: EnforcementAction, ctx: CheckContext): Refusal | undefined {
  const t = ENFORCEMENT_TRANSITIONS[action.kind] as Transition<EnforcementActionKind>;
  if (!t.stages.includes(state.stage)) {
    const final = FINAL_STAGES.includes(state.stage);
    return {
      rule: final ? 'enforcement.ended' : 'enforcement.wrong_stage',
      basis: final ? `${COMPULSION} 第三十九条, 第四十条` : `${COMPULSION} 第三十五条至第三十九条`,
      message: `强制执行 ${state.caseNumber} 当前为「${stageName(state.stage)}」，不能进行此操作（${action.kind}）`,
    };
  }
  for (const g of t.guards as ReadonlyArray<Guard<EnforcementAction>>) {
    const message = g.refuses(state, action, ctx);
    if (message) return { rule: g.rule, basis: g.basis, message };
  }
  return undefined;
}
