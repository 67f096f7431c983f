import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { shanghaiDateOf } from '../../domain/dates';
import { disclosureRule } from '../../domain/disclosure/rules';
import type { DisclosureInput } from '../../domain/disclosure/types';
import { officialCalendar } from '../../domain/official-calendar';
import { computeDeadline } from '../../domain/periods';
import { correctionDecisionUpdate, correctionStateQuery, correctionWorkflowId, disclosureCorrectionWorkflow, disclosureStateQuery, disclosureUpdates, disclosureWorkflow, disclosureWorkflowId } from '../../workflows/disclosure';
import { initialSearchAttributes } from '../../workflows/search-attributes';
import { startTimeSkippingWorker } from '../helpers/temporal';
import { exportHistoryIfRecording } from '../replay/export-history';
import { eventually, notificationsOf, recordActions } from '../records/helpers';

const DAY = 24 * 3_600_000;
const recorder = 'handler-0001';
const publisher = 'publisher-0001';

describe('disclosure (time-skipping): deadline, escalation, both automatic takedowns', () => {
  let bed: Awaited<ReturnType<typeof startTimeSkippingWorker>>;
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    bed = await startTimeSkippingWorker({ prefix: 'dis' });
    env = bed.env;
  });
  afterAll(async () => {
    await bed?.stop();
  });

  /** The rows the API would have written: the decision (party in Postgres only) and the item. */
  const start = async (unit: string, caseNumber: string, kind: DisclosureInput['kind'], party: object) => {
    const now = new Date(await env.currentTimeMs()).toISOString();
    const { rows: d } = await bed.db.pool.query(
      `INSERT INTO decisions (unit_code, case_number, decision_number, decided_at, recorded_by, basis, basis_detail, kind, party, obligation)
       VALUES ($1, $2, $3, $4, $5, 'review_not_required', 'test', $6, $7, $8) RETURNING id`,
      [unit, caseNumber, `D-${caseNumber}`, now, recorder, kind, JSON.stringify(party), JSON.stringify({ kind: 'fine', amountFen: 500_000 })],
    );
    const { rows: u } = await bed.db.pool.query('SELECT jurisdiction FROM units WHERE code = $1', [unit]);
    const workflowId = disclosureWorkflowId(unit, caseNumber, 1);
    const { rows: x } = await bed.db.pool.query(
      `INSERT INTO disclosures (workflow_id, unit_code, jurisdiction, case_number, n, decision_number, decision_id, source, kind, party_kind, decided_at, recorded_by)
       VALUES ($1, $2, $3, $4, 1, $5, $6, 'decision', $7, $8, $9, $10) RETURNING id`,
      [workflowId, unit, u[0].jurisdiction, caseNumber, `D-${caseNumber}`, d[0].id, kind, (party as { kind: string }).kind, now, recorder],
    );
    const input: DisclosureInput = {
      disclosureId: x[0].id,
      unit,
      jurisdiction: u[0].jurisdiction,
      caseNumber,
      n: 1,
      source: 'decision',
      kind,
      decisionId: d[0].id,
      decisionNumber: `D-${caseNumber}`,
      from: now,
      recordedBy: recorder,
      partyKind: (party as { kind: 'person' | 'organisation' }).kind,
    };
    const handle = await env.client.workflow.start(disclosureWorkflow, { taskQueue: bed.taskQueue, workflowId, args: [input], typedSearchAttributes: [...initialSearchAttributes('disclosure', unit, caseNumber, 'pending_check')] as never });
    await eventually(async () => (await handle.query(disclosureStateQuery)).clock, 'the publication deadline', 10_000);
    return { handle, workflowId, from: now, id: x[0].id as string };
  };
  const row = async (id: string) => (await bed.db.pool.query('SELECT * FROM disclosures WHERE id = $1', [id])).rows[0];

  it('本溪 natural person: 7 working days; unpublished past the deadline → red, escalated ONCE (应当公示而未公示) to the unit and 司法局; the recorder cannot check; published late; taken down automatically 2 years after publication (not extended)', async () => {
    const unit = 'benxi.ybj';
    const caseNumber = `DIS-P-${bed.taskQueue}`;
    const { handle, workflowId, from, id } = await start(unit, caseNumber, 'penalty', { kind: 'person', name: '张三丰', idNumber: '210502199001011234', phone: '13800000000', address: '本溪市平山区人民路12号' });
    const st = await handle.query(disclosureStateQuery);
    const expected = computeDeadline(officialCalendar(), shanghaiDateOf(from), disclosureRule('benxi', 'decision', 'penalty').period);
    expect(st.clock).toMatchObject({ lastDay: expected.lastDay, level: 'none' });
    expect(st.status).toBe('pending_check');

    await env.sleep(20 * DAY);
    const late = await eventually(async () => {
      const s = await handle.query(disclosureStateQuery);
      return s.overdue && s;
    }, 'overdue', 15_000);
    expect(late).toMatchObject({ escalations: 1, status: 'pending_check', clock: { level: 'red' } });
    expect((await handle.describe()).searchAttributes).toMatchObject({ ProcessKind: ['disclosure'], Overdue: [true], WarningLevel: ['red'], Status: ['pending_check'] });
    expect(await row(id)).toMatchObject({ overdue: true, warning_level: 'red', status: 'pending_check' });
    await env.sleep(10 * DAY);
    const notes = await notificationsOf(bed.db.pool, workflowId);
    const escalations = notes.filter((n) => n.kind === 'escalation');
    expect(escalations.map((n) => n.unit_code).sort()).toEqual(['benxi.sfj', unit].sort());
    expect(notes.filter((n) => n.kind === 'reminder').length).toBeGreaterThanOrEqual(1);
    expect((await handle.query(disclosureStateQuery)).escalations).toBe(1);

    // The person who recorded the decision cannot check it (第三十一条).
    await expect(handle.executeUpdate(disclosureUpdates.check, { args: [{ by: recorder, approve: true, note: '' }] })).rejects.toMatchObject({ cause: { type: 'disclosure.check.same_person' } });
    const published = await handle.executeUpdate(disclosureUpdates.check, { args: [{ by: publisher, approve: true, note: '审核通过' }] });
    expect(published).toMatchObject({ status: 'published', publishedLate: true, overdue: false });
    const publishedDay = shanghaiDateOf(published.publishedAt!);
    const twoYears = `${Number(publishedDay.slice(0, 4)) + 2}${publishedDay.slice(4)}`;
    expect(published.takedownAt).toBe(`${twoYears}T23:59:59+08:00`);
    const r = await eventually(async () => {
      const x = await row(id);
      return x.status === 'published' && x;
    }, 'the projection', 10_000);
    expect(r.takedown_at.toISOString()).toBe(new Date(`${twoYears}T23:59:59+08:00`).toISOString());
    expect(r.public_view).toMatchObject({ party: '张**', partyKind: 'person', actionKind: '行政处罚', result: '罚款人民币 5000 元' });
    expect(JSON.stringify(r.public_view)).not.toMatch(/三丰|210502199001011234|13800000000|人民路/);
    // Red goes with publication.
    expect((await handle.describe()).searchAttributes).toMatchObject({ Status: ['published'], Overdue: [false] });

    // A day before the takedown it is still published; after it, taken down by the timer.
    await env.sleep(Date.parse(published.takedownAt!) - (await env.currentTimeMs()) - DAY);
    expect((await handle.query(disclosureStateQuery)).status).toBe('published');
    await env.sleep(2 * DAY);
    expect(await handle.result()).toEqual({ disclosureId: id, status: 'taken_down' });
    const done = await row(id);
    expect(done).toMatchObject({ status: 'taken_down', takedown_reason: 'period_expired' });
    expect(done.taken_down_at.getTime()).toBeGreaterThan(Date.parse(published.takedownAt!));
    expect(done.public_view).toBeTruthy(); // the item stays in the record
    expect(await recordActions(bed.db.pool, unit, caseNumber)).toEqual(expect.arrayContaining(['disclosure.created', 'disclosure.overdue', 'disclosure.published', 'disclosure.taken_down']));
    const history = JSON.stringify(await handle.fetchHistory());
    for (const secret of ['张三丰', '210502199001011234', '13800000000', '人民路']) expect(history).not.toContain(secret);
    await exportHistoryIfRecording(handle, 'disclosure', 'person-published-continued-run-taken-down-2y');
    const firstRun = env.client.workflow.getHandle(workflowId, handle.firstExecutionRunId);
    expect(JSON.stringify(await firstRun.fetchHistory())).not.toContain('210502199001011234');
    await exportHistoryIfRecording(firstRun, 'disclosure', 'person-overdue-escalated-published-late-first-run');
  });

  it('锦州 organisation, other decision: 20 working days; published on time; taken down automatically 5 years after publication; a returned item goes back to the check', async () => {
    const unit = 'jinzhou.scjgj';
    const caseNumber = `DIS-O-${bed.taskQueue}`;
    const { handle, from, id } = await start(unit, caseNumber, 'compulsion', { kind: 'organisation', name: '锦州市某大药房有限公司' });
    const st = await handle.query(disclosureStateQuery);
    expect(st.rule.period).toBe('20wd');
    expect(st.clock!.lastDay).toBe(computeDeadline(officialCalendar(), shanghaiDateOf(from), '20wd').lastDay);

    const returned = await handle.executeUpdate(disclosureUpdates.check, { args: [{ by: publisher, approve: false, note: '内容不完整' }] });
    expect(returned).toMatchObject({ status: 'returned', returnedReason: '内容不完整' });
    await expect(handle.executeUpdate(disclosureUpdates.check, { args: [{ by: publisher, approve: true, note: '' }] })).rejects.toMatchObject({ cause: { type: 'disclosure.check.not_pending' } });
    await handle.executeUpdate(disclosureUpdates.resubmit, { args: [{ by: recorder, note: '已补充', corrections: { content: '未按规定采取强制措施（补充）' } }] });
    await env.sleep(3 * DAY);
    const published = await handle.executeUpdate(disclosureUpdates.check, { args: [{ by: publisher, approve: true, note: '' }] });
    expect(published).toMatchObject({ status: 'published', publishedLate: false });
    const publishedDay = shanghaiDateOf(published.publishedAt!);
    const fiveYears = `${Number(publishedDay.slice(0, 4)) + 5}${publishedDay.slice(4)}`;
    expect(published.takedownAt).toBe(`${fiveYears}T23:59:59+08:00`);
    const r = await eventually(async () => {
      const x = await row(id);
      return x.status === 'published' && x;
    }, 'the projection', 10_000);
    expect(r.public_view).toMatchObject({ party: '锦州市某大药房有限公司', partyKind: 'organisation', content: '未按规定采取强制措施（补充）', unitName: '锦州市市场监督管理局' });

    await env.sleep(Date.parse(published.takedownAt!) - (await env.currentTimeMs()) - DAY);
    expect((await handle.query(disclosureStateQuery)).status).toBe('published');
    await env.sleep(2 * DAY);
    expect(await handle.result()).toEqual({ disclosureId: id, status: 'taken_down' });
    expect(await row(id)).toMatchObject({ status: 'taken_down', takedown_reason: 'period_expired', overdue: false });
    await exportHistoryIfRecording(handle, 'disclosure', 'organisation-published-continued-run-taken-down-5y');
  });

  it('a correction request: 20 working days on the shared clock, reminders, escalated once when unanswered; decided late it still corrects the item', async () => {
    const unit = 'luzhou.ybj';
    const caseNumber = `DIS-C-${bed.taskQueue}`;
    const { handle: item, id } = await start(unit, caseNumber, 'penalty', { kind: 'organisation', name: '潞州区某药店' });
    await item.executeUpdate(disclosureUpdates.check, { args: [{ by: publisher, approve: true, note: '' }] });
    const receivedAt = new Date(await env.currentTimeMs()).toISOString();
    const { rows } = await bed.db.pool.query(
      `INSERT INTO disclosure_corrections (tracking_code, disclosure_id, unit_code, workflow_id, request, evidence) VALUES ('ABCDEFGHJKLM', $1, $2, $3, '数额有误', '[{"description":"凭证"}]') RETURNING id`,
      [id, unit, correctionWorkflowId('ABCDEFGHJKLM')],
    );
    const workflowId = correctionWorkflowId('ABCDEFGHJKLM');
    const handle = await env.client.workflow.start(disclosureCorrectionWorkflow, {
      taskQueue: bed.taskQueue,
      workflowId,
      args: [{ correctionId: rows[0].id, disclosureId: id, unit, caseNumber, receivedAt }],
      typedSearchAttributes: [...initialSearchAttributes('disclosure', unit, caseNumber, 'pending')] as never,
    });
    const st = await eventually(async () => (await handle.query(correctionStateQuery)).clock, 'the correction clock', 10_000);
    expect(st.lastDay).toBe(computeDeadline(officialCalendar(), shanghaiDateOf(receivedAt), '20wd').lastDay);
    await env.sleep(45 * DAY);
    await eventually(async () => (await handle.query(correctionStateQuery)).overdue, 'overdue', 15_000);
    const notes = await notificationsOf(bed.db.pool, workflowId);
    expect(notes.filter((n) => n.kind === 'escalation').map((n) => n.unit_code).sort()).toEqual(['luzhou.sfj', unit].sort());
    expect(notes.filter((n) => n.kind === 'reminder').length).toBeGreaterThanOrEqual(1);
    expect((await handle.describe()).searchAttributes).toMatchObject({ ProcessKind: ['disclosure'], Overdue: [true] });
    await expect(handle.executeUpdate(correctionDecisionUpdate, { args: [{ by: publisher, outcome: 'corrected', reason: '核实有误' }] })).rejects.toMatchObject({ cause: { type: 'disclosure.correction.nothing_corrected' } });
    const done = await handle.executeUpdate(correctionDecisionUpdate, { args: [{ by: publisher, outcome: 'corrected', reason: '核实有误', corrections: { result: '罚款人民币 1000 元' } }] });
    expect(done).toMatchObject({ status: 'corrected', overdue: false });
    // The item carries the correction (its projection; awaiting the correction's result lets the test server skip ahead).
    expect((await row(id)).public_view.result).toBe('罚款人民币 1000 元');
    expect((await row(id)).view.corrections).toEqual({ result: '罚款人民币 1000 元' });
    expect(await handle.result()).toMatchObject({ status: 'corrected' });
    await exportHistoryIfRecording(handle, 'disclosure', 'correction-overdue-escalated-corrected');
    expect((await bed.db.pool.query('SELECT status, outcome_reason FROM disclosure_corrections WHERE id = $1', [rows[0].id])).rows[0]).toEqual({ status: 'corrected', outcome_reason: '核实有误' });
  });
});
