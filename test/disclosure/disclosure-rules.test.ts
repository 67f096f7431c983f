import { apply, initialState, reduce } from '../../domain/disclosure/reducer';
import { check, DISCLOSURE_TRANSITIONS } from '../../domain/disclosure/transitions';
import type { DisclosureInput } from '../../domain/disclosure/types';

const input: DisclosureInput = {
  disclosureId: 'd1',
  unit: 'jinzhou.ybj',
  jurisdiction: 'jinzhou',
  caseNumber: '锦医保罚〔2026〕1号',
  n: 1,
  source: 'decision',
  kind: 'levy',
  decisionId: 'x',
  decisionNumber: 'F-1',
  from: '2026-03-02T10:00:00+08:00',
  recordedBy: 'rec',
  partyKind: 'person',
};
const at = '2026-03-05T10:00:00+08:00';

describe('disclosure table and reducer (pure)', () => {
  it('the rule comes from the jurisdiction table (锦州 levy: 20wd); every table row names its rule and article', () => {
    expect(initialState(input).rule).toMatchObject({ statute: 'discloseOtherDecision', period: '20wd', basis: expect.stringContaining('锦政办发〔2019〕23号') });
    for (const t of Object.values(DISCLOSURE_TRANSITIONS)) {
      expect(t.wrongStatus.basis).toMatch(/本政办发〔2019〕35号 第.+条/);
      for (const g of t.guards) expect(g.basis).toMatch(/本政办发〔2019〕35号 第.+条/);
    }
  });

  it('refusals: checker = recorder, refusing without a reason, a second check, resubmit of a pending item, takedown without explanation, anything on a taken-down item', () => {
    const s = initialState(input);
    expect(check(s, { kind: 'check', by: 'rec', approve: true, note: '' })).toMatchObject({ rule: 'disclosure.check.same_person', basis: '本政办发〔2019〕35号 第三十一条' });
    expect(check(s, { kind: 'check', by: 'pub', approve: false, note: '  ' })).toMatchObject({ rule: 'disclosure.check.reason_required' });
    expect(check(s, { kind: 'resubmit', by: 'rec', note: 'x' })).toMatchObject({ rule: 'disclosure.resubmit.not_returned' });
    expect(check(s, { kind: 'takedown', by: 'pub', reason: 'revoked', explanation: ' ' })).toMatchObject({ rule: 'disclosure.takedown.explanation_required', basis: expect.stringContaining('第二十九条') });
    const published = reduce(s, { kind: 'check', by: 'pub', approve: true, note: '' }, at, { takedown: { at: '2028-03-05T23:59:59+08:00', basis: '2y' } }).state;
    expect(published).toMatchObject({ status: 'published', publishedAt: at, takedownAt: '2028-03-05T23:59:59+08:00', publishedLate: false });
    expect(check(published, { kind: 'check', by: 'pub', approve: true, note: '' })).toMatchObject({ rule: 'disclosure.check.not_pending' });
    const down = apply(published, { kind: 'expired' }, '2028-03-06T00:00:00+08:00');
    expect(down.state).toMatchObject({ status: 'taken_down', takedownReason: 'period_expired', publishedAt: at });
    expect(down.entries.map((e) => e.action)).toEqual(['disclosure.taken_down']);
    expect(check(down.state, { kind: 'takedown', by: 'pub', reason: 'revoked', explanation: 'x' })).toMatchObject({ rule: 'disclosure.takedown.already_taken_down' });
    expect(check(down.state, { kind: 'correct', by: 'pub', correctionId: 'c', corrections: { result: 'x' } })).toMatchObject({ rule: 'disclosure.correct.taken_down' });
  });

  it('published after the deadline is marked late; returned → resubmitted → pending; overdue counts one escalation', () => {
    let s = initialState(input);
    s = apply(s, { kind: 'clock', clock: { deadline: '2026-03-30T23:59:59+08:00', lastDay: '2026-03-30', basis: 'b', level: 'red' } }, at).state;
    s = apply(s, { kind: 'overdue', lastDay: '2026-03-30' }, at).state;
    expect(s).toMatchObject({ overdue: true, escalations: 1 });
    s = reduce(s, { kind: 'check', by: 'pub', approve: false, note: '缺少处罚依据' }, at).state;
    expect(s).toMatchObject({ status: 'returned', returnedReason: '缺少处罚依据' });
    s = reduce(s, { kind: 'resubmit', by: 'rec', note: '已补充', corrections: { content: '补充依据' } }, at).state;
    expect(s).toMatchObject({ status: 'pending_check', corrections: { content: '补充依据' } });
    s = reduce(s, { kind: 'check', by: 'pub', approve: true, note: '' }, '2026-04-01T10:00:00+08:00', { takedown: { at: '2028-04-01T23:59:59+08:00', basis: '2y' } }).state;
    expect(s).toMatchObject({ status: 'published', publishedLate: true, overdue: false });
  });
});
