import fc from 'fast-check';
import { addDays } from '../../domain/dates';
import { officialCalendar } from '../../domain/official-calendar';
import { capReachedOn, fineStatus, surchargeFen } from '../../domain/enforcement/money';
import { initialState, reduce } from '../../domain/enforcement/reducer';
import { check } from '../../domain/enforcement/transitions';
import type { EnforcementInput, EnforcementState } from '../../domain/enforcement/types';
import { courtWindow, executionTimeProblem, fineLastDay } from '../../domain/enforcement/window';

const cal = officialCalendar();
const fen = fc.integer({ min: 0, max: 1e13 });

describe('surcharge money arithmetic (integers, cap never exceeded)', () => {
  it('surcharge is an integer, monotone in days, never above the fine', () => {
    fc.assert(
      fc.property(fen, fc.integer({ min: 0, max: 5000 }), (fine, days) => {
        const s = surchargeFen(fine, days);
        expect(Number.isSafeInteger(s)).toBe(true);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(fine);
        expect(surchargeFen(fine, days + 1)).toBeGreaterThanOrEqual(s);
        // exact: floor(fine * 3 * days / 100) until capped
        expect(BigInt(s)).toBe([BigInt(fine), (BigInt(fine) * 3n * BigInt(days)) / 100n].reduce((a, b) => (a < b ? a : b)));
      }),
    );
  });

  it('the account: amount due = fine + surcharge − paid (≥ 0), surcharge stops once the fine itself is paid', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e11 }),
        fc.array(fc.record({ amountFen: fc.integer({ min: 0, max: 1e11 }), day: fc.integer({ min: 0, max: 80 }) }), { maxLength: 6 }),
        fc.integer({ min: 0, max: 90 }),
        fc.integer({ min: 0, max: 1e11 }),
        (fine, pays, asOfDay, reduction) => {
          const lastDay = '2025-03-18';
          const payments = pays.map((p) => ({ amountFen: p.amountFen, paidAt: `${addDays('2025-03-10', p.day)}T10:00:00+08:00` }));
          const asOf = addDays('2025-03-10', asOfDay);
          const a = fineStatus(fine, lastDay, payments, asOf, reduction);
          for (const v of [a.surchargeFen, a.paidFen, a.amountDueFen, a.surchargeReductionFen]) expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
          expect(a.surchargeFen + a.surchargeReductionFen).toBeLessThanOrEqual(fine);
          expect(a.amountDueFen).toBe(Math.max(0, fine + a.surchargeFen - a.paidFen));
        },
      ),
    );
  });

  it('worked figures: 3% a day from the day after the due date, capped on day 34', () => {
    expect(fineStatus(100_000, '2025-03-18', [], '2025-03-18')).toMatchObject({ daysLate: 0, surchargeFen: 0, amountDueFen: 100_000 });
    expect(fineStatus(100_000, '2025-03-18', [], '2025-03-19')).toMatchObject({ daysLate: 1, surchargeFen: 3_000, amountDueFen: 103_000 });
    expect(fineStatus(100_000, '2025-03-18', [], '2025-04-20')).toMatchObject({ daysLate: 33, surchargeFen: 99_000, surchargeCapped: false });
    expect(fineStatus(100_000, '2025-03-18', [], '2025-04-21')).toMatchObject({ daysLate: 34, surchargeFen: 100_000, surchargeCapped: true, amountDueFen: 200_000 });
    expect(capReachedOn('2025-03-18')).toBe('2025-04-21');
    // The fine paid on day 2: the surcharge stops there (2 days), the rest is the surcharge.
    expect(fineStatus(100_000, '2025-03-18', [{ amountFen: 100_000, paidAt: '2025-03-20T09:00:00+08:00' }], '2025-05-01')).toMatchObject({ surchargeFen: 6_000, amountDueFen: 6_000 });
  });
});

