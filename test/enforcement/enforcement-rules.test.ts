import fc from 'fast-check';
import { addDays } from '../../domain/dates';
import { officialCalendar } from '../../domain/official-calendar';
import { capReachedOn, fineStatus, scheduleStatus, surchargeFen } from '../../domain/enforcement/money';
import { initialState, reduce } from '../../domain/enforcement/reducer';
import { check, currentAgreementStage, currentDueDay } from '../../domain/enforcement/transitions';
import type { EnforcementInput, EnforcementState } from '../../domain/enforcement/types';
import { courtWindow, executionTimeProblem, fineLastDay, substituteMayStart } from '../../domain/enforcement/window';

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

describe('instalments (行政处罚法 第六十六条): each against its own due date', () => {
  /** Splits a fine into n integer instalments that add up to it. */
  const split = (fine: number, weights: number[]) => {
    const total = weights.reduce((a, b) => a + b, 0);
    const parts = weights.map((w) => Math.floor((fine * w) / total));
    parts[parts.length - 1]! += fine - parts.reduce((a, b) => a + b, 0);
    return parts;
  };

  it('integers only; the total surcharge is never above the fine, nor any instalment’s above its amount; one instalment is exactly fineStatus', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e11 }),
        fc.array(fc.record({ w: fc.integer({ min: 1, max: 100 }), day: fc.integer({ min: 0, max: 120 }) }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.record({ amountFen: fc.integer({ min: 0, max: 1e11 }), day: fc.integer({ min: 0, max: 200 }) }), { maxLength: 6 }),
        fc.integer({ min: 0, max: 250 }),
        fc.integer({ min: 0, max: 1e11 }),
        (fine, parts, pays, asOfDay, reduction) => {
          const amounts = split(fine, parts.map((p) => p.w));
          const schedule = parts.map((p, i) => ({ dueDate: addDays('2025-03-18', p.day), amountFen: amounts[i]! }));
          const payments = pays.map((p) => ({ amountFen: p.amountFen, paidAt: `${addDays('2025-03-10', p.day)}T10:00:00+08:00` }));
          const asOf = addDays('2025-03-10', asOfDay);
          const a = scheduleStatus(fine, schedule, payments, asOf, reduction);
          for (const v of [a.surchargeFen, a.paidFen, a.amountDueFen, a.surchargeReductionFen, ...a.instalments.flatMap((i) => [i.surchargeFen, i.paidFen, i.daysLate])]) expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
          expect(a.surchargeFen + a.surchargeReductionFen).toBeLessThanOrEqual(fine);
          for (const i of a.instalments) expect(i.surchargeFen).toBeLessThanOrEqual(i.amountFen);
          expect(a.instalments.reduce((t, i) => t + i.surchargeFen, 0)).toBe(a.surchargeFen + a.surchargeReductionFen);
          expect(a.amountDueFen).toBe(Math.max(0, fine + a.surchargeFen - a.paidFen));
          // A single instalment is the plain fine.
          const single = scheduleStatus(fine, [{ dueDate: '2025-03-18', amountFen: fine }], payments, asOf, reduction);
          expect({ ...single, instalments: undefined, nextDue: undefined }).toEqual({ ...fineStatus(fine, '2025-03-18', payments, asOf, reduction), instalments: undefined, nextDue: undefined });
        },
      ),
    );
  });

  it('worked figures: only the overdue instalment is surcharged, 3% of its own amount a day, until paid; the next one then counts', () => {
    const schedule = [
      { dueDate: '2025-04-30', amountFen: 40_000 },
      { dueDate: '2025-03-31', amountFen: 60_000 },
    ];
    // Nothing paid, 2025-04-02: the first instalment (31 March) is 2 days late: 2 × 3% × 600 元 = 36 元.
    expect(scheduleStatus(100_000, schedule, [], '2025-04-02')).toMatchObject({ surchargeFen: 3_600, amountDueFen: 103_600, nextDue: { dueDate: '2025-03-31' }, instalments: [{ dueDate: '2025-03-31', daysLate: 2, surchargeFen: 3_600 }, { dueDate: '2025-04-30', daysLate: 0, surchargeFen: 0 }] });
    // First paid on 2 April (2 days late); second 5 days late on 5 May: 3600 + 5 × 3% × 40000 = 3600 + 6000.
    const paid = [
      { amountFen: 60_000, paidAt: '2025-04-02T10:00:00+08:00' },
      { amountFen: 40_000, paidAt: '2025-05-05T10:00:00+08:00' },
    ];
    expect(scheduleStatus(100_000, schedule, paid, '2025-06-30')).toMatchObject({ surchargeFen: 9_600, amountDueFen: 9_600, instalments: [{ coveredOn: '2025-04-02', surchargeFen: 3_600 }, { coveredOn: '2025-05-05', surchargeFen: 6_000 }] });
    expect(scheduleStatus(100_000, schedule, paid, '2025-06-30').nextDue).toBeUndefined();
    // Long overdue: each capped at its own amount, the total at the fine.
    expect(scheduleStatus(100_000, schedule, [], '2026-01-01')).toMatchObject({ surchargeFen: 100_000, surchargeCapped: true, amountDueFen: 200_000 });
    expect(() => scheduleStatus(100_000, [{ dueDate: '2025-03-31', amountFen: 99_999 }], [], '2025-04-01')).toThrow(RangeError);
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

  it('a 催告 served after latestFiling leaves no window: the application is too late (not "too early")', () => {
    let s = base();
    s = reduce(s, { kind: 'demand', by: 'h' }, '2026-01-05T10:00:00+08:00', { document: { kind: 'demand', documentId: 'x', sha256: 'y' } }).state;
    const w = courtWindow(cal, input.servedAt, '2026-01-05T10:00:00+08:00');
    expect(w.earliestFiling > w.latestFiling).toBe(true);
    s = reduce(s, { kind: 'demandService', by: 'h', method: 'direct', servedAt: '2026-01-05T10:00:00+08:00', proof: {} }, '2026-01-05T10:00:00+08:00', { demandDeadline: { deadline: '2026-01-19T23:59:59+08:00', lastDay: '2026-01-19' }, court: w }).state;
    expect(check(s, { kind: 'courtApplication', by: 'h', filedAt: '2026-01-06T10:00:00+08:00', court: '本溪市中级人民法院', documents: ['申请书'] }, { nowMs: at('2026-01-07') })).toMatchObject({ rule: 'enforcement.court.too_late', basis: expect.stringContaining('第五十三条') });
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

describe('the table, further steps (pure)', () => {
  const input: EnforcementInput = {
    enforcementId: 'e2',
    decisionId: 'd2',
    unit: 'benxi.ybj',
    caseNumber: 'C2',
    decisionNumber: 'D2',
    decisionKind: 'penalty',
    obligation: { kind: 'fine', amountFen: 100_000 },
    enforcementPower: 'own',
    servedAt: '2025-03-03T10:00:00+08:00',
    serviceMethod: 'direct',
    startedBy: 'h',
  };
  const base = (over: Partial<EnforcementState> = {}): EnforcementState => ({ ...initialState(input), performanceLastDay: '2025-03-18', performanceDeadline: '2025-03-18T23:59:59+08:00', ...over });
  const at = (d: string) => Date.parse(`${d}T12:00:00+08:00`);
  const doc = { document: { kind: 'demand', documentId: 'x', sha256: 'y' } };

  it('deferral with instalments: the head’s approval recorded, each instalment its own due date; a 催告 only once an instalment is overdue; amounts must add up to the fine; once only', () => {
    const defer = { kind: 'deferral' as const, by: 'head', approvedBy: 'head', application: '经营困难申请分期', instalments: [{ dueDate: '2025-04-30', amountFen: 50_000 }, { dueDate: '2025-05-30', amountFen: 50_000 }] };
    expect(check(base(), { ...defer, instalments: [{ dueDate: '2025-04-30', amountFen: 50_000 }] }, { nowMs: at('2025-03-10') })).toMatchObject({ rule: 'enforcement.deferral.instalments_exceed_fine', basis: expect.stringContaining('第六十六条') });
    expect(check(base(), { ...defer, instalments: undefined }, { nowMs: at('2025-03-10') })).toMatchObject({ rule: 'enforcement.deferral.no_date' });
    const step = reduce(base(), defer, '2025-03-10T10:00:00+08:00');
    expect(step.state).toMatchObject({ performanceLastDay: '2025-05-30', deferral: { approvedBy: 'head', instalments: defer.instalments } });
    expect(step.entries[0]).toMatchObject({ action: 'enforcement.deferral', payload: { approvedBy: 'head' } });
    expect(currentDueDay(step.state)).toBe('2025-04-30');
    expect(check(step.state, defer, { nowMs: at('2025-03-11') })).toMatchObject({ rule: 'enforcement.deferral.twice' });
    expect(check(step.state, { kind: 'demand', by: 'h' }, { nowMs: at('2025-04-30') })).toMatchObject({ rule: 'enforcement.demand.not_due' });
    expect(check(step.state, { kind: 'demand', by: 'h' }, { nowMs: at('2025-05-01') })).toBeUndefined();
    const paid = reduce(step.state, { kind: 'payment', by: 'h', amountFen: 50_000, paidAt: '2025-04-29T10:00:00+08:00', receipt: 'I1' }, '2025-04-29T10:00:00+08:00').state;
    expect(currentDueDay(paid)).toBe('2025-05-30');
    expect(check(paid, { kind: 'demand', by: 'h' }, { nowMs: at('2025-05-01') })).toMatchObject({ rule: 'enforcement.demand.not_due' });
    expect(check(base({ obligation: { kind: 'correction', description: 'x', dueDate: '2025-04-01' } }), defer, { nowMs: at('2025-03-10') })).toMatchObject({ rule: 'enforcement.deferral.not_money' });
  });

  it('correction check: not before its due date unless corrected; corrected → performed; not corrected → stays for a 催告', () => {
    const s = base({ obligation: { kind: 'correction', description: '整改医保结算系统', dueDate: '2025-04-01' }, performanceLastDay: '2025-04-01' });
    const c = (checkedAt: string, corrected: boolean) => ({ kind: 'correctionCheck' as const, by: 'h', checkedAt: `${checkedAt}T10:00:00+08:00`, corrected, note: '现场复查' });
    expect(check(s, c('2025-03-31', false), { nowMs: at('2025-04-02') })).toMatchObject({ rule: 'enforcement.correction.before_due', basis: expect.stringContaining('第二十八条') });
    expect(check(s, c('2025-03-31', true), { nowMs: at('2025-04-02') })).toBeUndefined();
    expect(check(s, c('2025-04-03', false), { nowMs: at('2025-04-02') })).toMatchObject({ rule: 'enforcement.correction.in_future' });
    expect(check(base(), c('2025-04-01', false), { nowMs: at('2025-04-02') })).toMatchObject({ rule: 'enforcement.correction.not_correction' });
    const notDone = reduce(s, c('2025-04-01', false), '2025-04-01T10:00:00+08:00');
    expect(notDone.state).toMatchObject({ stage: 'awaiting_performance', correctionCheck: { corrected: false } });
    expect(check(notDone.state, { kind: 'demand', by: 'h' }, { nowMs: at('2025-04-02') })).toBeUndefined();
    expect(reduce(s, c('2025-04-01', true), '2025-04-01T10:00:00+08:00')).toMatchObject({ ended: true, state: { stage: 'performed' } });
  });

  it('a 催告书 is not served before it was made', () => {
    const s = reduce(base(), { kind: 'demand', by: 'h' }, '2025-04-01T10:00:00+08:00', doc).state;
    expect(check(s, { kind: 'demandService', by: 'h', method: 'direct', servedAt: '2025-03-31T10:00:00+08:00', proof: { signedBy: 'p' } }, { nowMs: at('2025-04-02') })).toMatchObject({ rule: 'enforcement.demand.served_before_issued' });
    expect(check(s, { kind: 'demandService', by: 'h', method: 'announcement', servedAt: '2025-04-01T11:00:00+08:00', proof: { where: 'x' } }, { nowMs: at('2025-04-02') })).toMatchObject({ rule: 'service.announcement_before_other_failed' });
  });

  const decided = (method: 'remove_obstruction' | 'substitute_performance') => {
    let s = base({ obligation: { kind: 'other', description: '拆除违法设施', dueDate: '2025-03-18' } });
    s = reduce(s, { kind: 'demand', by: 'h' }, '2025-04-01T10:00:00+08:00', doc).state;
    s = reduce(s, { kind: 'demandService', by: 'h', method: 'direct', servedAt: '2025-04-01T11:00:00+08:00', proof: {} }, '2025-04-01T11:00:00+08:00', { demandDeadline: { deadline: '2025-04-16T23:59:59+08:00', lastDay: '2025-04-16' } }).state;
    return reduce(s, { kind: 'enforcementDecision', by: 'head', method, executeAt: '2025-04-21T10:00:00+08:00' }, '2025-04-17T10:00:00+08:00', { document: { kind: 'enforcement_decision', documentId: 'z', sha256: 'w' } }).state;
  };

  it('remove_obstruction executes only with an AV record; executed → final', () => {
    const s = decided('remove_obstruction');
    expect(check(s, { kind: 'execution', by: 'h', executedAt: '2025-04-21T10:00:00+08:00', result: '已拆除' }, { nowMs: at('2025-04-21') })).toMatchObject({ rule: 'enforcement.execution.av_required', basis: expect.stringContaining('第三十条') });
    expect(check(s, { kind: 'execution', by: 'h', executedAt: '2025-04-21T10:00:00+08:00', result: '已拆除', avRecordId: 'av-1' }, { nowMs: at('2025-04-21') })).toBeUndefined();
    expect(reduce(s, { kind: 'execution', by: 'h', executedAt: '2025-04-21T10:00:00+08:00', result: '已拆除', avRecordId: 'av-1' }, '2025-04-21T10:00:00+08:00')).toMatchObject({ ended: true, state: { stage: 'executed' } });
  });

  it('substitute performance: only after a further 催告 served 3 working days before (第五十一条)', () => {
    let s = decided('substitute_performance');
    const exec = (d: string, ctx: object = {}) => check(s, { kind: 'execution', by: 'h', executedAt: `${d}T10:00:00+08:00`, result: '代履行完毕' }, { nowMs: at('2025-05-30'), ...ctx });
    expect(exec('2025-04-21')).toMatchObject({ rule: 'enforcement.substitute.no_further_demand', basis: expect.stringContaining('第五十一条') });
    expect(check(s, { kind: 'demand', by: 'h', purpose: 'substitute_performance' }, { nowMs: at('2025-04-18') })).toBeUndefined();
    s = reduce(s, { kind: 'demand', by: 'h', purpose: 'substitute_performance' }, '2025-04-18T09:00:00+08:00', { document: { kind: 'substitute_demand', documentId: 's', sha256: 't' } }).state;
    expect(s.stage).toBe('enforcement_decided');
    // Served Friday 2025-04-18: three working days are 21, 22, 23 April; execution from 24 April.
    expect(substituteMayStart(cal, '2025-04-18T10:00:00+08:00')).toBe('2025-04-24');
    s = reduce(s, { kind: 'demandService', by: 'h', method: 'direct', servedAt: '2025-04-18T10:00:00+08:00', proof: {} }, '2025-04-18T10:00:00+08:00', { demandDeadline: { deadline: '2025-04-23T23:59:59+08:00', lastDay: '2025-04-23' } }).state;
    expect(exec('2025-04-23', { substituteMayStart: '2025-04-24' })).toMatchObject({ rule: 'enforcement.substitute.no_further_demand' });
    expect(exec('2025-04-24', { substituteMayStart: '2025-04-24' })).toBeUndefined();
  });

  it('agreement: stages tracked one by one, reduction only with remedial measures; broken → back to enforcement without the reduction', () => {
    let s = base();
    s = reduce(s, { kind: 'demand', by: 'h' }, '2025-04-01T10:00:00+08:00', doc).state;
    s = reduce(s, { kind: 'demandService', by: 'h', method: 'direct', servedAt: '2025-04-01T11:00:00+08:00', proof: {} }, '2025-04-01T11:00:00+08:00', { demandDeadline: { deadline: '2025-04-16T23:59:59+08:00', lastDay: '2025-04-16' } }).state;
    const agree = { kind: 'agreement' as const, by: 'h', stages: [{ dueDate: '2025-05-15', amountFen: 100_000 }, { dueDate: '2025-06-15', amountFen: 50_000 }], surchargeReductionFen: 20_000 };
    expect(check(s, agree, { nowMs: at('2025-04-20') })).toMatchObject({ rule: 'enforcement.agreement.reduction_without_remedy', basis: expect.stringContaining('第四十二条') });
    expect(check(s, { ...agree, stages: [] }, { nowMs: at('2025-04-20') })).toMatchObject({ rule: 'enforcement.agreement.no_stages' });
    s = reduce(s, { ...agree, remedialMeasures: '已退回违规结算资金' }, '2025-04-20T10:00:00+08:00').state;
    expect(s.stage).toBe('in_agreement');
    expect(currentAgreementStage(s)).toEqual({ dueDate: '2025-05-15', n: 1 });
    s = reduce(s, { kind: 'payment', by: 'h', amountFen: 100_000, paidAt: '2025-05-10T10:00:00+08:00', receipt: 'A1' }, '2025-05-10T10:00:00+08:00').state;
    expect(currentAgreementStage(s)).toEqual({ dueDate: '2025-06-15', n: 2 });
    expect(check(s, { kind: 'enforcementDecision', by: 'h', method: 'transfer_deposits', executeAt: '2025-06-20T10:00:00+08:00' }, { nowMs: at('2025-06-16'), executionTime: 'ok' })).toBeUndefined();
    const broken = reduce(s, { kind: 'agreementBroken', by: 'h', reason: '第二期未缴' }, '2025-06-16T10:00:00+08:00').state;
    expect(broken).toMatchObject({ stage: 'demand_served', agreement: { surchargeReductionFen: 0, broken: { reason: '第二期未缴' } } });
    expect(check(broken, { kind: 'agreementBroken', by: 'h', reason: 'x' }, { nowMs: at('2025-06-16') })).toMatchObject({ rule: 'enforcement.wrong_stage' });
  });

  it('suspension → resumption returns to the stage before; termination records its ground (decision_revoked for the disclosure)', () => {
    let s = base();
    s = reduce(s, { kind: 'suspension', by: 'head', ground: 'third_party_claim' }, '2025-03-20T10:00:00+08:00').state;
    expect(check(s, { kind: 'payment', by: 'h', amountFen: 1, paidAt: '2025-03-20T10:00:00+08:00', receipt: 'X' }, { nowMs: at('2025-03-21') })).toMatchObject({ rule: 'enforcement.wrong_stage' });
    s = reduce(s, { kind: 'resumption', by: 'head' }, '2025-04-20T10:00:00+08:00').state;
    expect(s).toMatchObject({ stage: 'awaiting_performance', suspensions: [{ ground: 'third_party_claim', until: '2025-04-20T10:00:00+08:00' }] });
    const t = reduce(s, { kind: 'termination', by: 'head', ground: 'decision_revoked', note: '复议决定撤销' }, '2025-04-25T10:00:00+08:00');
    expect(t).toMatchObject({ ended: true, state: { stage: 'terminated', termination: { ground: 'decision_revoked' } } });
    expect(t.entries[0]).toMatchObject({ action: 'enforcement.terminated', payload: { ground: 'decision_revoked', decisionId: 'd2', decisionNumber: 'D2' } });
    expect(check(t.state, { kind: 'resumption', by: 'head' }, { nowMs: at('2025-04-26') })).toMatchObject({ rule: 'enforcement.ended', basis: expect.stringContaining('第四十条') });
  });
});
