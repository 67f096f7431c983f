import { startTestService, type TestService } from '../helpers/service';
import { eventually } from '../helpers/eventually';

const UNIT = 'benxi.ybj';
const OTHER = 'benxi.czj';
const SUPERVISOR = 'benxi.sfj';
const scope = { publicInterest: false, majorRights: false, hearing: false, complex: false, otherLaw: false, catalogue: false, optIn: false };

describe('enforcement through the API (dev server, real Postgres)', () => {
  let svc: TestService;
  let handler: string;
  let head: string;
  let other: string;
  let supervisor: string;
  const suffix = Date.now() % 1_000_000;
  let n = 0;
  const tag = () => `${suffix}-${++n}`;

  beforeAll(async () => {
    svc = await startTestService();
    handler = await svc.token(UNIT, ['handler'], 'handler-0001');
    head = await svc.token(UNIT, ['head'], 'head-0001');
    other = await svc.token(OTHER, ['handler', 'head']);
    supervisor = await svc.token(SUPERVISOR, ['supervisor']);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const decide = async (obligation: object, enforcementPower: 'own' | 'court' = 'own') => {
    const caseNumber = `本医保罚〔2026〕${tag()}号`;
    const res = await svc.call(handler, 'POST', '/api/decisions', {
      caseNumber,
      decisionNumber: `F-${tag()}`,
      decidedAt: new Date(Date.now() - 90 * 86_400_000).toISOString(),
      classification: { decisionKind: 'penalty', procedure: 'simple', scope },
      party: { kind: 'person', name: '张三', idNumber: '210502199001011234', phone: '13800000000', address: '本溪市平山区' },
      obligation,
      enforcementPower,
    });
    expect(res.status).toBe(201);
    return { caseNumber, decision: res.body };
  };
  const serve = (id: string, body: object, token = handler) => svc.call(token, 'POST', `/api/decisions/${id}/service`, body);
  const enforcementReady = (id: string, token = handler) =>
    eventually(async () => {
      const res = await svc.call(token, 'GET', `/api/enforcements/${id}`);
      return res.status === 200 && res.body.performanceDeadline && res.body;
    }, 'the enforcement projection', 20_000);

  it('decision fields; service: proof per method, announcement only after a failure, the first success starts the enforcement; refusals 409 with rule and basis; other unit 404, supervisor reads but does not act', async () => {
    const { decision } = await decide({ kind: 'fine', amountFen: 200_000 });
    expect(decision).toMatchObject({ id: expect.any(String), kind: 'penalty', obligation: { kind: 'fine', amountFen: 200_000 }, enforcementPower: 'own', party: { name: '张三' } });
    const servedAt = new Date(Date.now() - 3_600_000).toISOString();

    expect(await serve(decision.id, { method: 'announcement', servedAt, proof: { where: '本溪日报' } })).toMatchObject({ status: 409, body: { rule: 'service.announcement_before_other_failed', basis: expect.stringContaining('第二十七条') } });
    expect(await serve(decision.id, { method: 'direct', servedAt, proof: { trackingNumber: 'x' } })).toMatchObject({ status: 409, body: { rule: 'service.proof_missing', basis: expect.stringContaining('第二十三条') } });
    expect((await serve(decision.id, { method: 'direct', servedAt, proof: {} }, other)).status).toBe(404);
    const failed = await serve(decision.id, { method: 'registered_mail', servedAt, proof: { trackingNumber: 'EMS123' }, failed: true, failureReason: '查无此人' });
    expect(failed).toMatchObject({ status: 201, body: { failed: true, enforcementId: null, n: 1 } });
    const served = await serve(decision.id, { method: 'direct', servedAt, proof: { signedBy: '张三', ignored: 'x' } });
    expect(served).toMatchObject({ status: 201, body: { failed: false, n: 2, proof: { signedBy: '张三' }, enforcementId: expect.any(String) } });
    expect(served.body.proof.ignored).toBeUndefined();
    const id = served.body.enforcementId;
    // A second success does not start a second enforcement.
    expect((await serve(decision.id, { method: 'direct', servedAt, proof: { signedBy: '张三' } })).body.enforcementId).toBe(id);

    const view = await enforcementReady(id);
    expect(view).toMatchObject({ id, stage: 'awaiting_performance', obligation: { kind: 'fine', amountFen: 200_000 }, paidFen: 0, surchargeFen: 0, amountDueFen: 200_000, surchargeCapped: false, demand: null, court: null, overdue: false, warningLevel: 'none', documents: [] });
    expect(view.performanceDeadline).toMatch(/T23:59:59\+08:00$/);

    expect((await svc.call(other, 'GET', `/api/enforcements/${id}`)).status).toBe(404);
    expect((await svc.call(supervisor, 'GET', `/api/enforcements/${id}`)).status).toBe(200);
    expect((await svc.call(supervisor, 'POST', `/api/enforcements/${id}/payments`, { amountFen: 1, paidAt: servedAt, receipt: 'S' })).status).toBe(403);
    expect((await svc.call(handler, 'POST', `/api/enforcements/${id}/payments`, { amountFen: 1.5, paidAt: servedAt, receipt: 'S' })).status).toBe(400);

    expect(await svc.call(handler, 'POST', `/api/enforcements/${id}/demand`, {})).toMatchObject({ status: 409, body: { rule: 'enforcement.demand.not_due', basis: expect.stringContaining('第三十五条') } });
    expect(await svc.call(head, 'POST', `/api/enforcements/${id}/enforcement-decision`, { method: 'transfer_deposits', executeAt: '2026-12-01T10:00:00+08:00' })).toMatchObject({
      status: 409,
      body: { rule: 'enforcement.decision.before_demand_deadline', basis: expect.stringContaining('第三十七条') },
    });
    expect(await svc.call(handler, 'POST', `/api/enforcements/${id}/court-application`, { filedAt: servedAt, court: '本溪市平山区人民法院', documents: ['申请书'] })).toMatchObject({ status: 409, body: { rule: 'enforcement.court.own_power', basis: expect.stringContaining('第三十条') } });

    const paid = await svc.call(handler, 'POST', `/api/enforcements/${id}/payments`, { amountFen: 200_000, paidAt: new Date().toISOString(), receipt: 'R-1' });
    expect(paid).toMatchObject({ status: 200, body: { stage: 'performed', paidFen: 200_000, amountDueFen: 0 } });
    expect((await svc.call(handler, 'POST', `/api/enforcements/${id}/payments`, { amountFen: 1, paidAt: new Date().toISOString(), receipt: 'R-2' })).body.rule).toBe('enforcement.ended');
  });

  it('a unit without enforcement power cannot decide; an overdue enforcement shows in the list and in the supervisors’ visibility query', async () => {
    const { decision, caseNumber } = await decide({ kind: 'fine', amountFen: 50_000 }, 'court');
    // Served two months ago: the 15 days have run out, the process is overdue at once.
    const servedAt = new Date(Date.now() - 60 * 86_400_000).toISOString();
    const served = await serve(decision.id, { method: 'direct', servedAt, proof: { signedBy: '张三' } });
    const id = served.body.enforcementId;
    const view = await eventually(async () => {
      const res = await svc.call(handler, 'GET', `/api/enforcements/${id}`);
      return res.body.overdue && res.body;
    }, 'overdue', 20_000);
    expect(view).toMatchObject({ warningLevel: 'red', surchargeFen: expect.any(Number) });
    expect(view.surchargeFen).toBeGreaterThan(0);
    expect(view.amountDueFen).toBe(50_000 + view.surchargeFen);
    expect(await svc.call(head, 'POST', `/api/enforcements/${id}/enforcement-decision`, { method: 'surcharge', executeAt: '2026-12-01T10:00:00+08:00', immediate: { evidence: '转移财产' } })).toMatchObject({
      status: 409,
      body: { rule: 'enforcement.decision.court_only', basis: expect.stringContaining('第三十一条') },
    });
    const listed = await svc.call(supervisor, 'GET', `/api/enforcements?overdue=true&unit=${UNIT}`);
    expect(listed.body.items.map((i: any) => i.id)).toContain(id);
    expect(listed.body.items.find((i: any) => i.id === id).caseNumber).toBe(caseNumber);
    const workflowId = view.workflowId;
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of svc.service.temporal.workflow.list({ query: `ProcessKind="enforcement" AND Overdue=true AND Unit="${UNIT}" AND ExecutionStatus="Running"` })) ids.push(wf.workflowId);
      return ids.includes(workflowId) && ids;
    }, 'the visibility query', 20_000);
    expect(found).toContain(workflowId);
  });
});
