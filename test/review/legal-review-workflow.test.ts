import { shanghaiDateOf } from '../../domain/dates';
import { officialCalendar } from '../../domain/official-calendar';
import { computeDeadline, nextWorkingDayStart } from '../../domain/periods';
import {
  addMaterialsUpdate,
  assignReviewerUpdate,
  decideDisputeUpdate,
  decideExtensionUpdate,
  declareRecusalUpdate,
  disputeUpdate,
  giveOpinionUpdate,
  requestExtensionUpdate,
  resubmitUpdate,
  reviewStateQuery,
  withdrawUpdate,
} from '../../workflows/legal-review';
import {
  caseRecordActions,
  checklistWithProblem,
  cleanChecklist,
  eventually,
  exportHistoryIfRecording,
  HANDLER,
  notificationsFor,
  qualifiedProfile,
  refusal,
  saveProfile,
  startReviewTestEnv,
  submission,
  SUPERVISOR_UNIT,
  UNIT,
  type ReviewTestEnv,
} from './helpers';

const HOUR = 3_600_000;
const HEAD = 'head-li';
const REVIEWER = 'reviewer-wang';
const calendar = officialCalendar();

describe('legal review workflow (time-skipping server, real Postgres and activities)', () => {
  let t: ReviewTestEnv;
  beforeAll(async () => {
    t = await startReviewTestEnv();
    await saveProfile(t.pool, qualifiedProfile(REVIEWER));
  });
  afterAll(async () => {
    await t?.stop();
  });

  const nowIso = async () => new Date(await t.env.currentTimeMs()).toISOString();
  const searchAttributes = async (handle: { describe(): Promise<{ searchAttributes: Record<string, unknown> }> }) => (await handle.describe()).searchAttributes;
  const assign = (handle: Awaited<ReturnType<ReviewTestEnv['start']>>, reviewerId = REVIEWER) =>
    handle.executeUpdate(assignReviewerUpdate, { args: [{ by: HEAD, reviewerId, profile: qualifiedProfile(reviewerId) }] });

  it('approve on time: passed, 审核意见书 stored with two copies in the case record, projection and inbox', async () => {
    const input = submission({ receivedAt: await nowIso() });
    const handle = await t.start(input);
    const expected = computeDeadline(calendar, shanghaiDateOf(input.receivedAt), '7wd');

    const started = await eventually(async () => {
      const s = await handle.query(reviewStateQuery);
      return s.deadline ? s : undefined;
    }, 'the clock to start');
    expect(started).toMatchObject({ status: 'awaiting_assignment', deadline: expected.deadline, lastDay: expected.lastDay, round: 1, overdue: false, warningLevel: 'none' });
    expect(started.deadline).toMatch(/^\d{4}-\d{2}-\d{2}T23:59:59\+08:00$/);

    const assigned = await assign(handle);
    expect(assigned).toMatchObject({ status: 'in_review', reviewer: REVIEWER });
    let sa = await searchAttributes(handle);
    expect(sa).toMatchObject({ Unit: [UNIT], CaseNumber: [input.caseNumber], ProcessKind: ['legal-review'], Status: ['in_review'], Overdue: [false], WarningLevel: ['none'] });

    const passed = await handle.executeUpdate(giveOpinionUpdate, { args: [{ by: REVIEWER, kind: 'approve', checklist: cleanChecklist(), text: '事实清楚，证据确凿，适用依据正确，程序合法，裁量适当。' }] });
    expect(passed.status).toBe('passed');
    expect(passed.opinion).toMatchObject({ kind: 'approve', late: false, document: { documentId: expect.any(String), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    const result = await t.finished(handle);
    expect(result.status).toBe('passed');
    sa = await searchAttributes(handle);
    expect(sa.Status).toEqual(['passed']);

    const { rows: docs } = await t.pool.query('SELECT kind, content_type, convert_from(content, \'UTF8\') AS html FROM case_documents WHERE id = $1', [passed.opinion!.document!.documentId]);
    expect(docs[0]).toMatchObject({ kind: 'review_opinion', content_type: 'text/html; charset=utf-8' });
    expect(docs[0].html).toContain('重大行政执法决定法制审核意见书');
    expect(docs[0].html).toContain(input.caseNumber);
    expect(docs[0].html).toContain('一式两份');

    const actions = await caseRecordActions(t.pool, input.caseNumber);
    expect(actions).toEqual([
      'review.submitted',
      'review.clock_started',
      'review.reviewer_assigned',
      'review.opinion',
      'review.opinion.archived',
      'review.opinion.returned_to_handler',
    ]);
    const { rows: copies } = await t.pool.query(
      `SELECT payload->>'copy' AS copy, documents->0->>'documentId' AS doc FROM case_record WHERE case_number = $1 AND action LIKE 'review.opinion.%' ORDER BY seq`,
      [input.caseNumber],
    );
    expect(copies).toEqual([
      { copy: '1', doc: passed.opinion!.document!.documentId },
      { copy: '2', doc: passed.opinion!.document!.documentId },
    ]);

    const { rows: projection } = await t.pool.query('SELECT status, reviewer_id, opinion_kind, overdue, revision, view FROM reviews WHERE workflow_id = $1', [handle.workflowId]);
    expect(projection[0]).toMatchObject({ status: 'passed', reviewer_id: REVIEWER, opinion_kind: 'approve', overdue: false, revision: result.revision });

    const notes = await notificationsFor(t.pool, handle.workflowId);
    expect(notes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ unit: UNIT, person: null, kind: 'action_required', subject: expect.stringContaining('【法制机构】收到送审材料') }),
        expect.objectContaining({ unit: UNIT, person: REVIEWER, kind: 'action_required' }),
        expect.objectContaining({ unit: UNIT, person: HANDLER, kind: 'info', subject: expect.stringContaining('法制审核意见（同意）') }),
      ]),
    );
    expect(notes.filter((n) => n.kind === 'reminder' || n.kind === 'escalation')).toEqual([]);
    await exportHistoryIfRecording(handle, 'approve-on-time');
  });

  it('counts working days across the 2025 National Day holiday (received in the past: already overdue)', async () => {
    // 2025: 10-01..10-08 holiday; Sunday 09-28 and Saturday 10-11 are working days (调休上班).
    // Received Tuesday 09-30: 10-09, 10-10, 10-11, 10-13, 10-14, 10-15, 10-16 → the 7th working day is 10-16.
    const fromTuesday = await t.start(submission({ receivedAt: '2025-09-30T10:00:00+08:00', caseDeadline: '2025-12-31' }));
    // Received Friday 09-26: 09-28 (Sun, working), 09-29, 09-30, 10-09, 10-10, 10-11 (Sat, working), 10-13.
    const fromFriday = await t.start(submission({ receivedAt: '2025-09-26T16:00:00+08:00', caseDeadline: '2025-12-31' }));
    const tuesday = await eventually(async () => (await fromTuesday.query(reviewStateQuery)).escalations > 0 && fromTuesday.query(reviewStateQuery), 'the first escalation');
    const friday = await eventually(async () => (await fromFriday.query(reviewStateQuery)).escalations > 0 && fromFriday.query(reviewStateQuery), 'the first escalation');
    expect(tuesday).toMatchObject({ lastDay: '2025-10-16', deadline: '2025-10-16T23:59:59+08:00', overdue: true, warningLevel: 'red', status: 'awaiting_assignment' });
    expect(friday).toMatchObject({ lastDay: '2025-10-13', deadline: '2025-10-13T23:59:59+08:00', overdue: true });
    const sa = await searchAttributes(fromTuesday);
    expect((sa.Deadline as Date[])[0]!.toISOString()).toBe('2025-10-16T15:59:59.000Z');
    expect(sa).toMatchObject({ Overdue: [true], WarningLevel: ['red'], DeadlineProvisional: [false] });

    // A case deadline before the 7th working day caps the review (第十二条第二句).
    const capped = await t.start(submission({ receivedAt: '2025-09-30T10:00:00+08:00', caseDeadline: '2025-10-10' }));
    const cappedState = await eventually(async () => {
      const state = await capped.query(reviewStateQuery);
      return state.deadline ? state : undefined;
    }, 'the clock');
    expect(cappedState).toMatchObject({ lastDay: '2025-10-10', deadline: '2025-10-10T23:59:59+08:00' });
    expect(cappedState.rounds[0]).toMatchObject({ deadlineCapped: true });

    for (const h of [fromTuesday, fromFriday, capped]) await h.executeUpdate(withdrawUpdate, { args: [{ by: HANDLER, reason: '测试结束' }] });
    for (const h of [fromTuesday, fromFriday, capped]) expect((await t.finished(h)).status).toBe('withdrawn');
    await exportHistoryIfRecording(fromTuesday, 'national-day-overdue-withdrawn');
  });

  it('goes yellow (reminders), then red (escalation to head and 司法局), then escalates every working day until the opinion', async () => {
    const input = submission({ receivedAt: await nowIso() });
    const handle = await t.start(input);
    await eventually(async () => (await handle.query(reviewStateQuery)).deadline, 'the clock');
    await assign(handle);
    const expected = computeDeadline(calendar, shanghaiDateOf(input.receivedAt), '7wd');
    const yellowFrom = Date.parse(calendar.subtractWorkingDays(expected.lastDay, 2).date + 'T00:00:00+08:00') + 24 * HOUR;

    await t.env.sleep(yellowFrom + HOUR - (await t.env.currentTimeMs()));
    let sa = await searchAttributes(handle);
    expect(sa).toMatchObject({ WarningLevel: ['yellow'], Overdue: [false], Status: ['in_review'] });
    let notes = await notificationsFor(t.pool, handle.workflowId);
    expect(notes.filter((n) => n.kind === 'reminder').map((n) => [n.person, n.key.split(':').slice(-3).join(':')])).toEqual(
      expect.arrayContaining([
        [null, 'r1:yellow-legal-office:1'],
        [REVIEWER, 'r1:yellow-reviewer:1'],
      ]),
    );
    expect((await t.pool.query('SELECT warning_level FROM reviews WHERE workflow_id = $1', [handle.workflowId])).rows[0].warning_level).toBe('yellow');

    // Past the deadline, then two more working-day mornings.
    const overdueAt = Date.parse(expected.deadline) + 1000;
    const second = nextWorkingDayStart(calendar, new Date(overdueAt).toISOString());
    const third = nextWorkingDayStart(calendar, second.at);
    await t.env.sleep(Date.parse(third.at) + 10 * HOUR - (await t.env.currentTimeMs()));

    sa = await searchAttributes(handle);
    expect(sa).toMatchObject({ WarningLevel: ['red'], Overdue: [true], Status: ['in_review'] });
    notes = await notificationsFor(t.pool, handle.workflowId);
    expect(notes.filter((n) => n.kind === 'reminder').map((n) => n.key.split(':').slice(-2)[0])).toEqual(
      expect.arrayContaining(['yellow-legal-office', 'yellow-reviewer', 'last-day-legal-office', 'last-day-reviewer']),
    );
    const escalations = notes.filter((n) => n.kind === 'escalation');
    // escalate() tells the unit (its head) and the supervising 司法局, one key per recipient.
    expect(escalations.map((n) => `${n.unit} ${n.key.slice(handle.workflowId.length + 1)}`).sort()).toEqual(
      [1, 2, 3].flatMap((n) => [`${SUPERVISOR_UNIT} r1:overdue:${n}:${SUPERVISOR_UNIT}`, `${UNIT} r1:overdue:${n}:${UNIT}`]).sort(),
    );
    const state = await handle.query(reviewStateQuery);
    expect(state).toMatchObject({ overdue: true, warningLevel: 'red', escalations: 3, status: 'in_review' });
    const { rows } = await t.pool.query('SELECT overdue, warning_level, status FROM reviews WHERE workflow_id = $1', [handle.workflowId]);
    expect(rows[0]).toEqual({ overdue: true, warning_level: 'red', status: 'in_review' });

    // The opinion stops the escalations and clears the flags; the late opinion is marked.
    const returned = await handle.executeUpdate(giveOpinionUpdate, {
      args: [{ by: REVIEWER, kind: 'reinvestigate', checklist: checklistWithProblem('factsEvidence', '违规金额的计算缺少结算单据'), text: '补充调查结算单据后重新送审。' }],
    });
    expect(returned).toMatchObject({ status: 'returned', overdue: false, warningLevel: 'none', opinion: { late: true } });
    await t.env.sleep(5 * 24 * HOUR);
    sa = await searchAttributes(handle);
    expect(sa).toMatchObject({ Overdue: [false], WarningLevel: ['none'], Status: ['returned'] });
    expect((await notificationsFor(t.pool, handle.workflowId)).filter((n) => n.kind === 'escalation')).toHaveLength(6);
    expect(await caseRecordActions(t.pool, input.caseNumber)).toEqual(expect.arrayContaining(['review.overdue']));
    expect((await caseRecordActions(t.pool, input.caseNumber)).filter((a) => a === 'review.overdue')).toHaveLength(3);

    await handle.executeUpdate(withdrawUpdate, { args: [{ by: HANDLER, reason: '案件移交' }] });
    await t.finished(handle);
    await exportHistoryIfRecording(handle, 'yellow-red-escalations');
  });
});
