import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { addDays, shanghaiDateOf, startOfDayShanghai } from '../../domain/dates';
import { officialCalendar } from '../../domain/official-calendar';
import { computeDeadline, warningSchedule } from '../../domain/periods';
import { CaseRecordStore } from '../../infra/case-record-store';
import { CalendarStore } from '../../infra/calendar-store';
import { calendarPublishedSignal } from '../../workflows/kit/process';
import { avRecordClockQuery, avRecordWorkflowId } from '../../workflows/av-record';
import {
  approveUrgentStartUpdate,
  archiveCaseUpdate,
  caseFileStateQuery,
  caseFileWorkflow,
  caseFileWorkflowId,
  enforcementEndedUpdate,
  markAvRecordStoredUpdate,
  registerAvRecordUpdate,
} from '../../workflows/case-file';
import { startTimeSkippingWorker } from '../helpers/temporal';
import { eventually, notificationsOf, recordActions } from './helpers';
import { exportHistoryIfRecording } from '../replay/export-history';

const HOUR = 3_600_000;
const UNIT = 'benxi.ybj';
const SUPERVISOR = 'benxi.sfj';
const HANDLER = 'handler-0001';
const HEAD = 'head-0001';

describe('case file deadlines of 本政办发〔2019〕33号 on the LegalDeadline clock (time-skipping)', () => {
  let bed: Awaited<ReturnType<typeof startTimeSkippingWorker>>;
  let env: TestWorkflowEnvironment;
  let db: Awaited<ReturnType<typeof startTimeSkippingWorker>>['db'];
  let taskQueue: string;

  beforeAll(async () => {
    bed = await startTimeSkippingWorker({ prefix: 'casefile' });
    ({ env, db, taskQueue } = bed);
  });
  afterAll(async () => {
    await bed?.stop();
  });

  const now = async () => new Date(await env.currentTimeMs()).toISOString();
  const open = async (caseNumber: string, urgent: boolean) => {
    const openedAt = await now();
    const workflowId = caseFileWorkflowId(UNIT, caseNumber);
    const handle = await env.client.workflow.start(caseFileWorkflow, {
      taskQueue,
      workflowId,
      args: [{ unit: UNIT, caseNumber, title: '违规使用医保基金', urgent, openedBy: HANDLER, openedAt }],
    });
    return { handle, workflowId, openedAt };
  };
  const sa = async (workflowId: string) => (await env.client.workflow.getHandle(workflowId).describe()).searchAttributes;
  const by = async (who: string) => ({ by: who, reportedAt: await now() });

  it('urgent start not approved within 24 hours: the unit is asked at once, then the unit and its supervisor are escalated to', async () => {
    const caseNumber = `URG-${taskQueue}`;
    const { handle, workflowId, openedAt } = await open(caseNumber, true);
    const asked = await eventually(async () => (await notificationsOf(db.pool, workflowId)).find((n) => n.kind === 'action_required'), 'the approval request', 10_000);
    expect(asked.unit_code).toBe(UNIT);
    expect((await handle.query(caseFileStateQuery)).urgentApproval).toMatchObject({ status: 'pending', overdue: false, deadline: expect.any(String) });
    expect((await sa(workflowId)).Overdue).toEqual([false]);

    await env.sleep(Date.parse(openedAt) + 24 * HOUR + 5_000 - (await env.currentTimeMs()));
    const escalations = await eventually(async () => {
      const list = (await notificationsOf(db.pool, workflowId)).filter((n) => n.kind === 'escalation');
      return list.length >= 2 && list;
    }, 'the escalations', 10_000);
    expect(escalations.map((n) => n.unit_code).sort()).toEqual([UNIT, SUPERVISOR].sort());
    expect(escalations[0]!.subject).toContain('超期未补批');
    const attrs = await sa(workflowId);
    expect(attrs.Overdue).toEqual([true]);
    expect(attrs.WarningLevel).toEqual(['red']);
    expect(await recordActions(db.pool, UNIT, caseNumber)).toEqual(['start.opened', 'start.urgent-approval-overdue']);

    // A late approval is still recorded (as late) and takes the case off the overdue lists.
    const approved = await handle.executeUpdate(approveUrgentStartUpdate, { args: [{ ...(await by(HEAD)), note: '同意先行启动' }] });
    expect(approved.urgentApproval).toMatchObject({ status: 'approved', late: true, approvedBy: HEAD });
    await eventually(async () => (await sa(workflowId)).Overdue?.[0] === false, 'Overdue cleared', 10_000);
    expect((await sa(workflowId)).WarningLevel).toEqual(['none']);
    expect(await recordActions(db.pool, UNIT, caseNumber)).toEqual(['start.opened', 'start.urgent-approval-overdue', 'start.urgent-approved']);
    // A second approval is refused by the validator.
    await expect(handle.executeUpdate(approveUrgentStartUpdate, { args: [await by(HEAD)] })).rejects.toThrow(WorkflowUpdateFailedError);
    await exportHistoryIfRecording(handle, 'case-file', 'urgent-approved-late');
  });

  it('urgent start approved in time: no escalation', async () => {
    const caseNumber = `URG-OK-${taskQueue}`;
    const { handle, workflowId } = await open(caseNumber, true);
    await env.sleep(2 * HOUR);
    const approved = await handle.executeUpdate(approveUrgentStartUpdate, { args: [await by(HEAD)] });
    expect(approved.urgentApproval).toMatchObject({ status: 'approved', late: false });
    await env.sleep(30 * HOUR);
    expect((await notificationsOf(db.pool, workflowId)).map((n) => n.kind)).toEqual(['action_required']);
    expect((await sa(workflowId)).Overdue).toEqual([false]);
    await exportHistoryIfRecording(handle, 'case-file', 'urgent-approved-in-time');
  });

  it('audio-video records: each has its own 24-hour clock; a reminder, then an escalation when one is not stored', async () => {
    const caseNumber = `AV-${taskQueue}`;
    const { handle, workflowId } = await open(caseNumber, false);
    const t0 = await env.currentTimeMs();
    const early = await handle.executeUpdate(registerAvRecordUpdate, {
      args: [{ ...(await by(HANDLER)), ref: 'DV-001.mp4', madeAt: new Date(t0 - 20 * HOUR).toISOString(), stage: 'investigation' }],
    });
    const fresh = await handle.executeUpdate(registerAvRecordUpdate, {
      args: [{ ...(await by(HANDLER)), ref: 'DV-002.mp4', madeAt: new Date(t0).toISOString(), sha256: 'a'.repeat(64), stage: 'investigation' }],
    });
    expect([early.n, fresh.n]).toEqual([1, 2]);
    expect(early.workflowId).toBe(avRecordWorkflowId(UNIT, caseNumber, 1));
    // The same registration again answers the same record.
    expect((await handle.executeUpdate(registerAvRecordUpdate, { args: [{ ...(await by(HANDLER)), ref: 'DV-001.mp4', madeAt: early.madeAt, stage: 'investigation' }] })).n).toBe(1);

    const reminder = await eventually(async () => (await notificationsOf(db.pool, early.workflowId)).find((n) => n.kind === 'reminder'), 'reminder #1', 10_000);
    expect(reminder.subject).toContain('音像记录 #1');
    expect((await sa(early.workflowId)).WarningLevel).toEqual(['yellow']);

    // 5 hours on: #1 (made 25 h ago) is overdue, #2 is not.
    await env.sleep(5 * HOUR);
    const escalations = await eventually(async () => {
      const list = (await notificationsOf(db.pool, early.workflowId)).filter((n) => n.kind === 'escalation');
      return list.length >= 2 && list;
    }, 'escalation of #1', 10_000);
    expect(escalations.map((n) => n.unit_code).sort()).toEqual([UNIT, SUPERVISOR].sort());
    expect(Date.parse(escalations[0]!.created_at.toISOString())).toBeGreaterThanOrEqual(Date.parse(reminder.created_at.toISOString()));
    expect((await sa(early.workflowId)).Overdue).toEqual([true]);
    expect((await sa(fresh.workflowId)).Overdue).toEqual([false]);
    expect((await notificationsOf(db.pool, fresh.workflowId)).map((n) => n.kind)).toEqual(['reminder']);
    expect((await env.client.workflow.getHandle(fresh.workflowId).query(avRecordClockQuery)).level).toBe('yellow');

    // A stored hash that differs from the registered one is refused; the right one is accepted.
    await expect(handle.executeUpdate(markAvRecordStoredUpdate, { args: [{ ...(await by(HANDLER)), n: 2, sha256: 'b'.repeat(64) }] })).rejects.toThrow(WorkflowUpdateFailedError);
    await handle.executeUpdate(markAvRecordStoredUpdate, { args: [{ ...(await by(HANDLER)), n: 2, sha256: 'a'.repeat(64) }] });
    await handle.executeUpdate(markAvRecordStoredUpdate, { args: [{ ...(await by(HANDLER)), n: 1 }] });
    const outcome1 = await env.client.workflow.getHandle(early.workflowId).result();
    const outcome2 = await env.client.workflow.getHandle(fresh.workflowId).result();
    expect(outcome1).toMatchObject({ late: true, escalations: 1 });
    expect(outcome2).toMatchObject({ late: false, escalations: 0 });
    await eventually(async () => (await handle.query(caseFileStateQuery)).avRecords.every((r) => r.late !== undefined), 'outcomes in the case state', 10_000);
    expect((await handle.query(caseFileStateQuery)).avRecords.map((r) => [r.n, r.status, r.late])).toEqual([
      [1, 'stored', true],
      [2, 'stored', false],
    ]);
    expect((await sa(early.workflowId)).Overdue).toEqual([false]);
    const actions = await recordActions(db.pool, UNIT, caseNumber);
    expect(actions.filter((a) => a.startsWith('av.')).sort()).toEqual(['av.overdue', 'av.registered', 'av.registered', 'av.stored', 'av.stored'].sort());
    expect(workflowId).toBe(caseFileWorkflowId(UNIT, caseNumber));
    await exportHistoryIfRecording(handle, 'case-file', 'av-records');
    await exportHistoryIfRecording(env.client.workflow.getHandle(early.workflowId), 'av-record', 'stored-late');
  });

  it('archiving within 30 days of the end of enforcement: yellow, last day, then red with escalation; archiving ends the case', async () => {
    const caseNumber = `ARC-${taskQueue}`;
    const { handle, workflowId } = await open(caseNumber, false);
    const endedAt = await now();
    // Archiving is refused while an AV record is not stored; the refusal never reaches history.
    await handle.executeUpdate(registerAvRecordUpdate, { args: [{ ...(await by(HANDLER)), ref: 'DV-9.mp4', madeAt: endedAt, stage: 'enforcement' }] });
    await handle.executeUpdate(enforcementEndedUpdate, { args: [{ ...(await by(HANDLER)), endedAt }] });
    const refused = await handle.executeUpdate(archiveCaseUpdate, { args: [await by(HANDLER)] }).catch((e) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(refused.cause.message).toContain('音像记录 #1 尚未存储');
    const acceptedUpdates = async (name: string) =>
      (await handle.fetchHistory()).events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === name).length;
    expect(await acceptedUpdates('archiveCase')).toBe(0);
    expect(await acceptedUpdates('enforcementEnded')).toBe(1);
    await handle.executeUpdate(markAvRecordStoredUpdate, { args: [{ ...(await by(HANDLER)), n: 1 }] });

    const cal = officialCalendar();
    const expected = computeDeadline(cal, shanghaiDateOf(endedAt), '30d');
    const yellowFrom = warningSchedule(cal, expected.lastDay).yellowFrom;
    const state = await handle.query(caseFileStateQuery);
    expect(state.status).toBe('enforcement_ended');
    expect(state.archiveDeadline).toMatchObject({ lastDay: expected.lastDay, level: 'none' });
    expect(state.archiveDeadline!.basis).toContain('本政办发〔2019〕33号 第三十二条');

    await env.sleep(Date.parse(yellowFrom) + HOUR - (await env.currentTimeMs()));
    await eventually(async () => (await sa(workflowId)).WarningLevel?.[0] === 'yellow', 'yellow', 10_000);
    expect((await notificationsOf(db.pool, workflowId)).filter((n) => n.kind === 'reminder').map((n) => n.subject)).toEqual([expect.stringContaining('归档期限将至')]);

    await env.sleep(Date.parse(expected.deadline) + 2 * HOUR - (await env.currentTimeMs()));
    await eventually(async () => (await sa(workflowId)).Overdue?.[0] === true, 'red', 10_000);
    expect((await sa(workflowId)).WarningLevel).toEqual(['red']);
    const notes = await notificationsOf(db.pool, workflowId);
    expect(notes.filter((n) => n.kind === 'reminder').map((n) => n.subject)).toEqual([expect.stringContaining('归档期限将至'), expect.stringContaining('最后一日')]);
    expect(notes.filter((n) => n.kind === 'escalation').map((n) => n.unit_code).sort()).toEqual([UNIT, SUPERVISOR].sort());

    const archived = await handle.executeUpdate(archiveCaseUpdate, { args: [await by(HANDLER)] });
    expect(archived).toMatchObject({ status: 'archived', archivedLate: true });
    const final = await handle.result();
    expect(final.status).toBe('archived');
    expect(await acceptedUpdates('archiveCase')).toBe(1);
    expect(await recordActions(db.pool, UNIT, caseNumber)).toEqual([
      'start.opened',
      'av.registered',
      'enforcement.ended',
      'av.stored',
      'archive.overdue',
      'archive.archived',
    ]);
    expect(await new CaseRecordStore(db.pool).verify(UNIT, caseNumber)).toMatchObject({ valid: true, entries: 6 });
    await exportHistoryIfRecording(handle, 'case-file', 'archived-late');
  });

  it('an archive deadline reaching an unpublished year is provisional; publishing that year moves it and the record says so', async () => {
    // The next 20 December: 30 days from it end in the following, unpublished year.
    const today = shanghaiDateOf(await now());
    let endDay = `${today.slice(0, 4)}-12-20`;
    if (endDay <= today) endDay = `${Number(today.slice(0, 4)) + 1}-12-20`;
    const nextYear = Number(endDay.slice(0, 4)) + 1;
    const caseNumber = `ARC-Y-${taskQueue}`;
    const { handle, workflowId } = await open(caseNumber, false);
    await env.sleep(Date.parse(startOfDayShanghai(endDay)) + 10 * HOUR - (await env.currentTimeMs()));
    await handle.executeUpdate(enforcementEndedUpdate, { args: [{ ...(await by(HANDLER)), endedAt: await now() }] });

    const provisional = computeDeadline(officialCalendar(), endDay, '30d');
    expect(provisional.provisional).toBe(true);
    let state = await handle.query(caseFileStateQuery);
    expect(state.archiveDeadline).toMatchObject({ lastDay: provisional.lastDay, provisional: true });
    expect((await sa(workflowId)).DeadlineProvisional).toEqual([true]);

    // The notice makes the provisional last day a holiday.
    const notice = { year: nextYear, holidays: [{ date: provisional.lastDay, name: '测试假日' }], workdays: [] };
    await new CalendarStore(db.pool).publish(notice, 'test', null);
    const expected = computeDeadline(officialCalendar().withArrangement(notice), endDay, '30d');
    expect(expected.lastDay).toBe(addDays(provisional.lastDay, 1));
    await handle.signal(calendarPublishedSignal, { year: nextYear });

    state = await eventually(async () => {
      const s = await handle.query(caseFileStateQuery);
      return s.archiveDeadline?.lastDay === expected.lastDay && s;
    }, 'the archive deadline to move', 10_000);
    expect(state.archiveDeadline!.provisional).toBe(false);
    expect((await sa(workflowId)).DeadlineProvisional).toEqual([false]);
    await eventually(async () => (await recordActions(db.pool, UNIT, caseNumber)).includes('archive.deadline_changed'), 'the change in the case record', 10_000);
  });
});
