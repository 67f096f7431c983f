// Issue 10, without a server: the rules a careful agency lawyer checks (本政办发〔2019〕34号), each one
// refusal with its rule id and article.
import { check as checkCase } from '../../domain/case-file/transitions';
import { initialState as openCase } from '../../domain/case-file/reducer';
import { normaliseCaseNumber, sameCaseNumber } from '../../domain/case-numbers';
import { deadlineRequest, decide, type ReviewAction } from '../../domain/legal-review/reducer';
import { currentRound, initialState, view, type ReviewState } from '../../domain/legal-review/state';
import { check, TRANSITIONS } from '../../domain/legal-review/transitions';
import { checklistWithProblem, qualifiedProfile, submission } from './helpers';
import { catalogueContradiction } from '../../infra/review-catalogue';

const T0 = '2026-03-02T09:00:00+08:00';
const schedule = { lastDay: '2026-03-11', deadline: '2026-03-11T23:59:59+08:00', yellowFrom: '2026-03-10T00:00:00+08:00', lastDayFrom: '2026-03-11T00:00:00+08:00', provisional: false, capped: false, basis: '7wd' };
const doc = { documentId: 'doc-1', sha256: 'a'.repeat(64) };

function run(s: ReviewState, ...actions: Array<[ReviewAction, string?]>): ReviewState {
  for (const [a, at = T0] of actions) {
    if (a.type in TRANSITIONS) {
      const refusal = check(s, a.type as keyof typeof TRANSITIONS, a as never, at);
      if (refusal) throw new Error(`${a.type} refused: ${refusal.rule}`);
    }
    s = decide(s, a, at).state;
  }
  return s;
}

const started = (overrides: Parameters<typeof submission>[0] = {}) =>
  run(
    initialState(submission({ receivedAt: T0, ...overrides }), 'review-x-s1', { unitName: '本溪市医疗保障局', supervisorUnit: 'benxi.sfj' }),
    [{ type: 'submitted' }],
    [{ type: 'clockStarted', schedule }],
    [{ type: 'assignReviewer', by: 'lead', byLead: true, reviewerId: 'rev', profile: qualifiedProfile('rev') }],
  );
const returnedWith = (kind: 'transfer' | 'disapprove' | 'amend') => {
  const item = kind === 'transfer' ? 'crimeTransfer' : kind === 'disapprove' ? 'powerExcessAbuse' : 'lawDiscretion';
  return run(started(), [{ type: 'giveOpinion', by: 'rev', kind, checklist: checklistWithProblem(item, '问题'), text: '理由', document: doc }]);
};

describe('extension after the deadline (第十二条, 第十六条)', () => {
  it('an extension asked one minute after the deadline is refused and the review stays red with its escalation', () => {
    const overdue = run(started(), [{ type: 'overdue', schedule, tag: 'g1:overdue' }, '2026-03-12T00:00:00+08:00']);
    expect(view(overdue)).toMatchObject({ overdue: true, warningLevel: 'red', escalations: 1 });
    const refusal = check(overdue, 'requestExtension', { by: 'rev', reason: '案情复杂' }, '2026-03-12T00:00:59+08:00');
    expect(refusal).toMatchObject({ rule: 'extension_after_deadline', basis: '本政办发〔2019〕34号 第十二条' });
    // one second before the deadline it is allowed
    expect(check(started(), 'requestExtension', { by: 'rev', reason: '案情复杂' }, '2026-03-11T23:59:58+08:00')).toBeUndefined();
  });
});