describe('enforcement dates', () => {
  it("the issue's worked example: decision served 2025-03-03, 催告 served 2025-09-01 → earliest 2025-09-16, latest 2025-12-03", () => {
    const w = courtWindow(cal, '2025-03-03T10:00:00+08:00', '2025-09-01T10:00:00+08:00');
    expect(w).toMatchObject({ remedyPeriodsEnd: '2025-09-03', demandWaitEnds: '2025-09-15', earliestFiling: '2025-09-16', latestFiling: '2025-12-03' });
  });

  it('a fine is due 15 calendar days after service, moved past rest days and holidays (调休 working days count)', () => {
    expect(fineLastDay(cal, '2025-03-03T10:00:00+08:00').lastDay).toBe('2025-03-18');
    // 2025-09-15 + 15 = 2025-09-30 (a working day before National Day)
    expect(fineLastDay(cal, '2025-09-15T10:00:00+08:00').lastDay).toBe('2025-09-30');
    // 2025-09-20 + 15 = 2025-10-05 (National Day holiday) → 2025-10-09
    expect(fineLastDay(cal, '2025-09-20T10:00:00+08:00').lastDay).toBe('2025-10-09');
    // 2025-09-13 + 15 = 2025-09-28, a Sunday that is a 调休 working day: it stays
    expect(fineLastDay(cal, '2025-09-13T10:00:00+08:00').lastDay).toBe('2025-09-28');
  });

  it('night (22:00–06:00 Shanghai) and non-working days are refused for execution', () => {
    expect(executionTimeProblem(cal, '2025-09-16T23:00:00+08:00')).toBe('night');
    expect(executionTimeProblem(cal, '2025-09-16T05:59:00+08:00')).toBe('night');
    expect(executionTimeProblem(cal, '2025-10-02T10:00:00+08:00')).toBe('holiday');
    expect(executionTimeProblem(cal, '2025-09-28T10:00:00+08:00')).toBeUndefined();
    expect(executionTimeProblem(cal, '2025-09-16T06:00:00+08:00')).toBeUndefined();
  });
});

