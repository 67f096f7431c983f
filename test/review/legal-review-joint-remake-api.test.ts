// Issue 10 through the API (real API + worker, dev server, real Postgres): the decision recorded
// through the review, a remade decision (重新作出) after its own review, joint and entrusted decisions
// (第四条), and notices addressed to roles.
import { randomUUID } from 'node:crypto';
import { startTestService, type TestService } from '../helpers/service';
import { apiSubmissionBody, cleanChecklist, eventually } from './helpers';

const UNIT = 'benxi.ybj';
const JOINT = 'benxi.czj';
const ENTRUSTED = 'benxi.ybfwzx';
const HANDLER = 'handler-j-li';
const HEAD = 'head-j-wang';
const REVIEWER = 'reviewer-j-zhou';
const DRAFT = 'a'.repeat(64);
const DRAFT2 = 'b'.repeat(64);
const tag = () => randomUUID().slice(0, 8);
const body = (overrides: Record<string, unknown> = {}) => apiSubmissionBody(DRAFT, overrides);

describe('legal review: decisions through the review, remade, joint and entrusted (API)', () => {
  let svc: TestService;
  let handler: string;
  let head: string;
  let reviewer: string;

  beforeAll(async () => {
    svc = await startTestService();
    handler = await svc.token(UNIT, ['handler'], HANDLER);
    head = await svc.token(UNIT, ['head'], HEAD);
    reviewer = await svc.token(UNIT, ['reviewer'], REVIEWER);
    expect((await svc.call(head, 'PUT', `/api/reviewers/${REVIEWER}`, { name: '周审核', lawDegree: true, legalWorkYears: 4, enforcementYears: 1, legalProfessionQualification: true })).status).toBe(201);
  });
  afterAll(async () => svc?.stop());

  /** POST with an Idempotency-Key (svc.call sends none). */
  const postKeyed = async (token: string, path: string, payload: unknown, key: string) => {
    const res = await fetch(`${svc.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(payload) });
    return { status: res.status, body: (await res.json()) as any };
  };

  const pass = async (id: string, as = head) => {
    expect((await svc.call(as, 'POST', `/api/reviews/${id}/assignment`, { reviewerId: REVIEWER })).status).toBe(200);
    const opinion = await svc.call(reviewer, 'POST', `/api/reviews/${id}/opinion`, { kind: 'approve', checklist: cleanChecklist(), text: '同意' });
    expect(opinion.status).toBe(200);
    return opinion.body as { opinion: { at: string }; status: string };
  };

  it('the decision goes through the review (Idempotency-Key → update id); a remade decision (重新作出) is the next one, after its own review', async () => {
    const b = body();
    const first = await svc.call(handler, 'POST', '/api/reviews', b);
    expect(first.status).toBe(201);
    await pass(first.body.id);
    const number1 = `本医保罚决〔2026〕${tag()}号`;
    const key = `decide-${tag()}`;
    const decision = { caseNumber: b.caseNumber, decisionNumber: number1, decidedAt: new Date().toISOString(), draftSha256: DRAFT };
    const recorded = await postKeyed(handler, '/api/decisions', decision, key);
    expect(recorded).toMatchObject({ status: 201, body: { decisionSeq: 1, supersedes: null, basis: 'review_passed', draftSha256: DRAFT } });
    // The review recorded it and completed; the decision is in its view, recorded once in the case record.
    const review = await eventually(async () => {
      const r = await svc.call(handler, 'GET', `/api/reviews/${first.body.id}`);
      return r.body.decision ? r.body : undefined;
    }, 'the decision in the review');
    expect(review.decision).toMatchObject({ decisionNumber: number1, basis: 'review_passed' });
    // The retried request (same key, same body) gets the stored first answer (api/idempotency.ts).
    const again = await postKeyed(handler, '/api/decisions', decision, key);
    expect(again).toEqual(recorded);
    const entries = async () => (await svc.call(handler, 'GET', `/api/cases/${encodeURIComponent(b.caseNumber)}/record`)).body.entries as Array<{ action: string; payload?: Record<string, unknown> }>;
    expect((await entries()).filter((e) => e.action === 'decision.made')).toHaveLength(1);

    // Another decision for the same case without a new review: refused.
    const other = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: b.caseNumber, decisionNumber: `本医保罚决〔2026〕${tag()}号`, decidedAt: new Date().toISOString(), draftSha256: DRAFT });
    expect(other).toMatchObject({ status: 409, body: { rule: 'one_decision_per_case' } });

    // 重新作出: a new review of the remade draft, then its decision supersedes the first.
    const remade = await svc.call(handler, 'POST', '/api/reviews', { ...b, remake: true, materials: [{ kind: 'statement', ref: 'doc://s2' }, { kind: 'draft_decision', ref: 'doc://d2', sha256: DRAFT2 }] });
    expect(remade).toMatchObject({ status: 201, body: { submissionNo: 2 } });
    const early = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: b.caseNumber, decisionNumber: `本医保罚决〔2026〕${tag()}号`, decidedAt: new Date().toISOString(), draftSha256: DRAFT2 });
    expect(early).toMatchObject({ status: 409, body: { rule: 'review_not_passed' } });
    await pass(remade.body.id);
    const oldText = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: b.caseNumber, decisionNumber: `本医保罚决〔2026〕${tag()}号`, decidedAt: new Date().toISOString(), draftSha256: DRAFT });
    expect(oldText).toMatchObject({ status: 409, body: { rule: 'draft_not_reviewed' } });
    const number2 = `本医保罚决〔2026〕${tag()}号`;
    const second = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: b.caseNumber, decisionNumber: number2, decidedAt: new Date().toISOString(), draftSha256: DRAFT2 });
    expect(second).toMatchObject({ status: 201, body: { decisionSeq: 2, supersedes: number1, reviewSubmissionNo: 2, draftSha256: DRAFT2 } });
    const made = (await entries()).filter((e) => e.action === 'decision.made');
    expect(made.map((e) => e.payload?.decisionNumber)).toEqual([number1, number2]);
  });

  it('a joint decision (第四条): the participating unit is told, records its view (once), shown in the review and recorded; others may not', async () => {
    const created = await svc.call(handler, 'POST', '/api/reviews', body({ jointUnits: [JOINT] }));
    expect(created.status).toBe(201);
    const id = created.body.id;
    const jointReviewer = await svc.token(JOINT, ['reviewer'], 'reviewer-czj-1');
    const jointHandler = await svc.token(JOINT, ['handler'], 'handler-czj-1');
    // Addressed to the participating unit's legal office: its reviewer sees it, its handler does not.
    const told = await eventually(async () => {
      const items = (await svc.call(jointReviewer, 'GET', '/api/inbox')).body as Array<{ subject: string; recipientRole?: string; link?: { workflowId?: string } }>;
      return items.find((n) => n.link?.workflowId === created.body.workflowId);
    }, 'the notice to the participating legal office');
    expect(told).toMatchObject({ recipientRole: 'legal_office', subject: expect.stringContaining('共同决定请参与法制审核') });
    expect(((await svc.call(jointHandler, 'GET', '/api/inbox')).body as Array<{ link?: { workflowId?: string } }>).some((n) => n.link?.workflowId === created.body.workflowId)).toBe(false);

    const view = await svc.call(jointReviewer, 'POST', `/api/reviews/${id}/participant-view`, { agrees: true, text: '同意牵头机关意见，罚款数额适当' });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ jointUnits: [JOINT], participantViews: [{ unit: JOINT, by: 'reviewer-czj-1', agrees: true }] });
    const twice = await svc.call(jointReviewer, 'POST', `/api/reviews/${id}/participant-view`, { agrees: false, text: '再次' });
    expect(twice).toMatchObject({ status: 409, body: { rule: 'view_already_recorded', basis: expect.stringContaining('第四条') } });
    const outsider = await svc.call(await svc.token('benxi.wjw', ['reviewer'], 'reviewer-wjw-1'), 'POST', `/api/reviews/${id}/participant-view`, { agrees: true, text: '同意' });
    expect(outsider.status).toBe(404); // not taking part: the review is as invisible as one that does not exist (issue 14)
    // The participating unit can read the review; the view is in its case record.
    const read = await svc.call(jointReviewer, 'GET', `/api/reviews/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.history.map((h: { action: string }) => h.action)).toContain('review.participant_view');
    await svc.call(handler, 'POST', `/api/reviews/${id}/withdrawal`, { reason: '测试结束' });
  });

  it("an entrusted organisation's decision (第四条) is reviewed by the entrusting unit's legal office", async () => {
    const entrustedHandler = await svc.token(ENTRUSTED, ['handler'], 'handler-zx-1');
    const b = body({ entrustingUnit: UNIT });
    const created = await svc.call(entrustedHandler, 'POST', '/api/reviews', b);
    expect(created.status).toBe(201);
    // the entrusting unit's lead assigns its own reviewer (a reviewer of the organisation's unit would be refused as other_unit)
    const passed = await pass(created.body.id, head);
    expect(passed.status).toBe('passed');
    // an unqualified-unit reviewer (the organisation's own) is refused: other_unit
    const own = `reviewer-zx-${tag()}`;
    const zxHead = await svc.token(ENTRUSTED, ['head'], 'head-zx-1');
    expect((await svc.call(zxHead, 'PUT', `/api/reviewers/${own}`, { name: '服务中心审核', lawDegree: true, legalWorkYears: 4, enforcementYears: 1, legalProfessionQualification: true })).status).toBe(201);
    const other = await svc.call(entrustedHandler, 'POST', '/api/reviews', body({ entrustingUnit: UNIT }));
    expect((await svc.call(zxHead, 'POST', `/api/reviews/${other.body.id}/assignment`, { reviewerId: own }))).toMatchObject({ status: 409, body: { rule: 'other_unit' } });
    const decided = await svc.call(entrustedHandler, 'POST', '/api/decisions', { caseNumber: b.caseNumber, decisionNumber: `X-${tag()}`, decidedAt: new Date().toISOString(), draftSha256: DRAFT });
    expect(decided).toMatchObject({ status: 201, body: { basis: 'review_passed', unit: ENTRUSTED } });
  });

  it("the head extends a case's decision period (行政处罚法 第六十条) with a reason; later submissions use it", async () => {
    const caseNumber = `本医保罚〔2026〕${tag()}号`;
    expect((await svc.call(handler, 'POST', '/api/cases', { caseNumber, title: '期限延长', openedAt: '2026-01-05T09:00:00+08:00' })).status).toBe(201);
    const path = `/api/cases/${encodeURIComponent(caseNumber)}/decision-period-extension`;
    expect((await svc.call(handler, 'POST', path, { until: '2099-06-30', reason: '案情复杂' })).status).toBe(403);
    expect((await svc.call(head, 'POST', path, { until: '2099-06-30' })).status).toBe(400);
    expect(await svc.call(head, 'POST', path, { until: '2026-02-01', reason: '案情复杂' })).toMatchObject({ status: 409, body: { rule: 'extension_not_later', basis: expect.stringContaining('第六十条') } });
    const extended = await svc.call(head, 'POST', path, { until: '2099-06-30', reason: '案情复杂，需补充鉴定' });
    expect(extended).toMatchObject({ status: 201, body: { until: '2099-06-30', approvedBy: HEAD } });
    const created = await svc.call(handler, 'POST', '/api/reviews', body({ caseNumber, caseDeadline: undefined, caseDeadlineBasis: undefined }));
    expect(created).toMatchObject({ status: 201, body: { caseDeadline: '2099-06-30', caseDeadlineBasis: expect.stringContaining('案情复杂，需补充鉴定') } });
    expect(created.body.caseDeadlinePassedAtSubmission).toBeUndefined();
    const record = (await svc.call(handler, 'GET', `/api/cases/${encodeURIComponent(caseNumber)}/record`)).body.entries.map((e: { action: string }) => e.action);
    expect(record).toContain('case.decision_period_extended');
    await svc.call(handler, 'POST', `/api/reviews/${created.body.id}/withdrawal`, { reason: '测试结束' });
  });

  it('notices are addressed to roles: the head sees the extension request, the handler does not; the legal office sees the receipt', async () => {
    const created = await svc.call(handler, 'POST', '/api/reviews', body());
    const id = created.body.id;
    const wf = created.body.workflowId;
    const forMe = async (token: string) => ((await svc.call(token, 'GET', '/api/inbox')).body as Array<{ subject: string; recipientRole?: string; link?: { workflowId?: string } }>).filter((n) => n.link?.workflowId === wf);
    const received = await eventually(async () => (await forMe(reviewer)).find((n) => n.subject.includes('收到送审材料')), 'the receipt for the legal office');
    expect(received.recipientRole).toBe('legal_office');
    expect((await forMe(handler)).some((n) => n.subject.includes('收到送审材料'))).toBe(false);
    await svc.call(head, 'POST', `/api/reviews/${id}/assignment`, { reviewerId: REVIEWER });
    expect((await svc.call(reviewer, 'POST', `/api/reviews/${id}/extension`, { reason: '案情复杂' })).status).toBe(200);
    const asked = await eventually(async () => (await forMe(head)).find((n) => n.subject.includes('延长法制审核期限待审批')), 'the extension request for the head');
    expect(asked.recipientRole).toBe('head');
    expect((await forMe(handler)).some((n) => n.subject.includes('延长法制审核期限待审批'))).toBe(false);
    expect((await forMe(reviewer)).some((n) => n.subject.includes('延长法制审核期限待审批'))).toBe(false);
    await svc.call(handler, 'POST', `/api/reviews/${id}/withdrawal`, { reason: '测试结束' });
  });
});