describe('separation of duties', () => {
  it('1. the person who asked for an extension may not approve it', () => {
    const s = run(started(), [{ type: 'requestExtension', by: 'rev', reason: '案情复杂' }]);
    expect(check(s, 'decideExtension', { by: 'rev', approve: true, note: '同意' }, T0)).toMatchObject({ rule: 'same_person_extension', basis: expect.stringContaining('第十二条') });
    expect(check(s, 'decideExtension', { by: 'head', approve: true, note: '同意' }, T0)).toBeUndefined();
  });

  it('2. the person who raised a dispute may not decide it', () => {
    const s = run(returnedWith('amend'), [{ type: 'dispute', by: 'head-a', reason: '不同意' }]);
    expect(check(s, 'decideDispute', { by: 'head-a', outcome: 'overrule', reasons: '理由' }, T0)).toMatchObject({ rule: 'same_person_dispute', basis: expect.stringContaining('第十四条') });
    expect(check(s, 'decideDispute', { by: 'head-b', outcome: 'overrule', reasons: '理由' }, T0)).toBeUndefined();
  });

  it('3. the person who opened an urgent case may not approve its start (33号 第八条)', () => {
    const c = openCase({ unit: 'benxi.ybj', caseNumber: 'C-1', title: '紧急', urgent: true, openedBy: 'h1', openedAt: T0 });
    const nowMs = Date.parse(T0) + 3_600_000;
    expect(checkCase(c, { kind: 'approveUrgentStart', by: 'h1' } as never, nowMs)).toMatchObject({ rule: 'case.urgent.same_person' });
    expect(checkCase(c, { kind: 'approveUrgentStart', by: 'head-1' } as never, nowMs)).toBeUndefined();
  });

  it('4. a person who handled the case may not review it; nor one with an interest', () => {
    const s = run(initialState(submission({ receivedAt: T0, interestedPersons: ['rev-i'] }), 'review-x-s1', { unitName: 'u', supervisorUnit: null }), [{ type: 'submitted' }]);
    const assign = (reviewerId: string, caseHandlers: string[] = []) =>
      check(s, 'assignReviewer', { by: 'lead', byLead: true, reviewerId, profile: qualifiedProfile(reviewerId), caseHandlers }, T0);
    expect(assign('rev-h', ['opener', 'rev-h'])).toMatchObject({ rule: 'handler_cannot_review' });
    expect(assign('rev-i')).toMatchObject({ rule: 'interested_person' });
    expect(assign('rev-ok', ['opener'])).toBeUndefined();
  });

  it('5. an interested head may not decide an extension or a dispute', () => {
    const s = run(started({ interestedPersons: ['head-x'] }), [{ type: 'requestExtension', by: 'rev', reason: '复杂' }]);
    expect(check(s, 'decideExtension', { by: 'head-x', approve: true, note: '同意' }, T0)).toMatchObject({ rule: 'interested_head', basis: expect.stringContaining('第十五条') });
    const d = run(
      started({ interestedPersons: ['head-x'] }),
      [{ type: 'giveOpinion', by: 'rev', kind: 'amend', checklist: checklistWithProblem('lawDiscretion', '裁量'), text: '修正', document: doc }],
      [{ type: 'dispute', by: 'handler', reason: '不同意' }],
    );
    expect(check(d, 'decideDispute', { by: 'head-x', outcome: 'overrule', reasons: '理由' }, T0)).toMatchObject({ rule: 'interested_head' });
  });

  it('6. assigning oneself or taking over another reviewer needs the legal office lead or the head', () => {
    const fresh = run(initialState(submission({ receivedAt: T0 }), 'review-x-s1', { unitName: 'u', supervisorUnit: null }), [{ type: 'submitted' }]);
    expect(check(fresh, 'assignReviewer', { by: 'rev', reviewerId: 'rev', profile: qualifiedProfile('rev') }, T0)).toMatchObject({ rule: 'self_assignment_needs_lead', basis: expect.stringContaining('第七条') });
    expect(check(fresh, 'assignReviewer', { by: 'rev', byLead: true, reviewerId: 'rev', profile: qualifiedProfile('rev') }, T0)).toBeUndefined();
    const s = started();
    expect(check(s, 'assignReviewer', { by: 'rev2', reviewerId: 'rev2', profile: qualifiedProfile('rev2') }, T0)?.rule).toBe('self_assignment_needs_lead');
    expect(check(s, 'assignReviewer', { by: 'rev3', reviewerId: 'rev2', profile: qualifiedProfile('rev2') }, T0)).toMatchObject({ rule: 'takeover_needs_lead' });
    expect(check(s, 'assignReviewer', { by: 'lead', byLead: true, reviewerId: 'rev2', profile: qualifiedProfile('rev2') }, T0)).toBeUndefined();
  });
});