describe('the table refuses, with rule and basis', () => {
  const input: EnforcementInput = {
    enforcementId: 'e1',
    decisionId: 'd1',
    unit: 'benxi.ybj',
    caseNumber: 'C1',
    decisionNumber: 'D1',
    decisionKind: 'penalty',
    obligation: { kind: 'fine', amountFen: 100_000 },
    enforcementPower: 'court',
    servedAt: '2025-03-03T10:00:00+08:00',
    serviceMethod: 'direct',
    startedBy: 'h',
  };
  const base = (): EnforcementState => ({ ...initialState(input), performanceLastDay: '2025-03-18', performanceDeadline: '2025-03-18T23:59:59+08:00' });
  const at = (d: string) => Date.parse(`${d}T12:00:00+08:00`);

  it('court window: a day early and a day late refused, first and last day accepted', () => {
    let s = base();
    s = reduce(s, { kind: 'demand', by: 'h' }, '2025-08-30T10:00:00+08:00', { document: { kind: 'demand', documentId: 'x', sha256: 'y' } }).state;
    s = reduce(s, { kind: 'demandService', by: 'h', method: 'direct', servedAt: '2025-09-01T10:00:00+08:00', proof: { signedBy: 'p' } }, '2025-09-01T10:00:00+08:00', {
      demandDeadline: { deadline: '2025-09-15T23:59:59+08:00', lastDay: '2025-09-15' },
      court: courtWindow(cal, input.servedAt, '2025-09-01T10:00:00+08:00'),
    }).state;
    const file = (d: string) => check(s, { kind: 'courtApplication', by: 'h', filedAt: `${d}T10:00:00+08:00`, court: '本溪市中级人民法院', documents: ['申请书'] }, { nowMs: at('2026-01-01') });
    expect(file('2025-09-15')).toMatchObject({ rule: 'enforcement.court.too_early', basis: expect.stringContaining('第五十四条') });
    expect(file('2025-09-16')).toBeUndefined();
    expect(file('2025-12-03')).toBeUndefined();
    expect(file('2025-12-04')).toMatchObject({ rule: 'enforcement.court.too_late', basis: expect.stringContaining('第五十三条') });
    expect(check(s, { kind: 'enforcementDecision', by: 'h', method: 'surcharge', executeAt: '2025-09-20T10:00:00+08:00' }, { nowMs: at('2025-09-20') })).toMatchObject({ rule: 'enforcement.decision.court_only' });
  });

  it('own power: no decision before the 催告 deadline, nor with an unreviewed statement; immediate only with evidence; night/holiday unless emergency', () => {
    let s: EnforcementState = { ...base(), enforcementPower: 'own' };
    const decide = (st: EnforcementState, extra: object, now: string, executionTime?: 'night' | 'holiday' | 'ok') =>
      check(st, { kind: 'enforcementDecision', by: 'h', method: 'transfer_deposits', executeAt: '2025-09-17T10:00:00+08:00', ...extra }, { nowMs: at(now), executionTime });
    expect(decide(s, {}, '2025-09-17')).toMatchObject({ rule: 'enforcement.decision.before_demand_deadline' });
    s = reduce(s, { kind: 'demand', by: 'h' }, '2025-08-30T10:00:00+08:00', { document: { kind: 'demand', documentId: 'x', sha256: 'y' } }).state;
    s = reduce(s, { kind: 'demandService', by: 'h', method: 'direct', servedAt: '2025-09-01T10:00:00+08:00', proof: {} }, '2025-09-01T10:00:00+08:00', { demandDeadline: { deadline: '2025-09-15T23:59:59+08:00', lastDay: '2025-09-15' } }).state;
    expect(decide(s, {}, '2025-09-15')).toMatchObject({ rule: 'enforcement.decision.before_demand_deadline', basis: expect.stringContaining('第三十七条') });
    expect(decide(s, { immediate: { evidence: ' ' } }, '2025-09-10')).toMatchObject({ rule: 'enforcement.decision.immediate_without_evidence' });
    expect(decide(s, { immediate: { evidence: '当事人正在转移库存药品' } }, '2025-09-10')).toBeUndefined();
    s = reduce(s, { kind: 'statement', by: 'h', text: '无力一次缴清' }, '2025-09-05T10:00:00+08:00').state;
    expect(decide(s, {}, '2025-09-16')).toMatchObject({ rule: 'enforcement.decision.statement_unreviewed', basis: expect.stringContaining('第三十六条') });
    s = reduce(s, { kind: 'statementReview', by: 'h', n: 1, adopted: 'none', reasons: '无证据' }, '2025-09-06T10:00:00+08:00').state;
    expect(decide(s, {}, '2025-09-16', 'ok')).toBeUndefined();
    expect(decide(s, { executeAt: '2025-09-17T23:00:00+08:00' }, '2025-09-16')).toMatchObject({ rule: 'enforcement.execution.night' });
    expect(decide(s, {}, '2025-09-16', 'holiday')).toMatchObject({ rule: 'enforcement.execution.holiday', basis: expect.stringContaining('第四十三条') });
    expect(decide(s, { emergency: { reason: '危及公共安全' } }, '2025-09-16', 'holiday')).toBeUndefined();
  });

  it('full payment with the surcharge ends the process as performed', () => {
    let s = base();
    s = reduce(s, { kind: 'payment', by: 'h', amountFen: 100_000, paidAt: '2025-03-20T10:00:00+08:00', receipt: 'R1' }, '2025-03-20T10:00:00+08:00').state;
    expect(s.stage).toBe('awaiting_performance');
    const step = reduce(s, { kind: 'payment', by: 'h', amountFen: 6_000, paidAt: '2025-03-21T10:00:00+08:00', receipt: 'R2' }, '2025-03-21T10:00:00+08:00');
    expect(step.state.stage).toBe('performed');
    expect(step.ended).toBe(true);
    expect(check(step.state, { kind: 'payment', by: 'h', amountFen: 1, paidAt: '2025-03-21T10:00:00+08:00', receipt: 'R3' }, { nowMs: at('2025-03-22') })).toMatchObject({ rule: 'enforcement.ended' });
  });
});
