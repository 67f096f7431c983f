// Issue 10 through the API (real API + worker, dev server, real Postgres): the decision gate, a
// resubmission after withdrawal, the clock's inputs, the catalogue, case-number spellings, staffing.
import { randomUUID } from 'node:crypto';
import { startTestService, type TestService } from '../helpers/service';
import { apiSubmissionBody, cleanChecklist, eventually } from './helpers';

const UNIT = 'benxi.ybj';
const HANDLER = 'handler-x-li';
const HEAD = 'head-x-wang';
const REVIEWER = 'reviewer-x-zhou';
const DRAFT = 'e'.repeat(64);
const tag = () => randomUUID().slice(0, 8);
const body = (overrides: Record<string, unknown> = {}) => apiSubmissionBody(DRAFT, overrides);

describe('legal review, legally exact (API)', () => {
  let svc: TestService;
  let handler: string;
  let head: string;
  let reviewer: string;

  beforeAll(async () => {
    svc = await startTestService();
    handler = await svc.token(UNIT, ['handler'], HANDLER);
    head = await svc.token(UNIT, ['head'], HEAD);
    reviewer = await svc.token(UNIT, ['reviewer'], REVIEWER);
    const profile = await svc.call(head, 'PUT', `/api/reviewers/${REVIEWER}`, { name: '周审核', lawDegree: true, legalWorkYears: 4, enforcementYears: 1, legalProfessionQualification: true });
    expect(profile.status).toBe(201);
  });
  afterAll(async () => svc?.stop());

  async function pass(id: string) {
    expect((await svc.call(head, 'POST', `/api/reviews/${id}/assignment`, { reviewerId: REVIEWER })).status).toBe(200);
    const opinion = await svc.call(reviewer, 'POST', `/api/reviews/${id}/opinion`, { kind: 'approve', checklist: cleanChecklist(), text: '同意' });
    expect(opinion.status).toBe(200);
    return opinion.body as { opinion: { at: string } };
  }

  it('a case number written with （） and with 〔〕 is one case', async () => {
    const t = tag();
    const first = await svc.call(handler, 'POST', '/api/reviews', body({ caseNumber: `本医保罚（2026）${t}号` }));
    expect(first.status).toBe(201);
    const again = await svc.call(handler, 'POST', '/api/reviews', body({ caseNumber: `本医保罚〔２０２６〕${t}号` }));
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(first.body.workflowId).toBe(`review-${UNIT}-本医保罚〔2026〕${t}号-s1`);
    await svc.call(handler, 'POST', `/api/reviews/${first.body.id}/withdrawal`, { reason: '测试结束' });
  });

  it('receipt is now; an earlier receivedAt needs its reason (补录), recorded as such', async () => {
    const earlier = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const bad = await svc.call(handler, 'POST', '/api/reviews', body({ receivedAt: earlier }));
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toEqual(['body.receivedAtReason']);
    const ok = await svc.call(handler, 'POST', '/api/reviews', body({ receivedAt: earlier, receivedAtReason: '纸质案卷三日前已送达法制机构，今日补录' }));
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ receivedAt: earlier, receivedAtReason: expect.stringContaining('补录') });
    // The 201 does not wait for the workflow: its first record entry follows moments later.
    const first = await eventually(async () => (await svc.call(handler, 'GET', `/api/reviews/${ok.body.id}`)).body.history[0], 'the submission in the case record');
    expect(first.summary).toContain('补录');
    await svc.call(handler, 'POST', `/api/reviews/${ok.body.id}/withdrawal`, { reason: '测试结束' });
  });

  it('caseDeadline: 立案 + 90 days for a known general-procedure penalty (第六十条); else stated with its basis; a passed one is flagged, not capping', async () => {
    const caseNumber = `本医保罚〔2026〕${tag()}号`;
    const openedAt = new Date(Date.now() - 10 * 86_400_000);
    expect((await svc.call(handler, 'POST', '/api/cases', { caseNumber, title: '立案', openedAt: openedAt.toISOString() })).status).toBe(201);
    const known = await svc.call(handler, 'POST', '/api/reviews', body({ caseNumber, caseDeadline: undefined, caseDeadlineBasis: undefined }));
    expect(known.status).toBe(201);
    // 90 calendar days from 立案, moved to the next working day when it is a rest day (at most a Golden Week later)
    const days = (Date.parse(`${known.body.caseDeadline}T12:00:00+08:00`) - openedAt.getTime()) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(89.5);
    expect(days).toBeLessThan(99);
    expect(known.body.caseDeadlineBasis).toMatch(/^立案 \d{4}-\d{2}-\d{2} 起 90d（.*第六十条）$/);
    expect(known.body.caseDeadlinePassedAtSubmission).toBeUndefined();
    // a different date needs its basis (the head's approved extension)
    const other = await svc.call(handler, 'POST', '/api/reviews', body({ caseNumber, caseDeadline: '2099-01-01', caseDeadlineBasis: undefined }));
    expect(other.status).toBe(400);
    expect(other.body.issues.map((i: { path: string }) => i.path)).toEqual(['body.caseDeadlineBasis']);
    await svc.call(handler, 'POST', `/api/reviews/${known.body.id}/withdrawal`, { reason: '测试结束' });

    const unknown = await svc.call(handler, 'POST', '/api/reviews', body({ caseDeadline: undefined, caseDeadlineBasis: undefined }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['body.caseDeadline', 'body.caseDeadlineBasis']);

    const late = await svc.call(handler, 'POST', '/api/reviews', body({ caseDeadline: '2025-06-30', caseDeadlineBasis: '立案 2025-04-01 起 90日' }));
    expect(late.status).toBe(201);
    expect(late.body).toMatchObject({ caseDeadlinePassedAtSubmission: true, lateness: 'handling_unit' });
    expect(Date.parse(late.body.deadline)).toBeGreaterThan(Date.now());
    await svc.call(handler, 'POST', `/api/reviews/${late.body.id}/withdrawal`, { reason: '测试结束' });
  });

  it('a withdrawn case is resubmitted (submission 2, its own workflow) and passes; the gate checks the date and the draft hash', async () => {
    const b = body();
    const first = await svc.call(handler, 'POST', '/api/reviews', b);
    expect(first.status).toBe(201);
    expect((await svc.call(handler, 'POST', `/api/reviews/${first.body.id}/withdrawal`, { reason: '补充调查' })).status).toBe(200);
    const decisionNumber = `本医保罚决〔2026〕${tag()}号`;
    const gateClosed = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: b.caseNumber, decisionNumber, decidedAt: new Date().toISOString(), draftSha256: DRAFT });
    expect(gateClosed).toMatchObject({ status: 409, body: { rule: 'review_not_passed' } });

    // a plain re-POST (a retry) answers the withdrawn submission; an explicit resubmission is a new one
    const retried = await svc.call(handler, 'POST', '/api/reviews', b);
    expect(retried).toMatchObject({ status: 200, body: { id: first.body.id, status: 'withdrawn' } });
    const second = await svc.call(handler, 'POST', '/api/reviews', { ...b, resubmit: true });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ submissionNo: 2, workflowId: `review-${UNIT}-${b.caseNumber}-s2` });
    expect(second.body.id).not.toBe(first.body.id);
    const passed = await pass(second.body.id);
    const opinionAt = Date.parse(passed.opinion.at);

    const before = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: b.caseNumber, decisionNumber, decidedAt: new Date(opinionAt - 60_000).toISOString(), draftSha256: DRAFT });
    expect(before).toMatchObject({ status: 409, body: { rule: 'decided_before_review', basis: expect.stringContaining('第二条') } });
    const future = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: b.caseNumber, decisionNumber, decidedAt: new Date(Date.now() + 86_400_000).toISOString(), draftSha256: DRAFT });
    expect(future).toMatchObject({ status: 409, body: { rule: 'decided_in_future' } });
    const otherText = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: b.caseNumber, decisionNumber, decidedAt: new Date().toISOString(), draftSha256: 'f'.repeat(64) });
    expect(otherText).toMatchObject({ status: 409, body: { rule: 'draft_not_reviewed' } });
    const noHash = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: b.caseNumber, decisionNumber, decidedAt: new Date().toISOString() });
    expect(noHash).toMatchObject({ status: 409, body: { rule: 'draft_hash_required' } });

    const recorded = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: b.caseNumber, decisionNumber, decidedAt: new Date().toISOString(), draftSha256: DRAFT });
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ basis: 'review_passed', reviewId: second.body.id, reviewSubmissionNo: 2, draftSha256: DRAFT });
    // In the case record the decision comes after the opinion and both 意见书 copies.
    const record = await svc.call(handler, 'GET', `/api/cases/${encodeURIComponent(b.caseNumber)}/record`);
    const actions: string[] = record.body.entries.map((e: { action: string }) => e.action);
    const at = (a: string) => actions.lastIndexOf(a);
    expect(at('review.opinion')).toBeGreaterThan(-1);
    expect(at('review.opinion.archived')).toBeGreaterThan(at('review.opinion'));
    expect(at('decision.made')).toBeGreaterThan(at('review.opinion.returned_to_handler'));
    expect(at('review.opinion.returned_to_handler')).toBeGreaterThan(at('review.opinion'));
  });

  it('a reviewer asks for materials (第十条): awaiting_materials naming them; complete receipt restarts the clock', async () => {
    const created = await svc.call(handler, 'POST', '/api/reviews', body());
    const id = created.body.id;
    await svc.call(head, 'POST', `/api/reviews/${id}/assignment`, { reviewerId: REVIEWER });
    const asked = await svc.call(reviewer, 'POST', `/api/reviews/${id}/materials-request`, { items: [{ kind: 'statement', what: '情况说明须写明裁量基准的适用' }] });
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({ status: 'awaiting_materials', round: 2, missingMaterials: ['statement'] });
    const supplied = await svc.call(handler, 'POST', `/api/reviews/${id}/materials`, { materials: [{ kind: 'statement', ref: 'doc://s2' }] });
    expect(supplied.status).toBe(200);
    expect(supplied.body).toMatchObject({ status: 'in_review', round: 2 });
    const round2 = supplied.body.rounds[1];
    expect(Date.parse(round2.receivedAt)).toBeGreaterThan(Date.parse(supplied.body.rounds[0].receivedAt));
    await eventually(async () => (await svc.call(handler, 'GET', `/api/reviews/${id}`)).body.deadline !== null, 'the new clock');
    await svc.call(handler, 'POST', `/api/reviews/${id}/withdrawal`, { reason: '测试结束' });
  });

  it('a reviewer cannot assign themself; the legal office lead can', async () => {
    const created = await svc.call(handler, 'POST', '/api/reviews', body());
    const id = created.body.id;
    const self = await svc.call(reviewer, 'POST', `/api/reviews/${id}/assignment`, { reviewerId: REVIEWER });
    expect(self).toMatchObject({ status: 409, body: { rule: 'self_assignment_needs_lead' } });
    const lead = await svc.token(UNIT, ['reviewer', 'legal_office_lead'], REVIEWER);
    expect((await svc.call(lead, 'POST', `/api/reviews/${id}/assignment`, { reviewerId: REVIEWER })).status).toBe(200);
    await svc.call(handler, 'POST', `/api/reviews/${id}/withdrawal`, { reason: '测试结束' });
  });

  it("the unit's catalogue (第十八条) is data with versions; a classification it contradicts is refused and the classification is stored", async () => {
    const v1 = await svc.call(head, 'PUT', `/api/units/${UNIT}/review-catalogue`, { items: [{ decisionKind: 'permit', description: '全部行政许可决定' }], note: '第一版' });
    expect(v1.status).toBe(201);
    const v2 = await svc.call(head, 'PUT', `/api/units/${UNIT}/review-catalogue`, { items: [{ decisionKind: 'permit', matter: '定点医药机构协议解除', description: '解除定点协议' }], note: '第二版' });
    expect(v2.body.version).toBe(v1.body.version + 1);
    const read = await svc.call(handler, 'GET', `/api/units/${UNIT}/review-catalogue`);
    expect(read.body.current.version).toBe(v2.body.version);
    expect(read.body.history.length).toBeGreaterThanOrEqual(2);

    const scope = { publicInterest: false, majorRights: false, hearing: false, complex: false, otherLaw: false, catalogue: false, optIn: false };
    const at = new Date().toISOString();
    const contradicted = await svc.call(handler, 'POST', '/api/decisions', {
      caseNumber: `本医保许〔2026〕${tag()}号`,
      decisionNumber: `P-${tag()}`,
      decidedAt: at,
      classification: { decisionKind: 'permit', procedure: 'general', scope, matter: '定点医药机构协议解除' },
    });
    expect(contradicted).toMatchObject({ status: 409, body: { rule: 'catalogue_contradicts', basis: expect.stringContaining('第十八条') } });
    const ok = await svc.call(handler, 'POST', '/api/decisions', {
      caseNumber: `本医保许〔2026〕${tag()}号`,
      decisionNumber: `P-${tag()}`,
      decidedAt: at,
      classification: { decisionKind: 'permit', procedure: 'general', scope, matter: '变更登记' },
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ basis: 'review_not_required', catalogueVersion: v2.body.version, classification: { decisionKind: 'permit', matter: '变更登记' } });
  });

  it('reviewer qualifications have a history; "reviewed a penalty before" is not declared', async () => {
    const person = `reviewer-x-${tag()}`;
    await svc.call(head, 'PUT', `/api/reviewers/${person}`, { name: '吴', lawDegree: true, legalWorkYears: 1, enforcementYears: 0, legalProfessionQualification: false, reviewedPenaltyBefore: true });
    const changed = await svc.call(head, 'PUT', `/api/reviewers/${person}`, { name: '吴', lawDegree: true, legalWorkYears: 3, enforcementYears: 0, legalProfessionQualification: false, reviewedPenaltyBefore: true });
    expect(changed.body).toMatchObject({ reviewedPenaltyBefore: false, mayReviewPenalties: false });
    const history = await svc.call(handler, 'GET', `/api/reviewers/${person}/history`);
    expect(history.body.items).toHaveLength(2);
    expect(history.body.items[1]).toMatchObject({ changedBy: HEAD, before: { legalWorkYears: 1 }, after: { legalWorkYears: 3 } });
  });

  it('staffing: qualified reviewers against 5% of the enforcement officers', async () => {
    expect((await svc.call(head, 'PUT', `/api/units/${UNIT}/enforcement-officers`, { count: 100 })).status).toBe(200);
    const staffing = await svc.call(handler, 'GET', `/api/units/${UNIT}/review-staffing`);
    expect(staffing.body).toMatchObject({ unit: UNIT, enforcementOfficers: 100, required: 5, belowTarget: staffing.body.qualifiedReviewers < 5 });
  });
});