describe('移送 and 不同意 (第十三条, 第十四条)', () => {
  it('a 移送 opinion overruled by the head alone is refused; a collective discussion with its record may', () => {
    const s = run(returnedWith('transfer'), [{ type: 'dispute', by: 'handler', reason: '不涉嫌犯罪' }]);
    expect(check(s, 'decideDispute', { by: 'head', outcome: 'overrule', reasons: '不涉嫌犯罪' }, T0)).toMatchObject({ rule: 'transfer_needs_collective', basis: expect.stringContaining('第十四条') });
    expect(check(s, 'decideDispute', { by: 'head', outcome: 'collective', collectiveOutcome: 'overrule', meetingRecordRef: 'meeting-1', reasons: '讨论' }, T0)).toBeUndefined();
  });

  it('after 不同意 or 移送 there is no fresh round (only withdrawal or the dispute); after 修正 there is', () => {
    for (const kind of ['transfer', 'disapprove'] as const) {
      expect(check(returnedWith(kind), 'resubmit', { by: 'handler', materials: [], note: '已修改' }, T0)).toMatchObject({ rule: 'no_fresh_round' });
      expect(check(returnedWith(kind), 'withdraw', { by: 'handler', reason: '移送公安' }, T0)).toBeUndefined();
    }
    expect(check(returnedWith('amend'), 'resubmit', { by: 'handler', materials: [], note: '已修改' }, T0)).toBeUndefined();
  });
});

describe('requestMaterials (第十条)', () => {
  it('back to awaiting_materials naming what is needed; the clock restarts from complete receipt', () => {
    const asked = run(started(), [{ type: 'requestMaterials', by: 'rev', items: [{ kind: 'statement', what: '情况说明未写明裁量基准' }] }]);
    expect(view(asked)).toMatchObject({ status: 'awaiting_materials', round: 2, missingMaterials: ['statement'], reviewer: 'rev' });
    expect(currentRound(asked)).toMatchObject({ cause: 'materials_requested', receivedAt: null, requested: [{ kind: 'statement', what: '情况说明未写明裁量基准' }] });
    expect(asked.rounds[0]!.deadline).toBe(schedule.deadline); // the first round keeps its deadline
    expect(check(started(), 'requestMaterials', { by: 'other', items: [{ kind: 'statement', what: 'x' }] }, T0)?.rule).toBe('not_assigned_reviewer');
    // another kind does not complete it; the requested kind does, and receipt is then
    const later = '2026-03-06T10:00:00+08:00';
    const partly = run(asked, [{ type: 'addMaterials', by: 'handler', materials: [{ kind: 'other', ref: 'doc://x' }] }, later]);
    expect(view(partly).status).toBe('awaiting_materials');
    const done = run(partly, [{ type: 'addMaterials', by: 'handler', materials: [{ kind: 'statement', ref: 'doc://statement-2' }] }, later]);
    expect(view(done)).toMatchObject({ status: 'in_review', missingMaterials: [] });
    expect(currentRound(done).receivedAt).toBe(later);
    expect(deadlineRequest(done, currentRound(done), false).from).toBe(later);
  });
});

describe('clock inputs', () => {
  it('a case deadline already passed at receipt does not cap the review clock into the past', () => {
    const s = started({ caseDeadline: '2026-02-01', caseDeadlinePassedAtSubmission: true });
    expect(deadlineRequest(s, currentRound(s), false)).not.toHaveProperty('capDate');
    const t = started({ caseDeadline: '2026-03-05' });
    expect(deadlineRequest(t, currentRound(t), false)).toMatchObject({ capDate: '2026-03-05' });
    const { effects } = decide(initialState(submission({ receivedAt: T0, caseDeadline: '2026-02-01', caseDeadlinePassedAtSubmission: true }), 'w', { unitName: 'u', supervisorUnit: null }), { type: 'submitted' }, T0);
    expect(effects[0]).toMatchObject({ type: 'record', action: 'review.submitted', payload: { caseDeadlinePassedAtSubmission: true, accountable: 'handling_unit' } });
  });
});

