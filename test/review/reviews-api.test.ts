import { randomUUID } from 'node:crypto';
import { DeadlineKey } from '../../workflows/search-attributes';
import { devServerClient } from '../helpers/temporal';
import { startTestService, type TestService } from '../helpers/service';
import { cleanChecklist, eventually, exportHistoryIfRecording } from './helpers';

const UNIT = 'benxi.ybj';
const HANDLER = 'handler-api-zhao';
const HEAD = 'head-api-qian';
const REVIEWER = 'reviewer-api-sun';

const DRAFT = 'd'.repeat(64);
const caseNumber = () => `本医保罚〔2026〕${randomUUID().slice(0, 8)}号`;

/** A complete general-procedure penalty, as a handler posts it. */
const submissionBody = (overrides: Record<string, unknown> = {}) => ({
  caseNumber: caseNumber(),
  title: '某诊所串换药品骗取医保基金',
  decisionKind: 'penalty',
  procedure: 'general',
  scope: { majorRights: true },
  party: { kind: 'organisation', name: '本溪某诊所' },
  caseDeadline: '2099-12-31',
  caseDeadlineBasis: '承办机构填报（测试）',
  interestedPersons: [],
  materials: [
    { kind: 'statement', ref: 'doc://statement' },
    { kind: 'draft_decision', ref: 'doc://draft', sha256: 'dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd' },
  ],
  ...overrides,
});

/** A handle on the shared dev server (closed after use; fetchHistory needs only the handle). */
async function devServerHandle(workflowId: string) {
  const { client, connection } = await devServerClient();
  return {
    workflowId,
    fetchHistory: async () => {
      try {
        return await client.workflow.getHandle(workflowId).fetchHistory();
      } finally {
        await connection.close();
      }
    },
  };
}

