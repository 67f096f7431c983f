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

/** The account of an enforcement's fine as of a date; zeros for obligations that are not money. */
export function accountOf(state: Pick<EnforcementState, 'obligation' | 'performanceLastDay' | 'payments' | 'agreement'>, asOf: string): FineStatus {
  if (state.obligation.kind !== 'fine' || !state.performanceLastDay) {
    const paid = state.payments.reduce((s, p) => s + p.amountFen, 0);
    return { fineFen: 0, paidFen: paid, daysLate: 0, surchargeFen: 0, surchargeCapped: false, surchargeReductionFen: 0, amountDueFen: 0 };
  }
  return fineStatus(state.obligation.amountFen, state.performanceLastDay, state.payments, asOf, state.agreement?.surchargeReductionFen ?? 0);
}

/** Fen as yuan text for documents: 123456 → '1234.56'. */
export const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