describe('case numbers', () => {
  it('（）, ()、[]、full-width and 〔〕 spellings are one case', () => {
    const canonical = '本医保罚〔2026〕12号';
    for (const v of ['本医保罚（2026）12号', '本医保罚(2026)12号', '本医保罚[2026]12号', '本医保罚［２０２６］１２号', '本医保罚【2026】12号', '本医保罚〔2〇26〕12号', ' 本医保罚 〔2026〕12号 ']) {
      expect(normaliseCaseNumber(v)).toBe(canonical);
    }
    expect(sameCaseNumber('本医保罚（2026）12号', canonical)).toBe(true);
    expect(sameCaseNumber('本医保罚〔2026〕13号', canonical)).toBe(false);
  });
});

describe('catalogue (第十八条)', () => {
  const items = [{ decisionKind: 'permit' as const, matter: '医疗机构执业许可注销', description: '注销医疗机构执业许可' }, { decisionKind: 'levy' as const, description: '全部行政征收' }];
  it('a classification the catalogue contradicts is found; others pass', () => {
    const scope = { publicInterest: false, majorRights: false, hearing: false, complex: false, otherLaw: false, catalogue: false, optIn: false };
    expect(catalogueContradiction(items, { decisionKind: 'permit', matter: '医疗机构执业许可 注销', scope })).toMatchObject({ matter: '医疗机构执业许可注销' });
    expect(catalogueContradiction(items, { decisionKind: 'levy', scope })).toMatchObject({ description: '全部行政征收' });
    expect(catalogueContradiction(items, { decisionKind: 'permit', matter: '其他', scope })).toBeUndefined();
    expect(catalogueContradiction(items, { decisionKind: 'inspection', scope })).toBeUndefined();
  });
});

describe('joint and entrusted decisions (第四条)', () => {
  it("a joint review records each participating unit's view, once per unit, only from those units", () => {
    const s = started({ jointUnits: ['benxi.czj', 'benxi.wjw'] });
    expect(check(s, 'participantView', { by: 'x', unit: 'benxi.swj', agrees: true, text: '同意' }, T0)).toMatchObject({ rule: 'not_participating_unit', basis: expect.stringContaining('第四条') });
    const one = run(s, [{ type: 'participantView', by: 'czj-rev', unit: 'benxi.czj', agrees: true, text: '同意' }]);
    const both = run(one, [{ type: 'participantView', by: 'wjw-head', unit: 'benxi.wjw', agrees: false, text: '罚款数额偏高' }]);
    expect(view(both).participantViews).toEqual([
      expect.objectContaining({ unit: 'benxi.czj', by: 'czj-rev', agrees: true }),
      expect.objectContaining({ unit: 'benxi.wjw', by: 'wjw-head', agrees: false, text: '罚款数额偏高' }),
    ]);
    expect(check(both, 'participantView', { by: 'czj-rev', unit: 'benxi.czj', agrees: true, text: '再次' }, T0)?.rule).toBe('view_already_recorded');
    const { effects } = decide(s, { type: 'participantView', by: 'czj-rev', unit: 'benxi.czj', agrees: true, text: '同意' }, T0);
    expect(effects[0]).toMatchObject({ type: 'record', action: 'review.participant_view', payload: { outstanding: ['benxi.wjw'] } });
  });

  it("an entrusted organisation's decision: the entrusting unit's reviewer is eligible, the organisation's own is not", () => {
    const s = run(
      initialState(submission({ receivedAt: T0, unit: 'benxi.ybfwzx', entrustingUnit: 'benxi.ybj' }), 'review-e-s1', { unitName: '服务中心', supervisorUnit: null }),
      [{ type: 'submitted' }],
      [{ type: 'clockStarted', schedule }],
    );
    expect(check(s, 'assignReviewer', { by: 'lead', byLead: true, reviewerId: 'own', profile: qualifiedProfile('own', { unit: 'benxi.ybfwzx' }) }, T0)?.rule).toBe('other_unit');
    expect(check(s, 'assignReviewer', { by: 'lead', byLead: true, reviewerId: 'rev', profile: qualifiedProfile('rev') }, T0)).toBeUndefined();
  });
});

