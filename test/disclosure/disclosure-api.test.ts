import { startTestService, type TestService } from '../helpers/service';
import { eventually } from '../helpers/eventually';
import { discloseInspectionResult } from '../../api/routes/disclosures';
import { logger } from '../../infra/logger';
import { officialCalendar } from '../../domain/official-calendar';
import { computeDeadline } from '../../domain/periods';
import { shanghaiDateOf } from '../../domain/dates';

const UNIT = 'benxi.ybj';
const OTHER = 'benxi.czj';
const scope = { publicInterest: false, majorRights: false, hearing: false, complex: false, otherLaw: false, catalogue: false, optIn: false };
const PERSON = { kind: 'person', name: '欧阳娜娜', idNumber: '21050219900101123X', phone: '13912345678', address: '本溪市平山区人民路12号3单元501室' };

describe('disclosure through the API (dev server, real Postgres)', () => {
  let svc: TestService;
  let handler: string;
  let publisher: string;
  let recorderPublisher: string;
  let otherPublisher: string;
  let supervisor: string;
  let foreignSupervisor: string;
  const suffix = Date.now() % 1_000_000;
  let n = 0;
  const tag = () => `${suffix}-${++n}`;

  beforeAll(async () => {
    svc = await startTestService();
    handler = await svc.token(UNIT, ['handler'], 'handler-0001');
    publisher = await svc.token(UNIT, ['publisher'], 'publisher-0001');
    recorderPublisher = await svc.token(UNIT, ['publisher', 'handler'], 'handler-0001');
    otherPublisher = await svc.token(OTHER, ['publisher', 'handler']);
    supervisor = await svc.token('benxi.sfj', ['supervisor']);
    foreignSupervisor = await svc.token('jinzhou.sfj', ['supervisor']);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const decide = async (party: object, matter?: string) => {
    const caseNumber = `本医保罚〔2026〕${tag()}号`;
    const res = await svc.call(handler, 'POST', '/api/decisions', {
      caseNumber,
      decisionNumber: `F-${tag()}`,
      decidedAt: new Date(Date.now() - 3_600_000).toISOString(),
      classification: { decisionKind: 'penalty', procedure: 'simple', scope, ...(matter ? { matter } : {}) },
      party,
      obligation: { kind: 'fine', amountFen: 300_000 },
    });
    expect(res.status).toBe(201);
    const item = await eventually(async () => {
      const list = await svc.call(handler, 'GET', `/api/disclosures?caseNumber=${encodeURIComponent(caseNumber)}`);
      return list.body.items?.[0]?.deadline && list.body.items[0].publicView && list.body.items[0];
    }, 'the disclosure item with its deadline', 20_000);
    return { caseNumber, decision: res.body, item };
  };
  const check = (id: string, body: object, token = publisher) => svc.call(token, 'POST', `/api/disclosures/${id}/check`, body);

  it('a recorded decision creates its item: pending check, 7wd deadline, masked public view; the recorder cannot check it (409), a handler may not (403), another unit sees nothing (404); the supervisor reads, a foreign supervisor does not', async () => {
    const { item, decision } = await decide(PERSON, '违规使用医保基金，联系电话 13912345678，住址：本溪市平山区人民路12号');
    expect(item).toMatchObject({ status: 'pending_check', unit: UNIT, jurisdiction: 'benxi', kind: 'penalty', source: 'decision', n: 1, decisionId: decision.id, overdue: false, publishedAt: null, takedownAt: null });
    expect(item.deadlineBasis).toContain('第二十八条');
    expect(item.publicView).toMatchObject({ party: '欧阳**', partyKind: 'person', actionKind: '行政处罚', result: '罚款人民币 3000 元', unitName: '本溪市医疗保障局', decisionNumber: decision.decisionNumber });
    const shown = JSON.stringify(item.publicView);
    for (const secret of ['娜娜', '21050219900101123X', '13912345678', '人民路12号', '3单元501室']) expect(shown).not.toContain(secret);
    expect(item.publicView.content).toContain('违规使用医保基金');

    expect(await check(item.id, { approve: true, note: '' }, recorderPublisher)).toMatchObject({ status: 409, body: { rule: 'disclosure.check.same_person', basis: expect.stringContaining('第三十一条') } });
    expect((await check(item.id, { approve: true, note: '' }, handler)).status).toBe(403);
    expect((await check(item.id, { approve: true, note: '' }, otherPublisher)).status).toBe(404);
    expect((await svc.call(otherPublisher, 'GET', `/api/disclosures/${item.id}`)).status).toBe(404);
    expect((await svc.call(otherPublisher, 'GET', `/api/disclosures?caseNumber=${encodeURIComponent(item.caseNumber)}`)).body.items).toEqual([]);
    expect((await svc.call(supervisor, 'GET', `/api/disclosures/${item.id}`)).status).toBe(200);
    expect((await svc.call(supervisor, 'GET', `/api/disclosures?status=pending_check`)).body.items.map((x: { id: string }) => x.id)).toContain(item.id);
    expect((await svc.call(foreignSupervisor, 'GET', `/api/disclosures/${item.id}`)).status).toBe(404);
    // Refusing needs a reason.
    expect(await check(item.id, { approve: false, note: ' ' })).toMatchObject({ status: 409, body: { rule: 'disclosure.check.reason_required' } });
  });

  it('check with corrections: the text is masked before it is stored or published; approve publishes with takedownAt 2 years on (person); takedown needs an explanation, then the item is taken down and stays in the record; twice → 409', async () => {
    const { item } = await decide(PERSON);
    const res = await check(item.id, { approve: true, note: '核对无误', corrections: { content: '欧阳娜娜（身份证 21050219900101123X，电话 024-42881234）违规使用医保基金' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'published', publishedAt: expect.any(String), takedownAt: expect.any(String) });
    expect(res.body.publicView.content).toBe('欧阳**（身份证 [身份证号已隐去]，电话 [电话已隐去]）违规使用医保基金');
    const publishedYear = Number(res.body.publishedAt.slice(0, 4));
    expect(Number(res.body.takedownAt.slice(0, 4))).toBe(publishedYear + 2);
    expect(res.body.takedownBasis).toContain('第二十九条');
    // Not even the projection's internal view holds the unmasked text.
    const { rows } = await svc.service.pool.query('SELECT view::text AS v FROM disclosures WHERE id = $1', [item.id]);
    expect(rows[0].v).not.toContain('21050219900101123X');
    expect(rows[0].v).not.toContain('娜娜');

    expect((await svc.call(publisher, 'POST', `/api/disclosures/${item.id}/takedown`, { reason: 'revoked', explanation: '' })).status).toBe(400);
    expect((await svc.call(publisher, 'POST', `/api/disclosures/${item.id}/takedown`, { reason: 'period_expired', explanation: 'x' })).status).toBe(400);
    const down = await svc.call(publisher, 'POST', `/api/disclosures/${item.id}/takedown`, { reason: 'revoked', explanation: '原处罚决定经行政复议被撤销' });
    expect(down).toMatchObject({ status: 200, body: { status: 'taken_down', takedownReason: 'revoked', takedownExplanation: '原处罚决定经行政复议被撤销', takenDownAt: expect.any(String), publishedAt: res.body.publishedAt } });
    const again = await svc.call(publisher, 'GET', `/api/disclosures/${item.id}`);
    expect(again.body).toMatchObject({ status: 'taken_down', publicView: expect.objectContaining({ party: '欧阳**' }) });
    expect((await svc.call(publisher, 'GET', `/api/disclosures?status=taken_down`)).body.items.map((x: { id: string }) => x.id)).toContain(item.id);
    expect(await svc.call(publisher, 'POST', `/api/disclosures/${item.id}/takedown`, { reason: 'revoked', explanation: '再次' })).toMatchObject({ status: 409, body: { rule: 'disclosure.takedown.already_taken_down', basis: expect.stringContaining('第二十九条') } });
  });

  it('an organisation is shown in full, takedown 5 years on; a changed decision makes item 2, and publishing it takes item 1 down as superseded', async () => {
    const { item, decision } = await decide({ kind: 'organisation', name: '本溪市某大药房有限公司', phone: '024-42881234', address: '本溪市明山区胜利路8号' });
    expect(item.publicView.party).toBe('本溪市某大药房有限公司');
    const pub = await check(item.id, { approve: true, note: '' });
    expect(Number(pub.body.takedownAt.slice(0, 4))).toBe(Number(pub.body.publishedAt.slice(0, 4)) + 5);
    const change = await svc.call(handler, 'POST', `/api/decisions/${decision.id}/changes`, { changedAt: new Date().toISOString(), description: '罚款数额变更' });
    expect(change).toMatchObject({ status: 201, body: { n: 2, source: 'decision_change', status: 'pending_check' } });
    await eventually(async () => (await svc.call(publisher, 'GET', `/api/disclosures/${change.body.id}`)).body.deadline, 'item 2 started', 20_000);
    expect((await check(change.body.id, { approve: true, note: '' })).body.status).toBe('published');
    const first = await eventually(async () => {
      const r = await svc.call(publisher, 'GET', `/api/disclosures/${item.id}`);
      return r.body.status === 'taken_down' && r.body;
    }, 'item 1 superseded', 20_000);
    expect(first).toMatchObject({ takedownReason: 'superseded', takedownExplanation: expect.stringContaining('第 2 条') });
  });

  it('corrections: anyone, with evidence, gets a tracking code; the unit decides; the applicant sees outcome, reason and how to complain; the item shows the corrected text', async () => {
    const { item } = await decide({ kind: 'organisation', name: '本溪市某诊所' });
    const body = { disclosureId: item.id, request: '罚款数额有误', evidence: [{ description: '缴款凭证复印件' }], contact: '李四 13700000000' };
    expect((await svc.call(undefined, 'POST', '/public/corrections', body)).status).toBe(404); // not published yet
    await check(item.id, { approve: true, note: '' });
    expect((await svc.call(undefined, 'POST', '/public/corrections', { ...body, evidence: [] })).status).toBe(400);
    const asked = await svc.call(undefined, 'POST', '/public/corrections', body);
    expect(asked).toMatchObject({ status: 201, body: { trackingCode: expect.stringMatching(/^[A-Z2-9]{12}$/), status: 'pending' } });
    const code = asked.body.trackingCode;
    const open = await eventually(async () => {
      const r = await svc.call(undefined, 'GET', `/public/corrections/${code}`);
      return r.body.answerDueBy && r.body;
    }, 'the correction clock', 20_000);
    expect(open).toMatchObject({ status: 'pending', outcome: null, howToComplain: expect.stringContaining('本溪市司法局') });
    expect(JSON.stringify(open)).not.toContain('13700000000');

    const list = await svc.call(publisher, 'GET', '/api/corrections?status=pending');
    const mine = list.body.items.find((c: { trackingCode: string }) => c.trackingCode === code);
    expect(mine).toMatchObject({ request: '罚款数额有误', evidence: [{ description: '缴款凭证复印件' }], disclosureId: item.id, lastDay: open.answerDueBy });
    expect((await svc.call(otherPublisher, 'GET', '/api/corrections')).body.items.find((c: { trackingCode: string }) => c.trackingCode === code)).toBeUndefined();
    expect((await svc.call(otherPublisher, 'POST', `/api/corrections/${mine.id}/decision`, { outcome: 'rejected', reason: 'x' })).status).toBe(404);
    expect(await svc.call(publisher, 'POST', `/api/corrections/${mine.id}/decision`, { outcome: 'corrected', reason: '核实有误' })).toMatchObject({ status: 409, body: { rule: 'disclosure.correction.nothing_corrected' } });
    const decided = await svc.call(publisher, 'POST', `/api/corrections/${mine.id}/decision`, { outcome: 'corrected', reason: '经核实，罚款数额登记有误，已更正', corrections: { result: '罚款人民币 2000 元' } });
    expect(decided).toMatchObject({ status: 200, body: { status: 'corrected', reason: '经核实，罚款数额登记有误，已更正' } });
    expect(await svc.call(undefined, 'GET', `/public/corrections/${code}`)).toMatchObject({ status: 200, body: { outcome: 'corrected', reason: '经核实，罚款数额登记有误，已更正', howToComplain: expect.stringContaining('行政复议') } });
    await eventually(async () => (await svc.call(publisher, 'GET', `/api/disclosures/${item.id}`)).body.publicView.result === '罚款人民币 2000 元', 'the item corrected', 20_000);
    expect(await svc.call(publisher, 'POST', `/api/corrections/${mine.id}/decision`, { outcome: 'rejected', reason: '再次' })).toMatchObject({ status: 409, body: { rule: 'disclosure.correction.already_decided' } });
  });

  it('enforcement terminated because the decision was revoked takes the published item down (reason revoked, with an explanation)', async () => {
    const { item, decision } = await decide({ kind: 'organisation', name: '本溪市某药品经营公司' });
    expect((await check(item.id, { approve: true, note: '' })).body.status).toBe('published');
    const served = await svc.call(handler, 'POST', `/api/decisions/${decision.id}/service`, { method: 'direct', servedAt: new Date(Date.now() - 60_000).toISOString(), proof: { signedBy: '王五' } });
    expect(served.status).toBe(201);
    const enforcementId = served.body.enforcementId;
    await eventually(async () => (await svc.call(handler, 'GET', `/api/enforcements/${enforcementId}`)).body.performanceDeadline, 'the enforcement', 20_000);
    const head = await svc.token(UNIT, ['head'], 'head-0001');
    const ended = await svc.call(head, 'POST', `/api/enforcements/${enforcementId}/termination`, { ground: 'decision_revoked', note: '复议机关撤销原决定' });
    expect(ended).toMatchObject({ status: 200, body: { stage: 'terminated' } });
    const down = await eventually(async () => {
      const r = await svc.call(publisher, 'GET', `/api/disclosures/${item.id}`);
      return r.body.status === 'taken_down' && r.body;
    }, 'the item taken down', 20_000);
    expect(down).toMatchObject({ takedownReason: 'revoked', takedownExplanation: expect.stringContaining('复议机关撤销原决定'), takenDownAt: expect.any(String) });
    // Let the enforcement's end-of-process activity finish before the worker stops (it calls an
    // Update on a workflow this same worker runs; a draining worker would leave it waiting).
    await eventually(async () => (await svc.service.pool.query(`SELECT view->>'caseFileTold' AS told FROM enforcements WHERE id = $1`, [enforcementId])).rows[0]?.told === 'true', 'the enforcement ended', 20_000);
  });

  it('a normal random-inspection result (the entry point for the draws): 20 working days from the inspection end, no decision, masked view, checked and published like any item; idempotent', async () => {
    const deps = { pool: svc.service.pool, temporal: svc.service.temporal, config: svc.config, log: logger.child({}, { level: 'warn' }) };
    const finishedAt = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const caseNumber = `抽查-${tag()}`;
    const args = { unit: UNIT, caseNumber, finishedAt, entity: { kind: 'organisation' as const, name: '本溪市某大药房有限公司' }, content: '医保基金使用情况抽查（联系人电话 13512345678）', result: '未发现问题', recordedBy: 'handler-0001' };
    const first = await discloseInspectionResult(deps, args);
    expect(await discloseInspectionResult(deps, args)).toEqual(first);
    const item = await eventually(async () => {
      const r = await svc.call(publisher, 'GET', `/api/disclosures/${first.id}`);
      return r.body.deadline && r.body;
    }, 'the inspection item', 20_000);
    expect(item).toMatchObject({ source: 'inspection', kind: 'inspection', decisionId: null, status: 'pending_check', lastDay: computeDeadline(officialCalendar(), shanghaiDateOf(finishedAt), '20wd').lastDay });
    expect(item.publicView).toMatchObject({ party: '本溪市某大药房有限公司', actionKind: '行政检查（“双随机”抽查结果）', result: '未发现问题', content: '医保基金使用情况抽查（联系人电话 [电话已隐去]）' });
    expect((await check(item.id, { approve: true, note: '' })).body).toMatchObject({ status: 'published', takedownAt: expect.any(String) });
  });
});
