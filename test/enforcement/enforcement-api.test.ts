import { addDays, shanghaiDateOf } from '../../domain/dates';
import { officialCalendar } from '../../domain/official-calendar';
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

  const decide = async (obligation: object, enforcementPower: 'own' | 'court' = 'own', decidedDaysAgo = 90) => {
    const caseNumber = `本医保罚〔2026〕${tag()}号`;
    const res = await svc.call(handler, 'POST', '/api/decisions', {
      caseNumber,
      decisionNumber: `F-${tag()}`,
      decidedAt: new Date(Date.now() - decidedDaysAgo * 86_400_000).toISOString(),
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

  const DAY = 86_400_000;
  const cal = officialCalendar();
  /** A day at least `days` ahead that the official calendar says is (not) a working day, at `hour` Shanghai time. */
  const dayAhead = (days: number, working: boolean, hour: number) => {
    let d = shanghaiDateOf(new Date(Date.now() + days * DAY));
    while (cal.isWorkday(d) !== working) d = addDays(d, 1);
    return `${d}T${String(hour).padStart(2, '0')}:00:00+08:00`;
  };
  const post = (token: string, id: string, path: string, body: object) => svc.call(token, 'POST', `/api/enforcements/${id}/${path}`, body);
  /** Served `daysAgo` days ago, so the performance deadline has passed; answers the enforcement's id once its projection is there. */
  const servedEnforcement = async (obligation: object, power: 'own' | 'court', daysAgo: number) => {
    const { decision, caseNumber } = await decide(obligation, power, daysAgo + 5);
    const served = await serve(decision.id, { method: 'direct', servedAt: new Date(Date.now() - daysAgo * DAY).toISOString(), proof: { signedBy: '张三' } });
    expect(served.status).toBe(201);
    await enforcementReady(served.body.enforcementId);
    return { id: served.body.enforcementId as string, caseNumber };
  };
  const refused = (rule: string, article: string) => ({ status: 409, body: { error: expect.any(String), rule, basis: expect.stringContaining(article) } });

  it('the Rules list, each refusal 409 with rule and article: 催告 served before made; no decision before the 催告 deadline, with an unreviewed statement, immediate without evidence; night and rest-day execution (emergency accepted); remove_obstruction without an AV record; agreement reduction without remedial measures; instalments not adding up', async () => {
    const { id } = await servedEnforcement({ kind: 'fine', amountFen: 300_000 }, 'own', 60);
    expect((await post(handler, id, 'demand', {})).body.stage).toBe('demand_issued');
    expect(await post(handler, id, 'demand/service', { method: 'direct', servedAt: new Date(Date.now() - 2 * 3_600_000).toISOString(), proof: { signedBy: '张三' } })).toMatchObject(refused('enforcement.demand.served_before_issued', '第三十八条'));
    expect(await post(handler, id, 'demand/service', { method: 'announcement', servedAt: new Date().toISOString(), proof: { where: '本溪日报' } })).toMatchObject(refused('service.announcement_before_other_failed', '第二十七条'));
    // Refused attempts leave no 送达回证 behind.
    const { rows: receipts } = await svc.service.pool.query(`SELECT count(*)::int AS n FROM case_documents d JOIN enforcements e ON e.unit_code = d.unit_code AND e.case_number = d.case_number WHERE e.id = $1 AND d.kind = 'demand_service_receipt'`, [id]);
    expect(receipts[0].n).toBe(0);
    const served = await post(handler, id, 'demand/service', { method: 'direct', servedAt: new Date().toISOString(), proof: { signedBy: '张三' } });
    expect(served).toMatchObject({ status: 200, body: { stage: 'demand_served', demand: { servedAt: expect.any(String), deadline: expect.stringMatching(/T23:59:59\+08:00$/), documentId: expect.any(String) } } });
    // Who signed is in the 送达回证 document (Postgres), not in the workflow's state.
    const receipt = served.body.documents.find((d: { kind: string }) => d.kind === 'demand_service_receipt');
    const { rows: stored } = await svc.service.pool.query(`SELECT convert_from(content, 'UTF8') AS text FROM case_documents WHERE id = $1`, [receipt.documentId]);
    expect(stored[0].text).toContain('张三');
    expect(JSON.stringify(served.body)).not.toContain('张三');
    expect((await post(handler, id, 'statements', { text: '经营困难，无力一次缴清' })).status).toBe(200);

    const workday = dayAhead(3, true, 10);
    const decideBody = (extra: object) => ({ method: 'transfer_deposits', executeAt: workday, ...extra });
    expect(await post(head, id, 'enforcement-decision', decideBody({}))).toMatchObject(refused('enforcement.decision.before_demand_deadline', '第三十七条'));
    expect(await post(head, id, 'enforcement-decision', decideBody({ immediate: { evidence: ' ' } }))).toMatchObject(refused('enforcement.decision.immediate_without_evidence', '第三十七条'));
    const immediate = { immediate: { evidence: '银行流水显示当事人正在转移存款' } };
    expect(await post(head, id, 'enforcement-decision', decideBody(immediate))).toMatchObject(refused('enforcement.decision.statement_unreviewed', '第三十六条'));
    expect((await post(handler, id, 'statements/1/review', { adopted: 'none', reasons: '未提供证据' })).body.statements[0].review).toMatchObject({ adopted: 'none' });
    expect(await post(handler, id, 'statements/1/review', { adopted: 'all', reasons: 'again' })).toMatchObject(refused('enforcement.statement.already_reviewed', '第三十六条'));
    expect(await post(head, id, 'enforcement-decision', decideBody({ ...immediate, executeAt: `${workday.slice(0, 10)}T23:30:00+08:00` }))).toMatchObject(refused('enforcement.execution.night', '第四十三条'));
    expect(await post(head, id, 'enforcement-decision', decideBody({ ...immediate, executeAt: `${workday.slice(0, 10)}T05:30:00+08:00` }))).toMatchObject(refused('enforcement.execution.night', '第四十三条'));
    const restDay = dayAhead(1, false, 10);
    expect(await post(head, id, 'enforcement-decision', decideBody({ ...immediate, executeAt: restDay }))).toMatchObject(refused('enforcement.execution.holiday', '第四十三条'));
    expect(await post(handler, id, 'agreement', { stages: [{ dueDate: addDays(shanghaiDateOf(new Date()), 30), amountFen: 300_000 }], surchargeReductionFen: 5_000 })).toMatchObject(refused('enforcement.agreement.reduction_without_remedy', '第四十二条'));
    expect(await post(head, id, 'deferral', { application: '申请分期', instalments: [{ dueDate: addDays(shanghaiDateOf(new Date()), 30), amountFen: 100_000 }] })).toMatchObject(refused('enforcement.deferral.instalments_exceed_fine', '第六十六条'));
    expect((await post(handler, id, 'deferral', { application: '申请分期', dueDate: addDays(shanghaiDateOf(new Date()), 30) })).status).toBe(403);

    const decided = await post(head, id, 'enforcement-decision', { method: 'remove_obstruction', executeAt: restDay, emergency: { reason: '违法设施危及公共安全' }, ...immediate });
    expect(decided).toMatchObject({ status: 200, body: { stage: 'enforcement_decided', decision: { method: 'remove_obstruction', emergency: { reason: '违法设施危及公共安全' } } } });
    expect(decided.body.documents.map((d: { kind: string }) => d.kind)).toEqual(['demand', 'demand_service_receipt', 'enforcement_decision']);
    const now = new Date().toISOString();
    expect(await post(handler, id, 'execution', { executedAt: now, result: '已排除妨碍' })).toMatchObject(refused('enforcement.execution.av_required', '第三十条'));
    const executed = await post(handler, id, 'execution', { executedAt: now, result: '已排除妨碍', avRecordId: 'av-2026-0001' });
    expect(executed).toMatchObject({ status: 200, body: { stage: 'executed', executions: [{ avRecordId: 'av-2026-0001' }] } });
    expect(await post(head, id, 'termination', { ground: 'other' })).toMatchObject(refused('enforcement.ended', '第四十条'));
  });

  it('substitute performance refused without the further 催告 and within its 3 working days (第五十一条); a correction check before its due date refused; termination on decision_revoked exposed (view, list filter)', async () => {
    const past = addDays(shanghaiDateOf(new Date()), -30);
    const { id } = await servedEnforcement({ kind: 'other', description: '拆除违法搭建', dueDate: past }, 'own', 40);
    await post(handler, id, 'demand', {});
    await post(handler, id, 'demand/service', { method: 'direct', servedAt: new Date().toISOString(), proof: { signedBy: '张三' } });
    const decided = await post(head, id, 'enforcement-decision', { method: 'substitute_performance', executeAt: dayAhead(7, true, 10), immediate: { evidence: '当事人正在转移违法设施的建材' } });
    expect(decided.body.stage).toBe('enforcement_decided');
    expect(await post(handler, id, 'execution', { executedAt: new Date().toISOString(), result: '代履行' })).toMatchObject(refused('enforcement.substitute.no_further_demand', '第五十一条'));
    expect(await post(handler, id, 'demand', { purpose: 'substitute_performance' })).toMatchObject({ status: 200 });
    await post(handler, id, 'demand/service', { method: 'direct', servedAt: new Date().toISOString(), proof: { signedBy: '张三' } });
    expect(await post(handler, id, 'execution', { executedAt: new Date().toISOString(), result: '代履行' })).toMatchObject(refused('enforcement.substitute.no_further_demand', '第五十一条'));
    expect(await post(head, id, 'termination', { ground: 'not_a_ground' })).toMatchObject({ status: 400 });
    const ended = await post(head, id, 'termination', { ground: 'decision_revoked', note: '复议机关撤销原决定' });
    expect(ended).toMatchObject({ status: 200, body: { stage: 'terminated', termination: { ground: 'decision_revoked' } } });
    const listed = await svc.call(supervisor, 'GET', `/api/enforcements?terminationGround=decision_revoked&unit=${UNIT}`);
    expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(id);
    expect(listed.body.items.every((i: { termination: { ground: string } }) => i.termination.ground === 'decision_revoked')).toBe(true);

    const due = addDays(shanghaiDateOf(new Date()), 10);
    const c = await servedEnforcement({ kind: 'correction', description: '整改违规收费项目', dueDate: due }, 'own', 1);
    expect(await post(handler, c.id, 'correction-check', { checkedAt: new Date().toISOString(), corrected: false, note: '未改正' })).toMatchObject(refused('enforcement.correction.before_due', '第二十八条'));
    expect(await post(handler, c.id, 'demand', {})).toMatchObject(refused('enforcement.demand.not_due', '第三十五条'));
    expect(await post(handler, c.id, 'correction-check', { checkedAt: new Date().toISOString(), corrected: true, note: '已提前改正' })).toMatchObject({ status: 200, body: { stage: 'performed' } });
  });

  it('court power: application refused before a 催告 was served, before earliestFiling and after latestFiling (第五十三条, 第五十四条)', async () => {
    // Served 13 months ago: both remedy periods ran out 7 months ago, latestFiling 4 months ago.
    const old = await servedEnforcement({ kind: 'fine', amountFen: 80_000 }, 'court', 400);
    const file = (id: string) => post(handler, id, 'court-application', { filedAt: new Date().toISOString(), court: '本溪市平山区人民法院', documents: ['强制执行申请书'] });
    expect(await file(old.id)).toMatchObject(refused('enforcement.court.no_demand', '第五十四条'));
    await post(handler, old.id, 'demand', {});
    const s1 = await post(handler, old.id, 'demand/service', { method: 'direct', servedAt: new Date().toISOString(), proof: { signedBy: '张三' } });
    expect(s1.body.court.latestFiling < shanghaiDateOf(new Date())).toBe(true);
    expect(await file(old.id)).toMatchObject(refused('enforcement.court.too_late', '第五十三条'));
    // Served 30 days ago: the remedy periods still run, and the 10 working days after the 催告 too.
    const recent = await servedEnforcement({ kind: 'fine', amountFen: 80_000 }, 'court', 30);
    await post(handler, recent.id, 'demand', {});
    const s2 = await post(handler, recent.id, 'demand/service', { method: 'direct', servedAt: new Date().toISOString(), proof: { signedBy: '张三' } });
    expect(s2.body.court.earliestFiling > shanghaiDateOf(new Date())).toBe(true);
    expect(await file(recent.id)).toMatchObject(refused('enforcement.court.too_early', '第五十四条'));
    expect(await post(head, recent.id, 'enforcement-decision', { method: 'surcharge', executeAt: dayAhead(3, true, 10) })).toMatchObject(refused('enforcement.decision.court_only', '第三十一条'));
  });

  it('deferral in instalments approved by the head (第六十六条): the view tracks each instalment against its own due date; payments go to the earliest', async () => {
    const { id } = await servedEnforcement({ kind: 'fine', amountFen: 90_000 }, 'own', 1);
    const today = shanghaiDateOf(new Date());
    const instalments = [
      { dueDate: addDays(today, 60), amountFen: 30_000 },
      { dueDate: addDays(today, 30), amountFen: 60_000 },
    ];
    const deferred = await post(head, id, 'deferral', { application: '经营困难，申请分两期缴纳', instalments });
    expect(deferred).toMatchObject({
      status: 200,
      body: {
        stage: 'awaiting_performance',
        deferral: { approvedBy: 'head-0001', application: '经营困难，申请分两期缴纳' },
        performanceDeadline: `${instalments[0]!.dueDate}T23:59:59+08:00`,
        currentDueDate: instalments[1]!.dueDate,
        instalments: [
          { dueDate: instalments[1]!.dueDate, amountFen: 60_000, paidFen: 0, surchargeFen: 0 },
          { dueDate: instalments[0]!.dueDate, amountFen: 30_000, paidFen: 0, surchargeFen: 0 },
        ],
      },
    });
    expect(await post(head, id, 'deferral', { application: 'again', dueDate: addDays(today, 90) })).toMatchObject(refused('enforcement.deferral.twice', '第六十六条'));
    const paid = await post(handler, id, 'payments', { amountFen: 60_000, paidAt: new Date().toISOString(), receipt: `P-${tag()}` });
    expect(paid.body).toMatchObject({ currentDueDate: instalments[0]!.dueDate, amountDueFen: 30_000, instalments: [{ paidFen: 60_000, coveredOn: today }, { paidFen: 0 }] });
    expect(await post(handler, id, 'demand', {})).toMatchObject(refused('enforcement.demand.not_due', '第三十五条'));
  });
});
