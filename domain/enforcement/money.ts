// 加处罚款 (行政处罚法 第七十二条; 行政强制法 第四十五条): integer fen only, the cap never exceeded.
import { addDays, compareDates, daysBetween, shanghaiDateOf } from '../dates';
import { LATE_PAYMENT_SURCHARGE } from '../statutes';
import type { EnforcementState, Payment } from './types';

const checkFen = (name: string, v: number) => {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer number of fen, got ${v}`);
};

/** 3% of the fine per day late, rounded down to the fen, never above the fine. */
export function surchargeFen(fineFen: number, daysLate: number): number {
  checkFen('fineFen', fineFen);
  if (!Number.isSafeInteger(daysLate) || daysLate < 0) throw new RangeError(`daysLate must be a non-negative integer, got ${daysLate}`);
  const uncapped = (BigInt(fineFen) * BigInt(LATE_PAYMENT_SURCHARGE.percentPerDay) * BigInt(daysLate)) / 100n;
  return Number(uncapped < BigInt(fineFen) ? uncapped : BigInt(fineFen));
}

/** Days late on `asOf` (a date) for a fine due on `lastDay`: the day after the last day is day 1. */
export function daysLate(lastDay: string, asOf: string): number {
  return Math.max(0, daysBetween(lastDay, asOf));
}

export interface FineStatus {
  fineFen: number;
  paidFen: number;
  /** Days late counted up to `asOf`, or up to the day the fine itself was paid in full. */
  daysLate: number;
  surchargeFen: number;
  /** The uncapped surcharge reached the fine. */
  surchargeCapped: boolean;
  /** Reduction agreed for remedial measures (第四十二条), already taken off `surchargeFen`. */
  surchargeReductionFen: number;
  amountDueFen: number;
}

/**
 * The fine's account on a given date (YYYY-MM-DD, Asia/Shanghai). The surcharge runs from the day
 * after `lastDay` until the day payments first covered the fine itself (payments go to the fine
 * first), and is capped at the fine; an agreed reduction comes off it (never below zero).
 */
export function fineStatus(fineFen: number, lastDay: string, payments: Pick<Payment, 'amountFen' | 'paidAt'>[], asOf: string, reductionFen = 0): FineStatus {
  checkFen('fineFen', fineFen);
  checkFen('reductionFen', reductionFen);
  const upTo = payments
    .filter((p) => compareDates(shanghaiDateOf(p.paidAt), asOf) <= 0)
    .sort((a, b) => Date.parse(a.paidAt) - Date.parse(b.paidAt));
  let paid = 0;
  let fineCoveredOn: string | undefined;
  for (const p of upTo) {
    checkFen('amountFen', p.amountFen);
    paid += p.amountFen;
    if (fineCoveredOn === undefined && paid >= fineFen) fineCoveredOn = shanghaiDateOf(p.paidAt);
  }
  const until = fineCoveredOn && compareDates(fineCoveredOn, asOf) < 0 ? fineCoveredOn : asOf;
  const late = daysLate(lastDay, until);
  const gross = surchargeFen(fineFen, late);
  const capped = BigInt(fineFen) * BigInt(LATE_PAYMENT_SURCHARGE.percentPerDay) * BigInt(late) >= BigInt(fineFen) * 100n && late > 0;
  const reduction = Math.min(reductionFen, gross);
  const net = gross - reduction;
  return { fineFen, paidFen: paid, daysLate: late, surchargeFen: net, surchargeCapped: capped, surchargeReductionFen: reduction, amountDueFen: Math.max(0, fineFen + net - paid) };
}

/** The day the surcharge reaches the cap for a fine due on `lastDay` (day 34 late at 3%). */
export function capReachedOn(lastDay: string): string {
  return addDays(lastDay, Math.ceil(100 / LATE_PAYMENT_SURCHARGE.percentPerDay));
}

/** One due date of a fine: the whole fine, or an instalment approved under 行政处罚法 第六十六条. */
export interface DueAmount {
  dueDate: string;
  amountFen: number;
}

export interface InstalmentStatus extends DueAmount {
  /** Payments allocated to this instalment (payments go to the instalments in due-date order). */
  paidFen: number;
  /** The day payments first covered it, if they did by `asOf`. */
  coveredOn?: string;
  daysLate: number;
  surchargeFen: number;
  /** Its surcharge reached its own amount (the cap per instalment; the sum is never above the fine). */
  capped: boolean;
}

export interface ScheduleStatus extends FineStatus {
  instalments: InstalmentStatus[];
  /** The earliest instalment not yet covered by payments (undefined when all are paid). */
  nextDue?: DueAmount;
}

/**
 * The account of a fine payable on a schedule (instalments approved under 行政处罚法 第六十六条) on a
 * date. Each instalment is tracked against its own due date: payments go to the instalments in
 * due-date order; an instalment not covered by its due date is surcharged 3% of ITS amount a day from
 * the day after its due date until the day payments covered it, capped at its amount — so the total
 * is never above the fine (this service's reading of 第七十二条 for instalments). One instalment is
 * exactly `fineStatus`. An agreed reduction (第四十二条) comes off the total.
 */
export function scheduleStatus(fineFen: number, schedule: DueAmount[], payments: Pick<Payment, 'amountFen' | 'paidAt'>[], asOf: string, reductionFen = 0): ScheduleStatus {
  checkFen('fineFen', fineFen);
  checkFen('reductionFen', reductionFen);
  for (const i of schedule) checkFen('instalment amountFen', i.amountFen);
  const dues = [...schedule].sort((a, b) => compareDates(a.dueDate, b.dueDate));
  if (dues.reduce((t, i) => t + i.amountFen, 0) !== fineFen) throw new RangeError('the instalments must add up to the fine');
  const upTo = payments
    .filter((p) => compareDates(shanghaiDateOf(p.paidAt), asOf) <= 0)
    .sort((a, b) => Date.parse(a.paidAt) - Date.parse(b.paidAt));
  // The day cumulative payments first reached each cumulative amount.
  let paid = 0;
  const reached: { total: number; on: string }[] = [];
  for (const p of upTo) {
    checkFen('amountFen', p.amountFen);
    paid += p.amountFen;
    reached.push({ total: paid, on: shanghaiDateOf(p.paidAt) });
  }
  let cumulative = 0;
  let gross = 0;
  let maxLate = 0;
  let anyCapped = false;
  let nextDue: DueAmount | undefined;
  const instalments: InstalmentStatus[] = dues.map((d) => {
    const before = cumulative;
    cumulative += d.amountFen;
    const coveredOn = reached.find((r) => r.total >= cumulative)?.on;
    if (!coveredOn && !nextDue) nextDue = d;
    const until = coveredOn && compareDates(coveredOn, asOf) < 0 ? coveredOn : asOf;
    const late = daysLate(d.dueDate, until);
    const s = surchargeFen(d.amountFen, late);
    const capped = late > 0 && BigInt(d.amountFen) * BigInt(LATE_PAYMENT_SURCHARGE.percentPerDay) * BigInt(late) >= BigInt(d.amountFen) * 100n;
    gross += s;
    maxLate = Math.max(maxLate, late);
    anyCapped ||= capped;
    return { ...d, paidFen: Math.max(0, Math.min(d.amountFen, paid - before)), ...(coveredOn ? { coveredOn } : {}), daysLate: late, surchargeFen: s, capped };
  });
  const reduction = Math.min(reductionFen, gross);
  const net = gross - reduction;
  return {
    fineFen,
    paidFen: paid,
    daysLate: maxLate,
    surchargeFen: net,
    surchargeCapped: anyCapped,
    surchargeReductionFen: reduction,
    amountDueFen: Math.max(0, fineFen + net - paid),
    instalments,
    ...(nextDue ? { nextDue } : {}),
  };
}

/** The fine's schedule: the approved instalments, else the whole fine on the (possibly deferred) last day. */
export function scheduleOf(state: Pick<EnforcementState, 'obligation' | 'performanceLastDay' | 'deferral'>): DueAmount[] {
  if (state.obligation.kind !== 'fine' || !state.performanceLastDay) return [];
  if (state.deferral?.instalments?.length) return state.deferral.instalments.map((i) => ({ dueDate: i.dueDate, amountFen: i.amountFen }));
  return [{ dueDate: state.performanceLastDay, amountFen: state.obligation.amountFen }];
}

/** The account of an enforcement's fine as of a date; zeros for obligations that are not money. */
export function accountOf(state: Pick<EnforcementState, 'obligation' | 'performanceLastDay' | 'payments' | 'agreement' | 'deferral'>, asOf: string): ScheduleStatus {
  if (state.obligation.kind !== 'fine' || !state.performanceLastDay) {
    const paid = state.payments.reduce((s, p) => s + p.amountFen, 0);
    return { fineFen: 0, paidFen: paid, daysLate: 0, surchargeFen: 0, surchargeCapped: false, surchargeReductionFen: 0, amountDueFen: 0, instalments: [] };
  }
  return scheduleStatus(state.obligation.amountFen, scheduleOf(state), state.payments, asOf, state.agreement?.surchargeReductionFen ?? 0);
}

/** Fen as yuan text for documents: 123456 → '1234.56'. */
export const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
