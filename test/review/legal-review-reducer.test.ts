// The legal review's transitions table and reducer, without any server.
import { decide, type ReviewAction } from '../../domain/legal-review/reducer';
import { initialState, view, type ReviewState } from '../../domain/legal-review/state';
import { check, TRANSITIONS } from '../../domain/legal-review/transitions';
import { cleanChecklist, qualifiedProfile, submission } from './helpers';

const T0 = '2026-03-02T09:00:00+08:00';
const schedule = { lastDay: '2026-03-11', deadline: '2026-03-11T23:59:59+08:00', yellowFrom: '2026-03-10T00:00:00+08:00', lastDayFrom: '2026-03-11T00:00:00+08:00', provisional: false, capped: false, basis: '7wd' };
const extended = { ...schedule, lastDay: '2026-03-16', deadline: '2026-03-16T23:59:59+08:00', basis: '7wd + 3wd' };
const doc = { documentId: 'doc-1', sha256: 'a'.repeat(64) };

function run(s: ReviewState, ...actions: ReviewAction[]): ReviewState {
  for (const a of actions) {
    if (a.type in TRANSITIONS) {
      const refusal = check(s, a.type as keyof typeof TRANSITIONS, a as never, T0);
      if (refusal) throw new Error(`${a.type} refused: ${refusal.rule}`);
    }
    s = decide(s, a, T0).state;
  }
  return s;
}

const started = () =>
  run(
    initialState(submission({ receivedAt: T0 }), 'review-x', { unitName: '本溪市医疗保障局', supervisorUnit: 'benxi.sfj' }),
    { type: 'submitted' },
    { type: 'clockStarted', schedule },
    { type: 'assignReviewer', by: 'head', reviewerId: 'rev', profile: qualifiedProfile('rev') },
  );

describe('legal review: transitions table and pure reducer', () => {
  it('every row names its statuses and an article of 本政办发〔2019〕34号', () => {
    for (const [name, t] of Object.entries(TRANSITIONS)) {
      expect(t.from.length).toBeGreaterThan(0);
      expect(t.article).toMatch(/^第.+条/);
      expect(name).toBeTruthy();
    }
  });

  it('refuses an action in the wrong status with rule wrong_state and the article as basis', () => {
    const s = started();
    const refusal = check(s, 'decideExtension', { by: 'head', approve: true, note: 'ok' }, T0);
    expect(refusal).toMatchObject({ rule: 'wrong_state', basis: '本政办发〔2019〕34号 第十二条' });
    expect(check(s, 'requestExtension', { by: 'someone', reason: 'x' }, T0)?.rule).toBe('not_assigned_reviewer');
  });

  it('refuses an extension once the deadline has passed (第十二条)', () => {
    expect(check(started(), 'requestExtension', { by: 'rev', reason: '复杂' }, '2026-03-12T09:00:00+08:00')?.rule).toBe('extension_after_deadline');
  });

  it('an approved extension: one record entry carrying the new deadline, the reviewer told, no separate deadline change', () => {
    const s = run(started(), { type: 'requestExtension', by: 'rev', reason: '复杂' });
    const { state, effects } = decide(s, { type: 'decideExtension', by: 'head', approve: true, note: '同意', schedule: extended, level: 'none' }, T0);
    expect(view(state)).toMatchObject({ status: 'in_review', extended: true, deadline: extended.deadline });
    expect(effects.map((e) => (e.type === 'record' ? `record ${e.action}` : e.type))).toEqual(['record review.extension_approved', 'project', 'notify']);
    expect(effects[0]).toMatchObject({ payload: { deadline: extended.deadline } });
  });

  it('an opinion: record, projection, both copies right after it, then the notice; the state is passed', () => {
    const { state, effects } = decide(started(), { type: 'giveOpinion', by: 'rev', kind: 'approve', checklist: cleanChecklist(), text: '同意', document: doc }, T0);
    expect(state.status).toBe('passed');
    expect(effects.map((e) => (e.type === 'record' ? e.action : e.type))).toEqual(['review.opinion', 'project', 'review.opinion.archived', 'review.opinion.returned_to_handler', 'notify', 'notePenaltyReviewed']);
  });

  it('overdue: one escalation to the unit and its 司法局, keyed by the clock generation', () => {
    const { state, effects } = decide(started(), { type: 'overdue', schedule, tag: 'g1:overdue' }, T0);
    expect(view(state)).toMatchObject({ overdue: true, warningLevel: 'red', escalations: 1 });
    expect(effects.filter((e) => e.type === 'notify').map((e) => e.type === 'notify' && [e.notice.unit, e.label])).toEqual([
      ['benxi.ybj', 'r1:g1:overdue:benxi.ybj'],
      ['benxi.sfj', 'r1:g1:overdue:benxi.sfj'],
    ]);
  });

  it('decide is pure: the state it was given is untouched', () => {
    const s = started();
    const before = JSON.stringify(s);
    decide(s, { type: 'withdraw', by: 'h', reason: 'x' }, T0);
    expect(JSON.stringify(s)).toBe(before);
  });
});
