import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { addDays, shanghaiDateOf } from '../../domain/dates';
import { accountOf } from '../../domain/enforcement/money';
import type { EnforcementInput, Obligation } from '../../domain/enforcement/types';
import { courtWindow, fineLastDay } from '../../domain/enforcement/window';
import { officialCalendar } from '../../domain/official-calendar';
import { caseFileStateQuery, caseFileWorkflow, caseFileWorkflowId } from '../../workflows/case-file';
import { enforcementStateQuery, enforcementUpdates, enforcementWorkflow, enforcementWorkflowId } from '../../workflows/enforcement';
import { initialSearchAttributes } from '../../workflows/search-attributes';
import { startTimeSkippingWorker } from '../helpers/temporal';
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
    const history = JSON.stringify(await handle.fetchHistory());
    expect(history).not.toContain('张三');
    expect(history).not.toContain('210502199001011234');
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
  });
  const nowIso = async () => new Date(await env.currentTimeMs()).toISOString();
  /** The next Saturday (a rest day) after `fromMs`, at the given Shanghai hour. */
  const nextSaturdayAt = (fromMs: number, hour: number) => {
    let d = shanghaiDateOf(new Date(fromMs + 2 * DAY));
    while (new Date(`${d}T12:00:00+08:00`).getUTCDay() !== 6) d = addDays(d, 1);
    return `${d}T${String(hour).padStart(2, '0')}:00:00+08:00`;
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
    await env.sleep(17 * DAY);
    const issued = await handle.executeUpdate(enforcementUpdates.demand, { args: [{ by }] });
    expect(issued.stage).toBe('demand_issued');
    expect(issued.documents).toHaveLength(1);
    const servedAt = await nowIso();
    const served = await handle.executeUpdate(enforcementUpdates.demandService, { args: [{ by, method: 'direct', servedAt, proof: { signedBy: '张三' } }] });
    expect(served.demands[0]!.lastDay).toBe(officialCalendar().addWorkingDays(shanghaiDateOf(servedAt), 10).date);
    const execAt = (ms: number) => `${shanghaiDateOf(new Date(ms + 30 * DAY))}T10:00:00+08:00`;
    const decide = (extra: object = {}) => handle.executeUpdate(enforcementUpdates.enforcementDecision, { args: [{ by, method: 'transfer_deposits', executeAt: execAt(Date.parse(servedAt)), ...extra }] });
    expect(await refusal(decide())).toMatchObject({ rule: 'enforcement.decision.before_demand_deadline', basis: expect.stringContaining('第三十七条') });
    await handle.executeUpdate(enforcementUpdates.statement, { args: [{ by, text: '经营困难，请求分期' }] });
    await env.sleep(20 * DAY);
    expect(await refusal(decide())).toMatchObject({ rule: 'enforcement.decision.statement_unreviewed', basis: expect.stringContaining('第三十六条') });
    await handle.executeUpdate(enforcementUpdates.statementReview, { args: [{ by, n: 1, adopted: 'none', reasons: '未提供证据' }] });
    const t = await env.currentTimeMs();
    expect(await refusal(decide({ executeAt: `${shanghaiDateOf(new Date(t + 3 * DAY))}T23:30:00+08:00` }))).toMatchObject({ rule: 'enforcement.execution.night', basis: expect.stringContaining('第四十三条') });
    expect(await refusal(decide({ executeAt: nextSaturdayAt(t, 10) }))).toMatchObject({ rule: 'enforcement.execution.holiday', basis: expect.stringContaining('第四十三条') });
    const decided = await decide({ executeAt: nextSaturdayAt(t, 10), emergency: { reason: '当事人正在转移存款' } });
    expect(decided.stage).toBe('enforcement_decided');
    expect(decided.documents.map((d) => d.kind)).toEqual(['demand', 'enforcement_decision']);
    const { rows } = await bed.db.pool.query('SELECT kind, convert_from(content, $2) AS text FROM case_documents WHERE id = ANY($1) ORDER BY created_at', [decided.documents.map((d) => d.documentId), 'UTF8']);
    expect(rows[0].text).toContain('张三');
    expect(rows[0].text).toContain('陈述和申辩');
    expect(rows[1].text).toContain('强制执行决定书');
    expect(JSON.stringify(await handle.fetchHistory())).not.toContain('张三');
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
    expect(await row(caseNumber)).toMatchObject({ stage: 'ended' });
    // Suspended from the first day: no reminder nor escalation was ever sent.
    expect((await notificationsOf(bed.db.pool, workflowId)).filter((x) => x.kind === 'escalation')).toHaveLength(0);
  });
  it('court path: window from the 催告 and the remedy periods; refused one day early and one day late; red when latestFiling passes unfiled; filed within → court_applied → ruling', async () => {
    const caseNumber = `ENF-COURT-${bed.taskQueue}`;
    const { handle, input, workflowId } = await start(caseNumber, { kind: 'fine', amountFen: 120_000 }, 'court');
    await env.sleep(17 * DAY);
    await handle.executeUpdate(enforcementUpdates.demand, { args: [{ by }] });
    const demandServedAt = await nowIso();
    const served = await handle.executeUpdate(enforcementUpdates.demandService, { args: [{ by, method: 'direct', servedAt: demandServedAt, proof: { signedBy: '张三' } }] });
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
  });
});
