import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { shanghaiDateOf } from '../../domain/dates';
import { officialCalendar } from '../../domain/official-calendar';
import { computeDeadline } from '../../domain/periods';
import {
  archiveCaseUpdate,
  caseFileStateQuery,
  caseFileWorkflow,
  caseFileWorkflowId,
  enforcementEndedUpdate,
  markAvRecordStoredUpdate,
  registerAvRecordUpdate,
} from '../../workflows/case-file';
import { MAX_RUN_AGE_MS } from '../../workflows/kit/process';
import { initialSearchAttributes } from '../../workflows/search-attributes';
import { startTimeSkippingWorker } from '../helpers/temporal';
import { exportHistoryIfRecording } from '../replay/export-history';
import { eventually, notificationsOf, recordActions } from './helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const UNIT = 'benxi.ybj';
const SUPERVISOR = 'benxi.sfj';

describe('a case file that lives longer than one run (time-skipping)', () => {
  let bed: Awaited<ReturnType<typeof startTimeSkippingWorker>>;
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    bed = await startTimeSkippingWorker({ prefix: 'casecan' });
    env = bed.env;
  });
  afterAll(async () => {
    await bed?.stop();
  });

  const caseRow = async (caseNumber: string) =>
    (await bed.db.pool.query('SELECT status, run_id, revision, warning_level, overdue, deadline_kind, av_pending, av_overdue, view FROM cases WHERE unit_code = $1 AND case_number = $2', [UNIT, caseNumber])).rows[0];

  it('continues as new with its state, AV records and archive clock intact; an AV outcome reaches the new run by signal; nothing is escalated twice', async () => {
    const caseNumber = `CAN-${bed.taskQueue}`;
    const workflowId = caseFileWorkflowId(UNIT, caseNumber);
    const t0 = new Date(await env.currentTimeMs()).toISOString();
    const handle = await env.client.workflow.start(caseFileWorkflow, {
      taskQueue: bed.taskQueue,
      workflowId,
      args: [{ unit: UNIT, caseNumber, title: '违规使用医保基金', urgent: false, openedBy: 'handler-0001', openedAt: t0 }],
      // As the start outbox does: the attributes from the first moment.
      typedSearchAttributes: [...initialSearchAttributes('case-file', UNIT, caseNumber, 'open')] as never,
    });
    const firstRunId = (await handle.describe()).runId;
    const handler = { by: 'handler-0001' };
    const stored = await handle.executeUpdate(registerAvRecordUpdate, { args: [{ ...handler, ref: 'DV-1.mp4', madeAt: t0, stage: 'enforcement' }] });
    const pending = await handle.executeUpdate(registerAvRecordUpdate, { args: [{ ...handler, ref: 'DV-2.mp4', madeAt: t0, stage: 'enforcement', sha256: 'e'.repeat(64) }] });
    expect([stored.created, pending.created]).toEqual([true, true]);
    const avHandle = env.client.workflow.getHandle(pending.workflowId);
    const avFirstRun = (await avHandle.describe()).runId;
    await handle.executeUpdate(markAvRecordStoredUpdate, { args: [{ ...handler, n: 1 }] });
    await handle.executeUpdate(enforcementEndedUpdate, { args: [{ ...handler, endedAt: t0 }] });
    const expected = computeDeadline(officialCalendar(), shanghaiDateOf(t0), '30d');
    const before = await eventually(async () => {
      const st = await handle.query(caseFileStateQuery);
      return st.archiveDeadline && st;
    }, 'the archive clock', 10_000);
    expect(before.archiveDeadline).toMatchObject({ lastDay: expected.lastDay });

    // Half a year and more on: the archive deadline and AV #2's 24 hours passed long ago; the run's
    // age retires it (continue-as-new), and so does the AV record's child.
    await env.sleep(MAX_RUN_AGE_MS + 2 * DAY);
    const current = await eventually(async () => {
      const d = await env.client.workflow.getHandle(workflowId).describe();
      return d.runId !== firstRunId && d;
    }, 'a second run', 20_000);
    const firstRun = await env.client.workflow.getHandle(workflowId, firstRunId).fetchHistory();
    expect(firstRun.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    expect(current.status.name).toBe('RUNNING');
    expect(current.searchAttributes).toMatchObject({ Unit: [UNIT], CaseNumber: [caseNumber], ProcessKind: ['case-file'], Status: ['enforcement_ended'], Overdue: [true], WarningLevel: ['red'] });

    // The AV record's child, still waiting to be stored, has continued as new as well.
    expect((await avHandle.describe()).runId).not.toBe(avFirstRun);
    const after = await handle.query(caseFileStateQuery);
    expect(after.avRecords.map((r) => [r.n, r.ref, r.status, r.sha256 ?? null])).toEqual([
      [1, 'DV-1.mp4', 'stored', null],
      [2, 'DV-2.mp4', 'pending', 'e'.repeat(64)],
    ]);
    expect(after.avRecords[1]).toMatchObject({ level: 'red', deadline: expect.any(String) });
    expect(after.archiveDeadline).toMatchObject({ deadline: before.archiveDeadline!.deadline, lastDay: expected.lastDay, level: 'red', escalations: 1 });
    expect(after.revision).toBeGreaterThan(before.revision);
    // The projection follows the new run.
    const row = await eventually(async () => {
      const r = await caseRow(caseNumber);
      return r.run_id === current.runId && r;
    }, 'the projection from the new run', 10_000);
    expect(row).toMatchObject({ status: 'enforcement_ended', warning_level: 'red', overdue: true, deadline_kind: 'archive', av_pending: 1, av_overdue: 1 });

    // AV #2 is stored now: the parent's current run tells the child's current run, whose outcome comes back by signal.
    await handle.executeUpdate(markAvRecordStoredUpdate, { args: [{ ...handler, n: 2, sha256: 'e'.repeat(64) }] });
    const withOutcome = await eventually(async () => {
      const s = await handle.query(caseFileStateQuery);
      return s.avRecords[1]!.late !== undefined && s;
    }, 'the outcome of AV #2 by signal', 10_000);
    expect(withOutcome.avRecords[1]).toMatchObject({ status: 'stored', late: true, escalations: 1 });

    const archived = await handle.executeUpdate(archiveCaseUpdate, { args: [handler] });
    expect(archived).toMatchObject({ status: 'archived', archivedLate: true });
    expect((await handle.result()).status).toBe('archived');
    expect(await recordActions(bed.db.pool, UNIT, caseNumber)).toEqual([
      'start.opened',
      'av.registered',
      'av.registered',
      'av.stored',
      'enforcement.ended',
      'av.overdue',
      'archive.overdue',
      'av.stored',
      'archive.archived',
    ]);
    // One escalation per deadline, to the unit and its supervisor: never again after the new run.
    const escalations = (await notificationsOf(bed.db.pool, workflowId)).filter((n) => n.kind === 'escalation');
    expect(escalations.map((n) => n.unit_code).sort()).toEqual([SUPERVISOR, UNIT]);
    const avEscalations = (await notificationsOf(bed.db.pool, pending.workflowId)).filter((n) => n.kind === 'escalation');
    expect(avEscalations.map((n) => n.unit_code).sort()).toEqual([SUPERVISOR, UNIT]);
    expect(await caseRow(caseNumber)).toMatchObject({ status: 'archived', overdue: false, av_pending: 0 });
    await exportHistoryIfRecording(env.client.workflow.getHandle(workflowId, firstRunId), 'case-file', 'first-run-continued-as-new');
    await exportHistoryIfRecording(env.client.workflow.getHandle(workflowId), 'case-file', 'continued-run-archived');
    await exportHistoryIfRecording(env.client.workflow.getHandle(pending.workflowId), 'av-record', 'continued-run-stored-late');
  });
});
