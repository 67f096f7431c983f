/**
 * Every statutory period the processes use, with its legal source, in one place: workflows name a
 * key here and never write a number of days themselves.
 *
 * `effect` says what the last day means for the process:
 *   deadline   someone must act by the end of the last day (rest-day rule applies);
 *   waiting    the next step may be taken only after the last day (e.g. 催告 before a court application);
 *   retention  something may be removed after the last day (not extended).
 */
import type { WorkingCalendar } from './calendar';
import { formatShanghaiInstant, parseInstant } from './dates';
import { computeDeadline, parsePeriod, type DeadlineResult, type Period } from './periods';

export type StatuteEffect = 'deadline' | 'waiting' | 'retention';

export interface PeriodStatute {
  title: string;
  /** What starts the period (its day is not counted). */
  from: string;
  period: string;
  extend: boolean;
  effect: StatuteEffect;
  source: string;
}

const LAW_ENFORCEMENT_RECORDING = '本政办发〔2019〕33号';
const LEGAL_REVIEW = '本政办发〔2019〕34号';
const DISCLOSURE = '本政办发〔2019〕35号';
const JINZHOU_PLAN = '锦政办发〔2019〕23号';
const ADMINISTRATIVE_COMPULSION = '中华人民共和国行政强制法';
const ADMINISTRATIVE_PENALTY = '中华人民共和国行政处罚法';

export const STATUTES = {
  legalReview: {
    title: '重大行政执法决定法制审核',
    from: '收到完整送审材料',
    period: '7wd',
    extend: true,
    effect: 'deadline',
    source: `${LEGAL_REVIEW} 第十二条`,
  },
  legalReviewExtension: {
    title: '法制审核延长（案件复杂，经负责人批准）',
    from: '原审核期限届满',
    period: '3wd',
    extend: true,
    effect: 'deadline',
    source: `${LEGAL_REVIEW} 第十二条`,
  },
  penaltyDecision: {
    title: '行政处罚案件作出处理决定',
    from: '立案',
    period: '90d',
    extend: true,
    effect: 'deadline',
    source: `${ADMINISTRATIVE_PENALTY} 第六十条`,
  },
  discloseDecision: {
    title: '行政执法决定（结果）信息公开（各类决定，信息形成或变更）',
    from: '执法决定信息形成或变更',
    period: '7wd',
    extend: true,
    effect: 'deadline',
    source: `${DISCLOSURE} 第二十八条`,
  },
  disclosureCorrection: {
    title: '公示信息更正申请的核实与答复（本服务选定，参照政府信息公开答复期限）',
    from: '收到更正申请',
    period: '20wd',
    extend: true,
    effect: 'deadline',
    source: `${DISCLOSURE} 第三十二条; 中华人民共和国政府信息公开条例 第三十三条、第四十一条`,
  },
  disclosePermitOrPenalty: {
    title: '行政许可、行政处罚决定信息公示',
    from: '执法决定作出（信息形成或变更）',
    period: '7wd',
    extend: true,
    effect: 'deadline',
    source: `${DISCLOSURE} 第二十八条; ${JINZHOU_PLAN} (一)4`,
  },
  discloseOtherDecision: {
    title: '其他行政执法决定信息公示',
    from: '执法决定作出',
    period: '20wd',
    extend: true,
    effect: 'deadline',
    source: `${DISCLOSURE} 第二十八条; ${JINZHOU_PLAN} (一)4`,
  },
  discloseInspectionResult: {
    title: '“双随机”抽查结果正常的公示',
    from: '抽查结束',
    period: '20wd',
    extend: true,
    effect: 'deadline',
    source: `${DISCLOSURE} 第二十八条`,
  },
  updatePreDisclosure: {
    title: '事前公开内容更新（法律法规、职能调整）',
    from: '有关规定生效、废止或职能调整',
    period: '20wd',
    extend: true,
    effect: 'deadline',
    source: `${DISCLOSURE} 第二十六条`,
  },
  takedownNaturalPerson: {
    title: '行政相对人为自然人的公示信息可撤下',
    from: '公开',
    period: '2y',
    extend: false,
    effect: 'retention',
    source: `${DISCLOSURE} 第二十九条`,
  },
  takedownOther: {
    title: '公示信息可撤下',
    from: '公开',
    period: '5y',
    extend: false,
    effect: 'retention',
    source: `${DISCLOSURE} 第二十九条`,
  },
  archiveCaseFile: {
    title: '执法案卷归档',
    from: '行政执法行为终结',
    period: '30d',
    extend: true,
    effect: 'deadline',
    source: `${LAW_ENFORCEMENT_RECORDING} 第三十二条`,
  },
  finePayment: {
    title: '缴纳罚款',
    from: '收到行政处罚决定书',
    period: '15d',
    extend: true,
    effect: 'deadline',
    source: `${ADMINISTRATIVE_PENALTY} 第六十七条`,
  },
  courtApplicationWait: {
    title: '催告书送达后申请人民法院强制执行前的等待期（十日以内期限指工作日）',
    from: '催告书送达',
    period: '10wd',
    extend: true,
    effect: 'waiting',
    source: `${ADMINISTRATIVE_COMPULSION} 第五十四条, 第六十九条`,
  },
  substitutePerformanceNotice: {
    title: '代履行三日前催告当事人履行',
    from: '代履行催告送达',
    period: '3wd',
    extend: true,
    effect: 'waiting',
    source: `${ADMINISTRATIVE_COMPULSION} 第五十一条, 第六十九条`,
  },
  courtApplicationWindow: {
    title: '申请人民法院强制执行',
    from: '复议、诉讼期限届满',
    period: '3m',
    extend: true,
    effect: 'deadline',
    source: `${ADMINISTRATIVE_COMPULSION} 第五十三条`,
  },
  enforcementDemandPeriod: {
    title: '催告书给予的履行期限（本服务默认，催告书可另定）',
    from: '催告书送达',
    period: '10wd',
    extend: true,
    effect: 'deadline',
    source: `${ADMINISTRATIVE_COMPULSION} 第三十五条, 第三十七条`,
  },
  enforcementSuspensionLimit: {
    title: '中止执行满三年未恢复执行的，不再执行（无明显社会危害、确无能力履行）',
    from: '中止执行',
    period: '3y',
    extend: true,
    effect: 'waiting',
    source: `${ADMINISTRATIVE_COMPULSION} 第三十九条`,
  },
  reconsiderationPeriod: {
    title: '申请行政复议',
    from: '知道或者应当知道该行政行为',
    period: '60d',
    extend: true,
    effect: 'deadline',
    source: '中华人民共和国行政复议法 第二十条',
  },
  lawsuitPeriod: {
    title: '提起行政诉讼',
    from: '知道或者应当知道作出行政行为',
    period: '6m',
    extend: true,
    effect: 'deadline',
    source: '中华人民共和国行政诉讼法 第四十六条',
  },
} as const satisfies Record<string, PeriodStatute>;

