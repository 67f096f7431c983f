import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { addDays, daysBetween, shanghaiDateOf } from '../../domain/dates';
import { accountOf, scheduleStatus } from '../../domain/enforcement/money';
import type { EnforcementInput, Obligation } from '../../domain/enforcement/types';
import { courtWindow, fineLastDay, substituteMayStart } from '../../domain/enforcement/window';
import { officialCalendar } from '../../domain/official-calendar';
import { caseFileStateQuery, caseFileWorkflow, caseFileWorkflowId } from '../../workflows/case-file';
import { enforcementStateQuery, enforcementUpdates, enforcementWorkflow, enforcementWorkflowId } from '../../workflows/enforcement';
import { initialSearchAttributes } from '../../workflows/search-attributes';
import { startTimeSkippingWorker } from '../helpers/temporal';
import { exportHistoryIfRecording } from '../replay/export-history';
import { DocumentStore } from '../../infra/document-store';
import { eventually, notificationsOf, recordActions } from '../records/helpers';

const DAY = 24 * 3_600_000;
const UNIT = 'benxi.ybj';
const by = 'handler-0001';

describe('enforcement (time-skipping)', () => {
  let bed: Awaited<ReturnType<typeof startTimeSkippingWorker>>;
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    bed = await startTimeSkippingWorker({ prefix: 'enf' });
    env = bed.env;
  });
  afterAll(async () => {
    await bed?.stop();
  });

  /** The rows the API would have written: the decision (with the party, in Postgres only) and the enforcement. */
  const start = async (caseNumber: string, obligation: Obligation, power: 'own' | 'court' = 'own', servedAt?: string) => {
    const served = servedAt ?? new Date(await env.currentTimeMs()).toISOString();
    const { rows: d } = await bed.db.pool.query(
      `INSERT INTO decisions (unit_code, case_number, decision_number, decided_at, recorded_by, basis, basis_detail, kind, party, obligation, enforcement_power)
       VALUES ($1, $2, $3, $4, $5, 'review_not_required', 'test', 'penalty', $6, $7, $8) RETURNING id`,
      [UNIT, caseNumber, `D-${caseNumber}`, served, by, JSON.stringify({ kind: 'person', name: '张三', idNumber: '210502199001011234' }), JSON.stringify(obligation), power],
    );
    const workflowId = enforcementWorkflowId(UNIT, caseNumber);
    const { rows: e } = await bed.db.pool.query('INSERT INTO enforcements (decision_id, unit_code, case_number, workflow_id) VALUES ($1, $2, $3, $4) RETURNING id', [d[0].id, UNIT, caseNumber, workflowId]);
    const input: EnforcementInput = { enforcementId: e[0].id, decisionId: d[0].id, unit: UNIT, caseNumber, decisionNumber: `D-${caseNumber}`, decisionKind: 'penalty', obligation, enforcementPower: power, servedAt: served, serviceMethod: 'direct', startedBy: by };
    const handle = await env.client.workflow.start(enforcementWorkflow, {
      taskQueue: bed.taskQueue,
      workflowId,
      args: [input],
      typedSearchAttributes: [...initialSearchAttributes('enforcement', UNIT, caseNumber, 'awaiting_performance')] as never,
    });
    await eventually(async () => (await handle.query(enforcementStateQuery)).performanceLastDay, 'the performance deadline', 10_000);
    return { handle, input, workflowId, served };
  };
  /** As the API does: the proof's facts stored as the 送达回证 document; the workflow gets its id, hash and the field names only. */
  const receiptFor = async (caseNumber: string, signedBy: string) => {
    const content = JSON.stringify({ method: 'direct', proof: { signedBy }, at: Date.now(), n: Math.random() });
    const doc = await new DocumentStore(bed.db.pool).store({ unit: UNIT, caseNumber, kind: 'demand_service_receipt', title: '催告书送达回证（direct）', contentType: 'application/json', content, idempotencyKey: `test-receipt:${caseNumber}:${content}` });
    return { proof: {}, proofFields: ['signedBy'], receipt: { documentId: doc.id, sha256: doc.sha256 } };
  };
  /** The history's payloads decoded (JSON.stringify of a history alone shows them base64-encoded). */
  const decodedHistory = async (handle: { fetchHistory(): Promise<unknown> }) => {
    const texts: string[] = [];
    JSON.stringify(await handle.fetchHistory(), (k, v) => {
      if (k === 'data' && v && typeof v === 'object') texts.push(Buffer.from(Object.values(v as Record<string, number>)).toString('utf8'));
      else if (k === 'data' && typeof v === 'string') texts.push(Buffer.from(v, 'base64').toString('utf8'));
      return v;
    });
    return texts.join('\n');
  };
  const row = async (caseNumber: string) => (await bed.db.pool.query('SELECT stage, overdue, warning_level, view FROM enforcements WHERE unit_code = $1 AND case_number = $2', [UNIT, caseNumber])).rows[0];

  it('the whole path paid on time: due 15 days after service, paid → performed, the case file told (its archive clock starts)', async () => {
    const caseNumber = `ENF-ONTIME-${bed.taskQueue}`;
    const t0 = new Date(await env.currentTimeMs()).toISOString();
    const cf = await env.client.workflow.start(caseFileWorkflow, {
      taskQueue: bed.taskQueue,
      workflowId: caseFileWorkflowId(UNIT, caseNumber),
      args: [{ unit: UNIT, caseNumber, title: '违规使用医保基金', urgent: false, openedBy: by, openedAt: t0 }],
      typedSearchAttributes: [...initialSearchAttributes('case-file', UNIT, caseNumber, 'open')] as never,
    });
    await bed.db.pool.query(`INSERT INTO cases (unit_code, case_number, title, opened_by, opened_at, workflow_id) VALUES ($1, $2, '违规使用医保基金', $3, $4, $5) ON CONFLICT DO NOTHING`, [UNIT, caseNumber, by, t0, caseFileWorkflowId(UNIT, caseNumber)]);
    const { handle, served } = await start(caseNumber, { kind: 'fine', amountFen: 500_000 });
    const st = await handle.query(enforcementStateQuery);
    expect(st.performanceLastDay).toBe(fineLastDay(officialCalendar(), served).lastDay);
    expect(st.performanceLastDay! > addDays(shanghaiDateOf(served), 14)).toBe(true);

    await env.sleep(5 * DAY);
    const paidAt = new Date(await env.currentTimeMs()).toISOString();
    await handle.executeUpdate(enforcementUpdates.payment, { args: [{ by, amountFen: 200_000, paidAt, receipt: 'R-1' }] });
    const after = await handle.executeUpdate(enforcementUpdates.payment, { args: [{ by, amountFen: 300_000, paidAt, receipt: 'R-2' }] });
    expect(after.stage).toBe('performed');
    expect(await handle.result()).toEqual({ enforcementId: expect.any(String), stage: 'performed' });
    const cfState = await eventually(async () => {
      const s = await cf.query(caseFileStateQuery);
      return s.status === 'enforcement_ended' && s;
    }, 'the case file told', 15_000);
    expect(cfState.enforcementEndedAt).toBeTruthy();
    expect(await row(caseNumber)).toMatchObject({ stage: 'performed', overdue: false });
    expect(await recordActions(bed.db.pool, UNIT, caseNumber)).toEqual(expect.arrayContaining(['enforcement.started', 'enforcement.payment', 'enforcement.performed']));
    // No personal data in the workflow's input or result.
    const history = await decodedHistory(handle);
    expect(history).toContain(`D-${caseNumber}`); // the payloads are decoded: the check below can fail
    expect(history).not.toContain('张三');
    expect(history).not.toContain('210502199001011234');
    await exportHistoryIfRecording(handle, 'enforcement', 'paid-on-time-case-file-told');
  });

  it('late payment: surcharge 3% a day from the day after the due date, reaching the cap (the fine); overdue escalated once; paying fine + cap → performed', async () => {
    const caseNumber = `ENF-LATE-${bed.taskQueue}`;
    const { handle, workflowId } = await start(caseNumber, { kind: 'fine', amountFen: 100_000 });
    const st = await handle.query(enforcementStateQuery);
    // Well past day 34 after the due date.
    await env.sleep(15 * DAY + 45 * DAY);
    const late = await eventually(async () => {
      const s = await handle.query(enforcementStateQuery);
      return s.overdue && s;
    }, 'overdue', 15_000);
    expect((await handle.describe()).searchAttributes).toMatchObject({ ProcessKind: ['enforcement'], Overdue: [true], WarningLevel: ['red'], Status: ['awaiting_performance'] });
    const today = shanghaiDateOf(new Date(await env.currentTimeMs()));
    const acc = accountOf(late, today);
    expect(acc).toMatchObject({ surchargeFen: 100_000, surchargeCapped: true, amountDueFen: 200_000 });
    const escalations = (await notificationsOf(bed.db.pool, workflowId)).filter((n) => n.kind === 'escalation');
    expect(escalations.map((n) => n.unit_code).sort()).toEqual(['benxi.sfj', UNIT].sort());
    const paidAt = new Date(await env.currentTimeMs()).toISOString();
    const once = await handle.executeUpdate(enforcementUpdates.payment, { args: [{ by, amountFen: 100_000, paidAt, receipt: 'L-1' }] });
    expect(once.stage).toBe('awaiting_performance');
    expect(accountOf(once, today).amountDueFen).toBe(100_000);
    const done = await handle.executeUpdate(enforcementUpdates.payment, { args: [{ by, amountFen: 100_000, paidAt, receipt: 'L-2' }] });
    expect(done.stage).toBe('performed');
    expect(st.performanceLastDay).toBeTruthy();
    await handle.result();
    await exportHistoryIfRecording(handle, 'enforcement', 'late-surcharge-capped-performed');
  });
  const nowIso = async () => new Date(await env.currentTimeMs()).toISOString();
  /** The next day the official calendar says is a rest day (not a 调休 working Saturday) after `fromMs`, at the given Shanghai hour. */
  const nextRestDayAt = (fromMs: number, hour: number) => {
    const cal = officialCalendar();
    let d = shanghaiDateOf(new Date(fromMs + 2 * DAY));
    while (cal.isWorkday(d)) d = addDays(d, 1);
    return `${d}T${String(hour).padStart(2, '0')}:00:00+08:00`;
  };
  /** The next working day (official calendar) at least `days` after `fromMs`, at the given Shanghai hour. */
  const nextWorkdayAt = (fromMs: number, days: number, hour = 10) => {
    const cal = officialCalendar();
    let d = shanghaiDateOf(new Date(fromMs + days * DAY));
    while (!cal.isWorkday(d)) d = addDays(d, 1);
    return `${d}T${String(hour).padStart(2, '0')}:00:00+08:00`;
  };
  const sleepUntil = async (instant: string) => {
    const ms = Date.parse(instant) - (await env.currentTimeMs());
    if (ms > 0) await env.sleep(ms);
  };
  /**
   * To the morning after the performance deadline. Not a fixed 17 days: the 15th day moved past a
   * weekend ends later, and the server's date depends on what earlier tests skipped (a fixed sleep
   * failed as "履行期限尚未届满" on such dates).
   */
  const pastPerformanceDeadline = async (handle: { query: (q: typeof enforcementStateQuery) => Promise<{ performanceLastDay?: string }> }) => {
    const { performanceLastDay } = await handle.query(enforcementStateQuery);
    await sleepUntil(`${addDays(performanceLastDay!, 1)}T10:00:00+08:00`);
  };
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      const cause = (err as { cause?: { type?: string; details?: Array<{ rule: string; basis: string }> } }).cause;
      return cause?.details?.[0] ?? { rule: cause?.type ?? 'unknown', basis: '' };
    }
    throw new Error('not refused');
  };

  it('demand → statement → review → enforcement decision: refused before the 催告 deadline and with an unreviewed statement; night and rest-day execution refused, an emergency one accepted; documents stored', async () => {
    const caseNumber = `ENF-DEMAND-${bed.taskQueue}`;
    const { handle } = await start(caseNumber, { kind: 'fine', amountFen: 300_000 });
    expect(await refusal(handle.executeUpdate(enforcementUpdates.demand, { args: [{ by }] }))).toMatchObject({ rule: 'enforcement.demand.not_due' });
    await pastPerformanceDeadline(handle);
    const issued = await handle.executeUpdate(enforcementUpdates.demand, { args: [{ by }] });
    expect(issued.stage).toBe('demand_issued');
    expect(issued.documents).toHaveLength(1);
    const servedAt = await nowIso();
    const served = await handle.executeUpdate(enforcementUpdates.demandService, { args: [{ by, method: 'direct', servedAt, ...(await receiptFor(caseNumber, '张三')) }] });
    expect(served.demands[0]!.lastDay).toBe(officialCalendar().addWorkingDays(shanghaiDateOf(servedAt), 10).date);
    const execAt = (ms: number) => `${shanghaiDateOf(new Date(ms + 30 * DAY))}T10:00:00+08:00`;
    const decide = (extra: object = {}) => handle.executeUpdate(enforcementUpdates.enforcementDecision, { args: [{ by, method: 'transfer_deposits', executeAt: execAt(Date.parse(servedAt)), ...extra }] });
    expect(await refusal(decide())).toMatchObject({ rule: 'enforcement.decision.before_demand_deadline', basis: expect.stringContaining('第三十七条') });
    await handle.executeUpdate(enforcementUpdates.statement, { args: [{ by, text: '经营困难，请求分期' }] });
    await sleepUntil(`${addDays(served.demands[0]!.lastDay!, 1)}T10:00:00+08:00`); // past the 催告's 10 working days (a fixed 20 days is too short across a long holiday)
    expect(await refusal(decide())).toMatchObject({ rule: 'enforcement.decision.statement_unreviewed', basis: expect.stringContaining('第三十六条') });
    await handle.executeUpdate(enforcementUpdates.statementReview, { args: [{ by, n: 1, adopted: 'none', reasons: '未提供证据' }] });
    const t = await env.currentTimeMs();
    expect(await refusal(decide({ executeAt: `${shanghaiDateOf(new Date(t + 3 * DAY))}T23:30:00+08:00` }))).toMatchObject({ rule: 'enforcement.execution.night', basis: expect.stringContaining('第四十三条') });
    expect(await refusal(decide({ executeAt: nextRestDayAt(t, 10) }))).toMatchObject({ rule: 'enforcement.execution.holiday', basis: expect.stringContaining('第四十三条') });
    const decided = await decide({ executeAt: nextRestDayAt(t, 10), emergency: { reason: '当事人正在转移存款' } });
    expect(decided.stage).toBe('enforcement_decided');
    expect(decided.documents.map((d) => d.kind)).toEqual(['demand', 'demand_service_receipt', 'enforcement_decision']);
    const { rows } = await bed.db.pool.query('SELECT kind, convert_from(content, $2) AS text FROM case_documents WHERE id = ANY($1) ORDER BY created_at', [decided.documents.map((d) => d.documentId), 'UTF8']);
    const text = (kind: string) => rows.find((r) => r.kind === kind)!.text as string;
    expect(text('demand')).toContain('张三');
    expect(text('demand')).toContain('陈述和申辩');
    expect(text('demand_service_receipt')).toContain('张三');
    expect(text('enforcement_decision')).toContain('强制执行决定书');
    // The 催告 was served with a 送达回证 naming 张三: neither it nor the party's data is in the history.
    const history = await decodedHistory(handle);
    expect(history).toContain('demand_service_receipt');
    expect(history).not.toContain('张三');
    expect(history).not.toContain('210502199001011234');
  });

  it('suspended for 3 years with no resumption → enforcement ended (第三十九条); the clock stops while suspended', async () => {
    const caseNumber = `ENF-SUSP-${bed.taskQueue}`;
    const { handle, workflowId } = await start(caseNumber, { kind: 'fine', amountFen: 80_000 });
    const suspended = await handle.executeUpdate(enforcementUpdates.suspension, { args: [{ by: 'head-0001', ground: 'hardship_no_ability' }] });
    expect(suspended.stage).toBe('suspended');
    await env.sleep(3 * 366 * DAY + 10 * DAY);
    const result = await eventually(async () => {
      const d = await env.client.workflow.getHandle(workflowId).describe();
      return d.status.name === 'COMPLETED' && d;
    }, 'ended', 30_000);
    expect(result.status.name).toBe('COMPLETED');
    // Three years in runs of at most 180 days: it continued as new (the clock-less suspension carried over).
    expect(result.runId).not.toBe(handle.firstExecutionRunId);
    expect(await row(caseNumber)).toMatchObject({ stage: 'ended' });
    // Suspended from the first day: no reminder nor escalation was ever sent.
    expect((await notificationsOf(bed.db.pool, workflowId)).filter((x) => x.kind === 'escalation')).toHaveLength(0);
    await exportHistoryIfRecording(env.client.workflow.getHandle(workflowId), 'enforcement', 'suspended-three-years-ended');
  });
  it('court path: window from the 催告 and the remedy periods; refused one day early and one day late; red when latestFiling passes unfiled; filed within → court_applied → ruling', async () => {
    const caseNumber = `ENF-COURT-${bed.taskQueue}`;
    const { handle, input, workflowId } = await start(caseNumber, { kind: 'fine', amountFen: 120_000 }, 'court');
    await pastPerformanceDeadline(handle);
    await handle.executeUpdate(enforcementUpdates.demand, { args: [{ by }] });
    const demandServedAt = await nowIso();
    const served = await handle.executeUpdate(enforcementUpdates.demandService, { args: [{ by, method: 'direct', servedAt: demandServedAt, ...(await receiptFor(caseNumber, '张三')) }] });
    const w = served.court!;
    expect(w).toMatchObject(courtWindow(officialCalendar(), input.servedAt, demandServedAt));
    expect(await refusal(handle.executeUpdate(enforcementUpdates.enforcementDecision, { args: [{ by, method: 'surcharge', executeAt: '2030-01-07T10:00:00+08:00' }] }))).toMatchObject({ rule: 'enforcement.decision.court_only' });
    const file = (day: string) => handle.executeUpdate(enforcementUpdates.courtApplication, { args: [{ by, filedAt: `${day}T10:00:00+08:00`, court: '本溪市平山区人民法院', documents: ['强制执行申请书', '催告书及送达回证'] }] });
    // The day after latestFiling: the clock is red (escalated once), a filing dated that day is refused, one dated the day before earliestFiling too.
    await env.sleep(Date.parse(`${addDays(w.latestFiling, 1)}T12:00:00+08:00`) - (await env.currentTimeMs()));
    const red = await eventually(async () => {
      const st = await handle.query(enforcementStateQuery);
      return st.overdue && st;
    }, 'red after latestFiling', 15_000);
    expect(red.clock).toMatchObject({ kind: 'court_filing', lastDay: w.latestFiling, level: 'red' });
    expect((await notificationsOf(bed.db.pool, workflowId)).filter((x) => x.kind === 'escalation' && x.subject.includes('申请人民法院'))).toHaveLength(2);
    expect(await refusal(file(addDays(w.latestFiling, 1)))).toMatchObject({ rule: 'enforcement.court.too_late', basis: expect.stringContaining('第五十三条') });
    expect(await refusal(file(addDays(w.earliestFiling, -1)))).toMatchObject({ rule: 'enforcement.court.too_early', basis: expect.stringContaining('第五十四条') });
    const applied = await file(w.latestFiling);
    expect(applied.stage).toBe('court_applied');
    const ruled = await handle.executeUpdate(enforcementUpdates.courtRuling, { args: [{ by, ruledAt: await nowIso(), outcome: 'enforce' }] });
    expect(ruled.stage).toBe('court_ruled');
    await handle.result();
    await exportHistoryIfRecording(handle, 'enforcement', 'court-window-red-filed-ruled');
  });

  const notices = async (workflowId: string) =>
    (await bed.db.pool.query<{ unit_code: string; recipient_person: string | null; recipient_role: string | null; kind: string; subject: string; body: string }>(`SELECT unit_code, recipient_person, recipient_role, kind, subject, body FROM notifications WHERE starts_with(idempotency_key, $1) ORDER BY created_at, idempotency_key`, [`${workflowId}:`])).rows;

  it('substitute performance (第五十一条): refused without the further 催告, and until 3 working days after it was served; then executed', async () => {
    const caseNumber = `ENF-SUBST-${bed.taskQueue}`;
    const t0 = await env.currentTimeMs();
    const dueDate = addDays(shanghaiDateOf(new Date(t0)), 5);
    const { handle } = await start(caseNumber, { kind: 'other', description: '拆除违法搭建的医保结算窗口', dueDate });
    await sleepUntil(`${addDays(dueDate, 1)}T10:00:00+08:00`);
    await handle.executeUpdate(enforcementUpdates.demand, { args: [{ by }] });
    const served = await handle.executeUpdate(enforcementUpdates.demandService, { args: [{ by, method: 'direct', servedAt: await nowIso(), ...(await receiptFor(caseNumber, '张三')) }] });
    await sleepUntil(`${addDays(served.demands[0]!.lastDay!, 1)}T10:00:00+08:00`);
    const executeAt = nextWorkdayAt(await env.currentTimeMs(), 10);
    const decided = await handle.executeUpdate(enforcementUpdates.enforcementDecision, { args: [{ by: 'head-0001', method: 'substitute_performance', executeAt }] });
    expect(decided.stage).toBe('enforcement_decided');
    const exec = async () => handle.executeUpdate(enforcementUpdates.execution, { args: [{ by, executedAt: await nowIso(), result: '已代履行拆除', avRecordId: 'av-subst-1' }] });
    expect(await refusal(exec())).toMatchObject({ rule: 'enforcement.substitute.no_further_demand', basis: expect.stringContaining('第五十一条') });
    // The further 催告 (代履行催告书), served on a working day at 10:00.
    await sleepUntil(nextWorkdayAt(await env.currentTimeMs(), 1));
    const further = await handle.executeUpdate(enforcementUpdates.demand, { args: [{ by, purpose: 'substitute_performance' }] });
    expect(further.documents.map((d) => d.kind)).toEqual(['demand', 'demand_service_receipt', 'enforcement_decision', 'substitute_demand']);
    const servedAt = await nowIso();
    const s2 = await handle.executeUpdate(enforcementUpdates.demandService, { args: [{ by, method: 'direct', servedAt, ...(await receiptFor(caseNumber, '张三')) }] });
    expect(s2.stage).toBe('enforcement_decided');
    const mayStart = substituteMayStart(officialCalendar(), servedAt);
    expect(mayStart).toBe(addDays(officialCalendar().addWorkingDays(shanghaiDateOf(servedAt), 3).date, 1));
    // The day before: refused (the third working day has not run out); from the first day after: executed.
    await sleepUntil(`${addDays(mayStart, -1)}T10:00:00+08:00`);
    expect(await refusal(exec())).toMatchObject({ rule: 'enforcement.substitute.no_further_demand', basis: expect.stringContaining('第五十一条') });
    await sleepUntil(`${mayStart}T10:00:00+08:00`);
    const done = await exec();
    expect(done.stage).toBe('executed');
    expect(await handle.result()).toMatchObject({ stage: 'executed' });
    expect(await recordActions(bed.db.pool, UNIT, caseNumber)).toEqual(expect.arrayContaining(['enforcement.substitute_demand_issued', 'enforcement.demand_served', 'enforcement.executed']));
    const { rows } = await bed.db.pool.query(`SELECT convert_from(content, 'UTF8') AS text FROM case_documents WHERE id = $1`, [further.documents[3]!.documentId]);
    expect(rows[0].text).toContain('代履行催告书');
    expect(rows[0].text).toContain('第五十一条');
    await exportHistoryIfRecording(handle, 'enforcement', 'substitute-performance-executed');
  });

  it('agreement (第四十二条): stages tracked one by one, surcharge reduction for remedial measures; the second stage missed → red, escalated; broken → enforcement resumes without the reduction → decided → executed', async () => {
    const caseNumber = `ENF-AGREE-${bed.taskQueue}`;
    const { handle, workflowId } = await start(caseNumber, { kind: 'fine', amountFen: 100_000 });
    await pastPerformanceDeadline(handle);
    await handle.executeUpdate(enforcementUpdates.demand, { args: [{ by }] });
    const served = await handle.executeUpdate(enforcementUpdates.demandService, { args: [{ by, method: 'direct', servedAt: await nowIso(), ...(await receiptFor(caseNumber, '张三')) }] });
    await sleepUntil(`${addDays(served.demands[0]!.lastDay!, 1)}T10:00:00+08:00`);
    const today = shanghaiDateOf(new Date(await env.currentTimeMs()));
    const stages = [
      { dueDate: addDays(today, 10), amountFen: 60_000 },
      { dueDate: addDays(today, 30), amountFen: 40_000 },
    ];
    expect(await refusal(handle.executeUpdate(enforcementUpdates.agreement, { args: [{ by, stages, surchargeReductionFen: 10_000 }] }))).toMatchObject({ rule: 'enforcement.agreement.reduction_without_remedy', basis: expect.stringContaining('第四十二条') });
    const agreed = await handle.executeUpdate(enforcementUpdates.agreement, { args: [{ by, stages, surchargeReductionFen: 10_000, remedialMeasures: '已退回违规结算的医保基金' }] });
    expect(agreed.stage).toBe('in_agreement');
    expect(accountOf(agreed, today).surchargeReductionFen).toBe(10_000);
    const first = await eventually(async () => {
      const st = await handle.query(enforcementStateQuery);
      return st.clock?.kind === 'agreement' && st;
    }, 'the agreement clock', 10_000);
    expect(first.clock).toMatchObject({ lastDay: stages[0]!.dueDate });
    await env.sleep(5 * DAY);
    await handle.executeUpdate(enforcementUpdates.payment, { args: [{ by, amountFen: 60_000, paidAt: await nowIso(), receipt: 'A-1' }] });
    const second = await eventually(async () => {
      const st = await handle.query(enforcementStateQuery);
      return st.clock?.lastDay === stages[1]!.dueDate && st;
    }, 'the second stage’s clock', 10_000);
    expect(second.stage).toBe('in_agreement');
    // The second stage passes unpaid: red and one escalation (the head's unit inbox and the supervising unit).
    await sleepUntil(`${addDays(stages[1]!.dueDate, 2)}T10:00:00+08:00`);
    const red = await eventually(async () => {
      const st = await handle.query(enforcementStateQuery);
      return st.overdue && st;
    }, 'red after the second stage', 15_000);
    expect(red.clock).toMatchObject({ kind: 'agreement', level: 'red', lastDay: stages[1]!.dueDate });
    const esc = (await notices(workflowId)).filter((x) => x.kind === 'escalation' && x.subject.includes('执行协议第 2 期'));
    expect(esc.map((x) => x.unit_code).sort()).toEqual(['benxi.sfj', UNIT].sort());
    expect(esc.find((x) => x.unit_code === UNIT)).toMatchObject({ recipient_role: 'head', subject: expect.stringContaining('负责人') });
    expect(esc.find((x) => x.unit_code === 'benxi.sfj')).toMatchObject({ recipient_role: null, recipient_person: null });
    const broken = await handle.executeUpdate(enforcementUpdates.agreementBroken, { args: [{ by, reason: '第二期未按期缴纳' }] });
    expect(broken).toMatchObject({ stage: 'demand_served', agreement: { surchargeReductionFen: 0, broken: { reason: '第二期未按期缴纳' } } });
    // Enforcement resumes: the decision the agreement had held off is now made.
    const decided = await handle.executeUpdate(enforcementUpdates.enforcementDecision, { args: [{ by: 'head-0001', method: 'transfer_deposits', executeAt: nextWorkdayAt(await env.currentTimeMs(), 3) }] });
    expect(decided.stage).toBe('enforcement_decided');
    await sleepUntil(decided.decision!.executeAt);
    const executed = await handle.executeUpdate(enforcementUpdates.execution, { args: [{ by, executedAt: await nowIso(), result: '已划拨存款' }] });
    expect(executed.stage).toBe('executed');
    expect(await recordActions(bed.db.pool, UNIT, caseNumber)).toEqual(expect.arrayContaining(['enforcement.agreement', 'enforcement.agreement_broken', 'enforcement.decided', 'enforcement.executed']));
    await handle.result();
    await exportHistoryIfRecording(handle, 'enforcement', 'agreement-broken-resumed-executed');
  });

  it('deferral in instalments (第六十六条, the head’s approval): each instalment against its own due date; reminders to the handler by name; the late one alone surcharged; paid → performed', async () => {
    const caseNumber = `ENF-INST-${bed.taskQueue}`;
    const { handle, workflowId } = await start(caseNumber, { kind: 'fine', amountFen: 100_000 });
    const today = shanghaiDateOf(new Date(await env.currentTimeMs()));
    const instalments = [
      { dueDate: addDays(today, 20), amountFen: 50_000 },
      { dueDate: addDays(today, 50), amountFen: 50_000 },
    ];
    const deferred = await handle.executeUpdate(enforcementUpdates.deferral, { args: [{ by: 'head-0001', approvedBy: 'head-0001', application: '经营困难，申请分两期缴纳', instalments }] });
    expect(deferred).toMatchObject({ performanceLastDay: instalments[1]!.dueDate, deferral: { approvedBy: 'head-0001', instalments } });
    const c1 = await eventually(async () => {
      const st = await handle.query(enforcementStateQuery);
      return st.clock?.lastDay === instalments[0]!.dueDate && st;
    }, 'the first instalment’s clock', 10_000);
    expect(c1.clock!.kind).toBe('performance');
    await sleepUntil(`${addDays(instalments[0]!.dueDate, -1)}T10:00:00+08:00`);
    await handle.executeUpdate(enforcementUpdates.payment, { args: [{ by, amountFen: 50_000, paidAt: await nowIso(), receipt: 'I-1' }] });
    await eventually(async () => (await handle.query(enforcementStateQuery)).clock?.lastDay === instalments[1]!.dueDate, 'the second instalment’s clock', 10_000);
    await sleepUntil(`${addDays(instalments[1]!.dueDate, 3)}T10:00:00+08:00`);
    const late = await eventually(async () => {
      const st = await handle.query(enforcementStateQuery);
      return st.overdue && st;
    }, 'the second instalment overdue', 15_000);
    const asOf = shanghaiDateOf(new Date(await env.currentTimeMs()));
    const acc = accountOf(late, asOf);
    const days = daysBetween(instalments[1]!.dueDate, asOf);
    expect(acc).toMatchObject({ surchargeFen: (50_000 * 3 * days) / 100, amountDueFen: 50_000 + (50_000 * 3 * days) / 100, instalments: [{ surchargeFen: 0 }, { daysLate: days }] });
    expect(acc).toEqual(scheduleStatus(100_000, instalments, late.payments, asOf));
    const all = await notices(workflowId);
    const reminders = all.filter((x) => x.kind === 'reminder');
    expect(reminders.length).toBeGreaterThanOrEqual(2);
    for (const r of reminders) expect(r).toMatchObject({ unit_code: UNIT, recipient_person: by });
    expect(reminders.some((r) => r.subject.includes(instalments[0]!.dueDate) || r.body.includes(instalments[0]!.dueDate))).toBe(true);
    const esc = all.filter((x) => x.kind === 'escalation');
    expect(esc.map((x) => x.unit_code).sort()).toEqual(['benxi.sfj', UNIT].sort());
    expect(esc[0]!.subject).toContain('分期缴纳期限');
    expect(esc.find((x) => x.unit_code === UNIT)).toMatchObject({ recipient_role: 'head' });
    const done = await handle.executeUpdate(enforcementUpdates.payment, { args: [{ by, amountFen: acc.amountDueFen, paidAt: await nowIso(), receipt: 'I-2' }] });
    expect(done.stage).toBe('performed');
    await handle.result();
    await exportHistoryIfRecording(handle, 'enforcement', 'instalments-second-late-performed');
  });

  it('a correction order is checked at its due date: the handler reminded by name; a check before it refused; not corrected → the 催告 may follow; corrected later → performed', async () => {
    const caseNumber = `ENF-CORR-${bed.taskQueue}`;
    const dueDate = addDays(shanghaiDateOf(new Date(await env.currentTimeMs())), 10);
    const { handle, workflowId } = await start(caseNumber, { kind: 'correction', description: '整改医保结算系统的违规收费项目', dueDate });
    const check = async (corrected: boolean) => handle.executeUpdate(enforcementUpdates.correctionCheck, { args: [{ by, checkedAt: await nowIso(), corrected, note: corrected ? '复查已改正' : '复查未改正' }] });
    await sleepUntil(`${addDays(dueDate, -1)}T10:00:00+08:00`);
    expect(await refusal(check(false))).toMatchObject({ rule: 'enforcement.correction.before_due', basis: expect.stringContaining('第二十八条') });
    await sleepUntil(`${dueDate}T10:00:00+08:00`);
    const reminded = await eventually(async () => {
      const r = (await notices(workflowId)).filter((x) => x.kind === 'reminder' && x.body.includes('correction-check'));
      return r.length > 0 && r;
    }, 'the handler reminded to check', 15_000);
    for (const r of reminded) expect(r).toMatchObject({ unit_code: UNIT, recipient_person: by });
    const checked = await check(false);
    expect(checked).toMatchObject({ stage: 'awaiting_performance', correctionCheck: { corrected: false } });
    await eventually(async () => (await handle.query(enforcementStateQuery)).clock === undefined, 'the check clock stops once checked', 10_000);
    await env.sleep(DAY);
    expect((await handle.executeUpdate(enforcementUpdates.demand, { args: [{ by }] })).stage).toBe('demand_issued');
    await env.sleep(2 * DAY);
    const done = await check(true);
    expect(done.stage).toBe('performed');
    await handle.result();
    // The check was on time: nothing escalated.
    expect((await notices(workflowId)).filter((x) => x.kind === 'escalation')).toHaveLength(0);
    await exportHistoryIfRecording(handle, 'enforcement', 'correction-checked-then-corrected');
  });

  it('suspension → resumption → termination on decision_revoked: the ground recorded and returned (the hook for taking the disclosure down)', async () => {
    const caseNumber = `ENF-REVOKED-${bed.taskQueue}`;
    const { handle } = await start(caseNumber, { kind: 'fine', amountFen: 70_000 });
    await handle.executeUpdate(enforcementUpdates.suspension, { args: [{ by: 'head-0001', ground: 'third_party_claim' }] });
    await env.sleep(40 * DAY);
    const resumed = await handle.executeUpdate(enforcementUpdates.resumption, { args: [{ by: 'head-0001', note: '案外人异议已处理' }] });
    expect(resumed).toMatchObject({ stage: 'awaiting_performance', suspensions: [{ ground: 'third_party_claim' }] });
    const ended = await handle.executeUpdate(enforcementUpdates.termination, { args: [{ by: 'head-0001', ground: 'decision_revoked', note: '行政复议决定撤销原处罚决定' }] });
    expect(ended).toMatchObject({ stage: 'terminated', termination: { ground: 'decision_revoked' } });
    expect(await handle.result()).toEqual({ enforcementId: expect.any(String), stage: 'terminated', terminationGround: 'decision_revoked' });
    expect((await row(caseNumber)).view.termination).toMatchObject({ ground: 'decision_revoked' });
    const { rows } = await bed.db.pool.query(`SELECT payload FROM case_record WHERE unit_code = $1 AND case_number = $2 AND action = 'enforcement.terminated'`, [UNIT, caseNumber]);
    expect(rows[0].payload).toMatchObject({ ground: 'decision_revoked', decisionNumber: `D-${caseNumber}` });
    await exportHistoryIfRecording(handle, 'enforcement', 'suspended-resumed-terminated-revoked');
  });
});