describe('legal review API (real API + worker, dev server, real Postgres)', () => {
  let svc: TestService;
  let handler: string;
  let head: string;
  let reviewer: string;
  const openReviews: Array<{ token: string; id: string }> = [];

  beforeAll(async () => {
    svc = await startTestService();
    handler = await svc.token(UNIT, ['handler'], HANDLER);
    head = await svc.token(UNIT, ['head'], HEAD);
    reviewer = await svc.token(UNIT, ['reviewer'], REVIEWER);
    const profile = await svc.call(head, 'PUT', `/api/reviewers/${REVIEWER}`, {
      name: '孙审核',
      lawDegree: true,
      legalWorkYears: 4,
      enforcementYears: 1,
      legalProfessionQualification: true,
      reviewedPenaltyBefore: true,
    });
    expect(profile.status).toBe(201);
    expect(profile.body).toMatchObject({ qualified: true, mayReviewPenalties: true });
  });
  afterAll(async () => {
    // Reviews left running would keep escalating on the shared dev server.
    for (const r of openReviews) await svc.call(r.token, 'POST', `/api/reviews/${r.id}/withdrawal`, { reason: '测试结束' });
    await svc?.stop();
  });

  it('documents its endpoints in the OpenAPI document', async () => {
    const doc = await svc.call(undefined, 'GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/reviews', '/api/reviews/{id}', '/api/reviews/{id}/opinion', '/api/reviews/{id}/dispute/decision', '/api/reviewers/{personId}', '/api/decisions']),
    );
  });

  it('refuses what needs no review (422 with why), a bad body (400 naming the field), the wrong role (403)', async () => {
    const simple = await svc.call(handler, 'POST', '/api/reviews', submissionBody({ procedure: 'simple', scope: {} }));
    expect(simple.status).toBe(422);
    expect(simple.body.error).toMatch(/简易程序.*第六条.*无需法制审核/);

    const bad = await svc.call(handler, 'POST', '/api/reviews', submissionBody({ caseDeadline: '2026-02-30', decisionKind: 'fine' }));
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['body.caseDeadline', 'body.decisionKind']);

    expect((await svc.call(reviewer, 'POST', '/api/reviews', submissionBody())).status).toBe(403);
    const future = await svc.call(handler, 'POST', '/api/reviews', submissionBody({ receivedAt: new Date(Date.now() + 86_400_000).toISOString() }));
    expect(future.status).toBe(400);
    expect(future.body.issues[0].path).toBe('body.receivedAt');
  });

  it('submit → assign → approve → the decision gate opens; 409s on wrong states, 403 for another unit', async () => {
    const body = submissionBody();
    const created = await svc.call(handler, 'POST', '/api/reviews', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), workflowId: `review-${UNIT}-${body.caseNumber}-s1`, status: 'awaiting_assignment' });
    expect(created.body.deadline).toMatch(/^\d{4}-\d{2}-\d{2}T23:59:59\+08:00$/);
    const { id } = created.body;

    const again = await svc.call(handler, 'POST', '/api/reviews', { ...body, title: '另一个标题' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id, workflowId: created.body.workflowId });
    expect((await svc.service.pool.query('SELECT count(*)::int AS n FROM reviews WHERE case_number = $1', [body.caseNumber])).rows[0].n).toBe(1);

    // The gate is shut while the review has not passed.
    const early = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: body.caseNumber, decisionNumber: `本医保罚决〔2026〕${id.slice(0, 6)}号`, decidedAt: new Date().toISOString() });
    expect(early.status).toBe(409);
    expect(early.body.error).toContain('第二条');

    // Wrong state and unqualified reviewer: 409 with the rule.
    const noRequest = await svc.call(head, 'POST', `/api/reviews/${id}/extension/decision`, { approve: true, note: '同意' });
    expect(noRequest.status).toBe(409);
    expect(noRequest.body).toMatchObject({ rule: 'wrong_state', error: expect.stringContaining('待分配审核人员') });
    await svc.call(head, 'PUT', '/api/reviewers/reviewer-api-green', { name: '新人', lawDegree: false, legalWorkYears: 0, enforcementYears: 1, legalProfessionQualification: false });
    const unqualified = await svc.call(head, 'POST', `/api/reviews/${id}/assignment`, { reviewerId: 'reviewer-api-green' });
    expect(unqualified.status).toBe(409);
    expect(unqualified.body).toMatchObject({ rule: 'unqualified', error: expect.stringContaining('第七条') });

    const assigned = await svc.call(head, 'POST', `/api/reviews/${id}/assignment`, { reviewerId: REVIEWER });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ status: 'in_review', reviewer: REVIEWER });

    // Another unit may not see or act (404, as for a review that does not exist: issue 14); its supervisor may see.
    const stranger = await svc.token('benxi.czj', ['handler', 'head', 'reviewer'], 'stranger');
    expect((await svc.call(stranger, 'GET', `/api/reviews/${id}`)).status).toBe(404);
    expect((await svc.call(stranger, 'POST', `/api/reviews/${id}/opinion`, { kind: 'approve', checklist: cleanChecklist(), text: '' })).status).toBe(404);
    const supervisor = await svc.token('benxi.sfj', ['supervisor'], 'supervisor-sfj');
    expect((await svc.call(supervisor, 'GET', `/api/reviews/${id}`)).body).toMatchObject({ status: 'in_review', unit: UNIT });

    // An inconsistent opinion is a bad body, named by field.
    const inconsistent = await svc.call(reviewer, 'POST', `/api/reviews/${id}/opinion`, {
      kind: 'approve',
      checklist: { ...cleanChecklist(), procedure: { result: 'problem', note: '未告知陈述申辩权' } },
      text: '',
    });
    expect(inconsistent.status).toBe(400);
    expect(inconsistent.body.issues).toEqual([expect.objectContaining({ path: 'body.checklist.procedure.result' })]);

    const opinion = await svc.call(reviewer, 'POST', `/api/reviews/${id}/opinion`, { kind: 'approve', checklist: cleanChecklist(), text: '同意。' });
    expect(opinion.status).toBe(200);
    expect(opinion.body).toMatchObject({ status: 'passed', opinion: { kind: 'approve' } });
    const document = await svc.call(handler, 'GET', `/api/documents/${opinion.body.opinion.document.documentId}`);
    expect(document.status).toBe(200);
    expect(document.headers.get('content-type')).toContain('text/html');
    expect(document.body).toContain('重大行政执法决定法制审核意见书');

    const state = await svc.call(handler, 'GET', `/api/reviews/${id}`);
    expect(state.body).toMatchObject({ status: 'passed', overdue: false, warningLevel: 'none', extended: false, round: 1, reviewer: REVIEWER, opinion: { kind: 'approve' } });
    expect(state.body.deadline).toBe(created.body.deadline);
    expect(state.body.history.map((h: { action: string }) => h.action)).toEqual([
      'review.submitted',
      'review.clock_started',
      'review.reviewer_assigned',
      'review.opinion',
      'review.opinion.archived',
      'review.opinion.returned_to_handler',
    ]);
    expect(state.body.history[0]).toMatchObject({ actor: HANDLER, at: expect.stringMatching(/\+08:00$/), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((await svc.call(reviewer, 'POST', `/api/reviews/${id}/extension`, { reason: '晚了' })).status).toBe(409);

    const decisionNumber = `本医保罚决〔2026〕${id.slice(0, 6)}号`;
    const decision = { caseNumber: body.caseNumber, decisionNumber, decidedAt: new Date().toISOString(), draftSha256: DRAFT };
    const recorded = await svc.call(handler, 'POST', '/api/decisions', decision);
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ basis: 'review_passed', flagged: false, reviewId: id });
    expect((await svc.call(handler, 'POST', '/api/decisions', decision)).status).toBe(200);
    expect((await svc.call(handler, 'POST', '/api/decisions', { ...decision, decisionNumber: 'another' })).status).toBe(409);
    const record = await svc.service.pool.query(`SELECT stage, action FROM case_record WHERE case_number = $1 AND stage = 'decision'`, [body.caseNumber]);
    expect(record.rows).toEqual([{ stage: 'decision', action: 'decision.made' }]);
  });

  it('incomplete: 201 awaiting_materials naming what is missing; the clock starts when complete', async () => {
    const created = await svc.call(handler, 'POST', '/api/reviews', submissionBody({ appraisal: true, materials: [{ kind: 'statement', ref: 'doc://s' }] }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'awaiting_materials', deadline: null, missingMaterials: ['draft_decision', 'appraisal_report'] });
    expect(created.body.message).toContain('鉴定报告');
    const inbox = await eventually(async () => {
      const items = (await svc.call(handler, 'GET', '/api/inbox')).body as Array<{ subject: string; body: string; link?: { workflowId?: string } }>;
      return items.find((n) => n.link?.workflowId === created.body.workflowId && n.subject.includes('送审材料不全'));
    }, 'the missing-materials notice in the inbox');
    expect(inbox.body).toContain('决定书文本');

    const complete = await svc.call(handler, 'POST', `/api/reviews/${created.body.id}/materials`, {
      materials: [
        { kind: 'draft_decision', ref: 'doc://d', sha256: 'dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd' },
        { kind: 'appraisal_report', ref: 'doc://a' },
      ],
    });
    expect(complete.status).toBe(200);
    expect(complete.body).toMatchObject({ status: 'awaiting_assignment', missingMaterials: [], deadline: expect.stringMatching(/T23:59:59\+08:00$/) });
    openReviews.push({ token: handler, id: created.body.id });
  });

  it('dispute → head overrules → the decision is accepted and flagged for supervisors', async () => {
    const body = submissionBody();
    const { id } = (await svc.call(handler, 'POST', '/api/reviews', body)).body;
    await svc.call(head, 'POST', `/api/reviews/${id}/assignment`, { reviewerId: REVIEWER });
    const returned = await svc.call(reviewer, 'POST', `/api/reviews/${id}/opinion`, {
      kind: 'amend',
      checklist: { ...cleanChecklist(), lawDiscretion: { result: 'problem', note: '裁量过重' } },
      text: '减轻罚款。',
    });
    expect(returned.body.status).toBe('returned');
    // No deadline binds anyone while the handler decides: the clock's attributes are cleared.
    const { client, connection } = await devServerClient();
    try {
      const d = await client.workflow.getHandle(returned.body.workflowId).describe();
      expect(d.searchAttributes).toMatchObject({ Status: ['returned'], Overdue: [false], WarningLevel: ['none'] });
      expect(d.typedSearchAttributes.get(DeadlineKey)).toBeUndefined();
    } finally {
      await connection.close();
    }
    const gate = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: body.caseNumber, decisionNumber: `D-${id}`, decidedAt: new Date().toISOString() });
    expect(gate.status).toBe(409);

    expect((await svc.call(handler, 'POST', `/api/reviews/${id}/dispute`, { reason: '情节严重' })).body.status).toBe('disputed');
    const missingRecord = await svc.call(head, 'POST', `/api/reviews/${id}/dispute/decision`, { outcome: 'collective', reasons: '集体讨论' });
    expect(missingRecord.status).toBe(400);
    expect(missingRecord.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['body.collectiveOutcome', 'body.meetingRecordRef']);
    const overruled = await svc.call(head, 'POST', `/api/reviews/${id}/dispute/decision`, {
      outcome: 'collective',
      collectiveOutcome: 'overrule',
      meetingRecordRef: '局务会议纪要〔2026〕12号',
      reasons: '集体讨论认为违法情节严重',
    });
    expect(overruled.body).toMatchObject({ status: 'overruled', flagged: true });

    const decided = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: body.caseNumber, decisionNumber: `D-${id}`, decidedAt: new Date().toISOString(), draftSha256: DRAFT });
    expect(decided.status).toBe(201);
    expect(decided.body).toMatchObject({ basis: 'collective_overruled', flagged: true });

    const supervisor = await svc.token('benxi.sfj', ['supervisor'], 'supervisor-sfj');
    const flaggedReviews = await svc.call(supervisor, 'GET', '/api/reviews?flagged=true');
    expect(flaggedReviews.body.items.map((r: { id: string }) => r.id)).toContain(id);
    const flaggedDecisions = await svc.call(supervisor, 'GET', '/api/decisions?flagged=true');
    expect(flaggedDecisions.body.items.map((d: { decisionNumber: string }) => d.decisionNumber)).toContain(`D-${id}`);
    await exportHistoryIfRecording(await devServerHandle(returned.body.workflowId), 'dev-server-collective-overrule');
  });

  it('without a review: a decision needing none is recorded; one needing review, or unclassified, is refused', async () => {
    const at = new Date().toISOString();
    const simple = { decisionKind: 'penalty', procedure: 'simple', scope: {} };
    const ok = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: caseNumber(), decisionNumber: `S-${randomUUID()}`, decidedAt: at, classification: simple });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ basis: 'review_not_required', flagged: false });
    const major = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: caseNumber(), decisionNumber: `G-${randomUUID()}`, decidedAt: at, classification: { ...simple, procedure: 'general' } });
    expect(major.status).toBe(409);
    expect(major.body.error).toContain('一般程序');
    expect((await svc.call(handler, 'POST', '/api/decisions', { caseNumber: caseNumber(), decisionNumber: `U-${randomUUID()}`, decidedAt: at })).status).toBe(409);
  });

  it('overdue: escalated to the 司法局, listed by the projection, and found by a supervisor in Temporal visibility by Overdue and Unit', async () => {
    const unit = 'benxi.wjw';
    const wjwHandler = await svc.token(unit, ['handler'], 'handler-wjw');
    // Received six weeks ago: the 7 working days are long over.
    const receivedAt = new Date(Date.now() - 42 * 86_400_000).toISOString();
    const created = await svc.call(wjwHandler, 'POST', '/api/reviews', submissionBody({ receivedAt, receivedAtReason: '纸质案卷 42 日前已送达，补录' }));
    expect(created.status).toBe(201);
    openReviews.push({ token: wjwHandler, id: created.body.id });

    const supervisor = await svc.token('benxi.sfj', ['supervisor'], 'supervisor-sfj');
    const listed = await eventually(async () => {
      const r = await svc.call(supervisor, 'GET', `/api/reviews?overdue=true&unit=${unit}`);
      return r.body.items.find((i: { id: string }) => i.id === created.body.id);
    }, 'the overdue review in the projection');
    expect(listed).toMatchObject({ overdue: true, warningLevel: 'red', status: 'awaiting_assignment' });
    expect((await svc.call(supervisor, 'GET', `/api/reviews/${created.body.id}`)).body).toMatchObject({ overdue: true, escalations: 1 });

    const escalation = await eventually(async () => {
      const items = (await svc.call(supervisor, 'GET', '/api/inbox')).body as Array<{ kind: string; link?: { workflowId?: string } }>;
      return items.find((n) => n.kind === 'escalation' && n.link?.workflowId === created.body.workflowId);
    }, 'the escalation in the 司法局 inbox');
    expect(escalation).toBeTruthy();

    // What a supervisor types in the Temporal UI.
    const { client, connection } = await devServerClient();
    try {
      const query = `ProcessKind="legal-review" AND Overdue=true AND Unit="${unit}" AND ExecutionStatus="Running"`;
      const found = await eventually(async () => {
        const ids: string[] = [];
        for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
        return ids.includes(created.body.workflowId) && ids;
      }, 'the visibility query to find the overdue review');
      expect(found).toContain(created.body.workflowId);
      const red = [];
      for await (const wf of client.workflow.list({ query: `ProcessKind="legal-review" AND WarningLevel="red" AND Unit="${unit}"` })) red.push(wf.workflowId);
      expect(red).toContain(created.body.workflowId);
    } finally {
      await connection.close();
    }
  });
});