describe('the decision through the review (第二条, 第十四条)', () => {
  it('an overruled opinion: not dated before the overruling; the record entry is the decision stage, flagged', () => {
    const returned = run(started(), [{ type: 'giveOpinion', by: 'rev', kind: 'amend', checklist: checklistWithProblem('lawDiscretion', '裁量过重'), text: '建议减轻', document: doc }]);
    const disputed = run(returned, [{ type: 'dispute', by: 'handler', reason: '情节严重' }, '2026-03-04T09:00:00+08:00']);
    const overruled = run(disputed, [{ type: 'decideDispute', by: 'head', outcome: 'overrule', reasons: '维持原拟处罚' }, '2026-03-05T09:00:00+08:00']);
    const args = { by: 'handler', decisionNumber: 'D-1', decidedAt: '2026-03-04T10:00:00+08:00' };
    expect(check(overruled, 'recordDecision', args, '2026-03-06T09:00:00+08:00')).toMatchObject({ rule: 'decided_before_review', basis: expect.stringContaining('第十四条') });
    expect(check(returned, 'recordDecision', args, '2026-03-06T09:00:00+08:00')?.rule).toBe('wrong_state');
    const ok = { ...args, decidedAt: '2026-03-05T10:00:00+08:00' };
    expect(check(overruled, 'recordDecision', ok, '2026-03-06T09:00:00+08:00')).toBeUndefined();
    const { state, effects } = decide(overruled, { type: 'recordDecision', ...ok }, '2026-03-06T09:00:00+08:00');
    expect(effects[0]).toMatchObject({ type: 'record', stage: 'decision', action: 'decision.made_against_review_opinion', payload: { basis: 'head_overruled', flagged: true, decisionNumber: 'D-1' } });
    expect(check(state, 'recordDecision', { ...ok, decisionNumber: 'D-2' }, '2026-03-06T09:00:00+08:00')?.rule).toBe('one_decision_per_review');
  });
});

describe('the head orders a recusal (第十五条)', () => {
  it('releases the assigned reviewer, who cannot be assigned again; a head with an interest cannot order it', () => {
    const s = started({ interestedPersons: ['head-interested'] });
    expect(check(s, 'orderRecusal', { by: 'head', personId: 'rev', reason: ' ' }, T0)?.rule).toBe('missing_reason');
    expect(check(s, 'orderRecusal', { by: 'head-interested', personId: 'rev', reason: '与当事人系亲属' }, T0)?.rule).toBe('interested_head');
    const ordered = run(s, [{ type: 'orderRecusal', by: 'head', personId: 'rev', reason: '与当事人系亲属' }]);
    expect(view(ordered)).toMatchObject({ status: 'awaiting_assignment', reviewer: null, recusals: [expect.objectContaining({ personId: 'rev' })] });
    expect(check(ordered, 'assignReviewer', { by: 'lead', byLead: true, reviewerId: 'rev', profile: qualifiedProfile('rev') }, T0)?.rule).toBe('declared_recusal');
    const { effects } = decide(s, { type: 'orderRecusal', by: 'head', personId: 'rev', reason: '与当事人系亲属' }, T0);
    expect(effects[0]).toMatchObject({ type: 'record', action: 'review.recusal', actor: 'head', payload: { personId: 'rev', orderedBy: 'head' } });
  });
});