export type StatuteKey = keyof typeof STATUTES;

/** Limits counted in hours from an instant, not in days. */
export interface HourLimit {
  title: string;
  from: string;
  hours: number;
  source: string;
}

export const HOUR_LIMITS = {
  storeAudioVideo: {
    title: '音像记录存储至执法信息系统',
    from: '音像记录制作完成（异地执法：回到本单位）',
    hours: 24,
    source: `${LAW_ENFORCEMENT_RECORDING} 第三十二条`,
  },
  approveUrgentStart: {
    title: '紧急启动执法程序后补报审批',
    from: '执法程序启动',
    hours: 24,
    source: `${LAW_ENFORCEMENT_RECORDING} 第八条`,
  },
} as const satisfies Record<string, HourLimit>;

export type HourLimitKey = keyof typeof HOUR_LIMITS;

/** 加处罚款: a rate and a cap, not a period. */
export const LATE_PAYMENT_SURCHARGE = {
  title: '到期不缴纳罚款，每日按罚款数额的百分之三加处罚款',
  percentPerDay: 3,
  /** The surcharge never exceeds the fine itself. */
  capIsFine: true,
  source: `${ADMINISTRATIVE_PENALTY} 第七十二条`,
} as const;

export function statutePeriod(key: StatuteKey): Period {
  return parsePeriod(STATUTES[key].period);
}

/** The statute's period computed from `start` (the day of the triggering event). */
export function statuteDeadline(cal: WorkingCalendar, key: StatuteKey, start: string): DeadlineResult {
  const statute = STATUTES[key];
  return computeDeadline(cal, start, statute.period, { extend: statute.extend });
}

/** The instant an hour limit runs out, as 'YYYY-MM-DDTHH:mm:ss+08:00'. */
export function hourLimitDeadline(key: HourLimitKey, fromInstant: Date | string): string {
  return formatShanghaiInstant(new Date(parseInstant(fromInstant).getTime() + HOUR_LIMITS[key].hours * 3_600_000));
}

/**
 * The surcharge in cents for a fine paid `daysLate` days after its deadline: 3% of the fine per
 * day, capped at the fine, rounded down to the cent (never more than the law allows).
 */
export function surcharge(fineCents: number, daysLate: number): number {
  if (!Number.isSafeInteger(fineCents) || fineCents < 0) throw new RangeError(`surcharge: fineCents must be a non-negative integer, got ${fineCents}`);
  if (!Number.isSafeInteger(daysLate) || daysLate < 0) throw new RangeError(`surcharge: daysLate must be a non-negative integer, got ${daysLate}`);
  const percent = BigInt(LATE_PAYMENT_SURCHARGE.percentPerDay) * BigInt(daysLate);
  const uncapped = Number((BigInt(fineCents) * percent) / 100n); // BigInt: exact for any fine and day count
  return Math.min(uncapped, fineCents);
}
