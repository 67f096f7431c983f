import { shanghaiDateOf } from '../../domain/dates';
import { DeadlineKey } from '../../workflows/search-attributes';
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
  useReviewTestEnv,
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
  const bed = useReviewTestEnv(REVIEWER);
  let t: ReviewTestEnv;
  beforeAll(() => void (t = bed()));

  const nowIso = () => t.now();
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
    const result = await t.decided(handle);
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
      // recorded through the review, after the opinion and both copies
      'decision.made',
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
        expect.objectContaining({ unit: UNIT, person: null, role: 'legal_office', kind: 'action_required', subject: expect.stringContaining('收到送审材料') }),
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

  it('goes yellow (reminders), then red (ONE escalation to head and 司法局; the daily digest carries it after that) until the opinion', async () => {
    const { input, handle } = await t.startInReview(REVIEWER, HEAD);
    const expected = computeDeadline(calendar, shanghaiDateOf(input.receivedAt), '7wd');
    const yellowFrom = Date.parse(calendar.subtractWorkingDays(expected.lastDay, 2).date + 'T00:00:00+08:00') + 24 * HOUR;

    await t.env.sleep(yellowFrom + HOUR - (await t.env.currentTimeMs()));
    let sa = await searchAttributes(handle);
    expect(sa).toMatchObject({ WarningLevel: ['yellow'], Overdue: [false], Status: ['in_review'] });
    let notes = await notificationsFor(t.pool, handle.workflowId);
    expect(notes.filter((n) => n.kind === 'reminder').map((n) => [n.person, n.key.split(':').slice(-3).join(':')])).toEqual(
      expect.arrayContaining([
        [null, 'r1:g1:yellow-legal-office'],
        [REVIEWER, 'r1:g1:yellow-reviewer'],
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
    expect(notes.filter((n) => n.kind === 'reminder').map((n) => n.key.split(':').at(-1))).toEqual(
      expect.arrayContaining(['yellow-legal-office', 'yellow-reviewer', 'last-day-legal-office', 'last-day-reviewer']),
    );
    const escalations = notes.filter((n) => n.kind === 'escalation');
    // One escalation when the deadline passed, to the unit (its head) and the supervising 司法局,
    // one key per recipient; no daily re-escalation (the 08:30 digest lists overdue work).
    expect(escalations.map((n) => `${n.unit} ${n.key.split(':').slice(-4).join(':')}`).sort()).toEqual([`${SUPERVISOR_UNIT} r1:g1:overdue:${SUPERVISOR_UNIT}`, `${UNIT} r1:g1:overdue:${UNIT}`].sort());
    const state = await handle.query(reviewStateQuery);
    expect(state).toMatchObject({ overdue: true, warningLevel: 'red', escalations: 1, status: 'in_review' });
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
    expect((await handle.describe()).typedSearchAttributes.get(DeadlineKey)).toBeUndefined();
    expect((await notificationsFor(t.pool, handle.workflowId)).filter((n) => n.kind === 'escalation')).toHaveLength(2);
    expect(await caseRecordActions(t.pool, input.caseNumber)).toEqual(expect.arrayContaining(['review.overdue']));
    expect((await caseRecordActions(t.pool, input.caseNumber)).filter((a) => a === 'review.overdue')).toHaveLength(1);

    await handle.executeUpdate(withdrawUpdate, { args: [{ by: HANDLER, reason: '案件移交' }] });
    await t.finished(handle);
    await exportHistoryIfRecording(handle, 'yellow-red-escalations');
  });

  it('extension approved: +3 working days on the original deadline, once per round; refused: deadline unchanged', async () => {
    const { input, handle } = await t.startInReview(REVIEWER, HEAD);
    const original = computeDeadline(calendar, shanghaiDateOf(input.receivedAt), '7wd');
    const extended = computeDeadline(calendar, original.lastDay, '3wd');

    expect((await refusal(handle.executeUpdate(requestExtensionUpdate, { args: [{ by: 'someone-else', reason: '案情复杂' }] }))).rule).toBe('not_assigned_reviewer');
    const requested = await handle.executeUpdate(requestExtensionUpdate, { args: [{ by: REVIEWER, reason: '涉及多个法律关系，需调阅结算数据' }] });
    expect(requested).toMatchObject({ status: 'extension_requested', extended: false, deadline: original.deadline });
    expect((await searchAttributes(handle)).Status).toEqual(['extension_requested']);
    // Notices go out asynchronously: the update does not wait for them.
    await eventually(
      async () => (await notificationsFor(t.pool, handle.workflowId)).some((n) => n.unit === UNIT && n.role === 'head' && n.kind === 'action_required' && n.subject.includes('延长法制审核期限待审批')),
      'the notice to the head',
    );

    const approved = await handle.executeUpdate(decideExtensionUpdate, { args: [{ by: HEAD, approve: true, note: '同意延长' }] });
    expect(approved).toMatchObject({ status: 'in_review', extended: true, deadline: extended.deadline, lastDay: extended.lastDay });
    await eventually(async () => {
      const sa = await searchAttributes(handle);
      return (sa.Deadline as Date[])[0]!.toISOString() === new Date(extended.deadline).toISOString();
    }, 'the Deadline search attribute to move');
    const again = await refusal(handle.executeUpdate(requestExtensionUpdate, { args: [{ by: REVIEWER, reason: '还需时间' }] }));
    expect(again.rule).toBe('one_extension_per_round');
    expect(again.message).toContain('第十二条');
    // One entry per extension (review M4): the approval carries the new deadline; no second "deadline changed".
    const { rows: approvedEntries } = await t.pool.query(`SELECT payload->>'deadline' AS deadline FROM case_record WHERE case_number = $1 AND action = 'review.extension_approved'`, [input.caseNumber]);
    expect(approvedEntries).toEqual([{ deadline: extended.deadline }]);
    expect(await caseRecordActions(t.pool, input.caseNumber)).not.toContain('review.deadline_changed');

    // Refused: a second review (another case).
    const other = await t.start(submission({ receivedAt: await nowIso() }));
    await eventually(async () => (await other.query(reviewStateQuery)).deadline, 'the clock');
    await assign(other);
    await other.executeUpdate(requestExtensionUpdate, { args: [{ by: REVIEWER, reason: '案情复杂' }] });
    expect((await refusal(other.executeUpdate(decideExtensionUpdate, { args: [{ by: HEAD, approve: false, note: ' ' }] }))).rule).toBe('missing_reason');
    const refused = await other.executeUpdate(decideExtensionUpdate, { args: [{ by: HEAD, approve: false, note: '案情并不复杂，按期审核' }] });
    const otherOriginal = computeDeadline(calendar, shanghaiDateOf((await other.query(reviewStateQuery)).rounds[0]!.receivedAt!), '7wd');
    expect(refused).toMatchObject({ status: 'in_review', extended: false, deadline: otherOriginal.deadline });
    expect(refused.rounds[0]!.extension).toMatchObject({ decision: { approve: false } });
    expect((await refusal(other.executeUpdate(requestExtensionUpdate, { args: [{ by: REVIEWER, reason: '再次申请' }] }))).rule).toBe('one_extension_per_round');
    expect(await caseRecordActions(t.pool, (await other.query(reviewStateQuery)).caseNumber)).toContain('review.extension_refused');

    for (const h of [handle, other]) {
      await h.executeUpdate(giveOpinionUpdate, { args: [{ by: REVIEWER, kind: 'approve', checklist: cleanChecklist(), text: '同意。' }] });
      expect((await t.decided(h)).status).toBe('passed');
    }
    await exportHistoryIfRecording(handle, 'extension-approved');
    await exportHistoryIfRecording(other, 'extension-refused');
  });

  it('awaiting_materials: the handler is told what is missing, and the clock starts only when complete', async () => {
    const input = submission({
      receivedAt: await nowIso(),
      scope: { publicInterest: false, majorRights: false, hearing: true, complex: false, otherLaw: false, catalogue: false, optIn: false },
      sampling: true,
      materials: [{ kind: 'statement', ref: 'doc://statement' }],
    });
    const handle = await t.start(input);
    const waiting = await eventually(async () => {
      const s = await handle.query(reviewStateQuery);
      return s.revision >= 2 ? s : undefined;
    }, 'the missing-materials notice');
    expect(waiting).toMatchObject({ status: 'awaiting_materials', deadline: null, missingMaterials: ['draft_decision', 'hearing_record', 'test_report'] });
    const sa = await searchAttributes(handle);
    expect(sa.Status).toEqual(['awaiting_materials']);
    expect(sa.Deadline).toBeUndefined();
    const told = await eventually(async () => (await notificationsFor(t.pool, handle.workflowId)).find((n) => n.person === HANDLER), 'the notice to the handler');
    expect(told).toMatchObject({ kind: 'action_required', subject: expect.stringContaining('送审材料不全') });
    const { rows } = await t.pool.query('SELECT body FROM notifications WHERE idempotency_key = $1', [told!.key]);
    expect(rows[0].body).toContain('听证笔录');
    expect(rows[0].body).toContain('检验报告');
    expect(rows[0].body).toContain('决定书文本');

    // A reviewer may be named while materials are awaited; the clock still waits.
    await assign(handle);
    await t.env.sleep(3 * 24 * HOUR);
    const partial = await handle.executeUpdate(addMaterialsUpdate, { args: [{ by: HANDLER, materials: [{ kind: 'draft_decision', ref: 'doc://draft' }] }] });
    expect(partial).toMatchObject({ status: 'awaiting_materials', deadline: null, missingMaterials: ['hearing_record', 'test_report'] });
    await t.env.sleep(2 * 24 * HOUR);
    const completedAt = await nowIso();
    const complete = await handle.executeUpdate(addMaterialsUpdate, {
      args: [{ by: HANDLER, materials: [{ kind: 'hearing_record', ref: 'doc://hearing' }, { kind: 'test_report', ref: 'doc://lab' }] }],
    });
    // Receipt = when the submission became complete, not when it was first sent.
    const expected = computeDeadline(calendar, shanghaiDateOf(completedAt), '7wd');
    expect(complete).toMatchObject({ status: 'in_review', missingMaterials: [], deadline: expected.deadline });
    expect(Date.parse(complete.rounds[0]!.receivedAt!)).toBeGreaterThanOrEqual(Date.parse(completedAt));
    expect(shanghaiDateOf(input.receivedAt)).not.toBe(shanghaiDateOf(completedAt));

    await handle.executeUpdate(giveOpinionUpdate, { args: [{ by: REVIEWER, kind: 'approve', checklist: cleanChecklist(), text: '同意。' }] });
    await t.decided(handle);
    expect(await caseRecordActions(t.pool, input.caseNumber)).toEqual(
      expect.arrayContaining(['review.submitted', 'review.materials_missing', 'review.materials_added', 'review.clock_started']),
    );
    await exportHistoryIfRecording(handle, 'awaiting-materials');
  });

  it('reinvestigate → resubmit (a new round on a fresh clock, earlier rounds kept) → approve', async () => {
    const { input, handle } = await t.startInReview(REVIEWER, HEAD);

    const inconsistent = await refusal(
      handle.executeUpdate(giveOpinionUpdate, { args: [{ by: REVIEWER, kind: 'reinvestigate', checklist: cleanChecklist(), text: '补充调查' }] }),
    );
    expect(inconsistent.rule).toBe('inconsistent_opinion');
    const returned = await handle.executeUpdate(giveOpinionUpdate, {
      args: [{ by: REVIEWER, kind: 'reinvestigate', checklist: checklistWithProblem('factsEvidence', '缺少当事人陈述申辩记录'), text: '请补充调查后重新送审。' }],
    });
    expect(returned).toMatchObject({ status: 'returned', round: 1, opinion: { kind: 'reinvestigate' } });
    expect((await searchAttributes(handle)).Status).toEqual(['returned']);
    expect((await refusal(handle.executeUpdate(giveOpinionUpdate, { args: [{ by: REVIEWER, kind: 'approve', checklist: cleanChecklist(), text: '' }] }))).rule).toBe('wrong_state');

    await t.env.sleep(4 * 24 * HOUR);
    const resubmittedAt = await nowIso();
    const round2 = await handle.executeUpdate(resubmitUpdate, { args: [{ by: HANDLER, materials: [{ kind: 'other', ref: 'doc://statement-hearing' }], note: '已补充陈述申辩记录' }] });
    const expected = computeDeadline(calendar, shanghaiDateOf(resubmittedAt), '7wd');
    expect(round2).toMatchObject({ status: 'in_review', round: 2, reviewer: REVIEWER, deadline: expected.deadline, opinion: null, extended: false });
    expect(round2.rounds).toHaveLength(2);
    expect(round2.rounds[0]).toMatchObject({ round: 1, opinion: { kind: 'reinvestigate' } });
    expect(round2.rounds[1]!.materials.map((m) => m.kind)).toEqual(['statement', 'draft_decision', 'other']);

    const passed = await handle.executeUpdate(giveOpinionUpdate, { args: [{ by: REVIEWER, kind: 'approve', checklist: cleanChecklist(), text: '补充调查后事实清楚，同意。' }] });
    expect(passed).toMatchObject({ status: 'passed', round: 2 });
    const result = await t.decided(handle);
    expect(result.rounds.map((r) => r.opinion?.kind)).toEqual(['reinvestigate', 'approve']);
    const { rows } = await t.pool.query(`SELECT count(*)::int AS n FROM case_documents WHERE case_number = $1 AND kind = 'review_opinion'`, [input.caseNumber]);
    expect(rows[0].n).toBe(2);
    await exportHistoryIfRecording(handle, 'reinvestigate-resubmit-approve');
  });

  it('dispute → the head overrules the opinion: status overruled, flagged for supervisors', async () => {
    const { input, handle } = await t.startInReview(REVIEWER, HEAD);
    await handle.executeUpdate(giveOpinionUpdate, {
      args: [{ by: REVIEWER, kind: 'amend', checklist: checklistWithProblem('lawDiscretion', '罚款数额超出裁量基准'), text: '按裁量基准调整罚款数额。' }],
    });
    const disputed = await handle.executeUpdate(disputeUpdate, { args: [{ by: HANDLER, reason: '当事人多次违规，从重处罚有据' }] });
    expect(disputed.status).toBe('disputed');
    expect((await refusal(handle.executeUpdate(decideDisputeUpdate, { args: [{ by: HEAD, outcome: 'collective', reasons: '集体讨论' }] }))).rule).toBe('meeting_record_required');
    const overruled = await handle.executeUpdate(decideDisputeUpdate, { args: [{ by: HEAD, outcome: 'overrule', reasons: '违法情节严重，维持原拟处罚' }] });
    expect(overruled).toMatchObject({ status: 'overruled', flagged: true, flagReason: expect.stringContaining('违法情节严重') });
    const result = await t.decided(handle);
    expect(result.status).toBe('overruled');
    expect((await searchAttributes(handle)).Status).toEqual(['overruled']);
    const { rows } = await t.pool.query('SELECT status, flagged, flag_reason FROM reviews WHERE workflow_id = $1', [handle.workflowId]);
    expect(rows[0]).toMatchObject({ status: 'overruled', flagged: true });
    expect(await notificationsFor(t.pool, handle.workflowId)).toContainEqual(expect.objectContaining({ unit: SUPERVISOR_UNIT, subject: expect.stringContaining('未采纳法制审核意见') }));
    const { rows: decisionRecord } = await t.pool.query(`SELECT stage, action FROM case_record WHERE case_number = $1 AND action = 'review.opinion_overruled'`, [input.caseNumber]);
    expect(decisionRecord).toEqual([{ stage: 'decision', action: 'review.opinion_overruled' }]);
    await exportHistoryIfRecording(handle, 'dispute-overruled');
  });

  it('refuses interested, recused, unqualified and first-time penalty reviewers, naming the rule; refusals never reach history', async () => {
    await saveProfile(t.pool, qualifiedProfile('reviewer-recusing'));
    const input = submission({ receivedAt: await nowIso(), interestedPersons: ['reviewer-cousin'] });
    const handle = await t.start(input);
    await eventually(async () => (await handle.query(reviewStateQuery)).deadline, 'the clock');
    const tryAssign = (reviewerId: string, profile = qualifiedProfile(reviewerId)) =>
      refusal(handle.executeUpdate(assignReviewerUpdate, { args: [{ by: HEAD, reviewerId, profile }] }));

    const interested = await tryAssign('reviewer-cousin');
    expect(interested).toMatchObject({ rule: 'interested_person', message: expect.stringContaining('第十五条') });
    const unqualified = await tryAssign('reviewer-new', qualifiedProfile('reviewer-new', { lawDegree: false, legalWorkYears: 1, enforcementYears: 2, legalProfessionQualification: false }));
    expect(unqualified).toMatchObject({ rule: 'unqualified', message: expect.stringContaining('第七条') });
    const firstPenalty = await tryAssign('reviewer-first', qualifiedProfile('reviewer-first', { legalProfessionQualification: false, reviewedPenaltyBefore: false }));
    expect(firstPenalty).toMatchObject({ rule: 'first_penalty_needs_qualification', message: expect.stringContaining('法律职业资格') });
    expect((await tryAssign('reviewer-nobody', null as never)).rule).toBe('no_profile');
    expect((await tryAssign(HANDLER)).rule).toBe('handler_cannot_review');

    // Assigned, then declares an interest: off the case, back to the legal office; may not be re-assigned.
    await assign(handle, 'reviewer-recusing');
    const recused = await handle.executeUpdate(declareRecusalUpdate, { args: [{ by: 'reviewer-recusing', reason: '当事人法定代表人系本人近亲属' }] });
    expect(recused).toMatchObject({ status: 'awaiting_assignment', reviewer: null, recusals: [expect.objectContaining({ personId: 'reviewer-recusing' })] });
    const reassign = await tryAssign('reviewer-recusing');
    expect(reassign).toMatchObject({ rule: 'declared_recusal', message: expect.stringContaining('回避') });
    expect(await caseRecordActions(t.pool, input.caseNumber)).toContain('review.recusal');

    const accepted = await assign(handle);
    expect(accepted).toMatchObject({ status: 'in_review', reviewer: REVIEWER });
    const { events } = await handle.fetchHistory();
    const updateNames = events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).map((e) => e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.name);
    expect(updateNames).toEqual(['assignReviewer', 'declareRecusal', 'assignReviewer']);

    await handle.executeUpdate(giveOpinionUpdate, { args: [{ by: REVIEWER, kind: 'approve', checklist: cleanChecklist(), text: '同意。' }] });
    await t.decided(handle);
    await exportHistoryIfRecording(handle, 'recusal');
  });
});
