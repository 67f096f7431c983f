import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { shanghaiDateOf } from '../../domain/dates';
import { officialCalendar } from '../../domain/official-calendar';
import { statuteDeadline } from '../../domain/statutes';
import { listBasisChanges } from '../../infra/portal-store';
import { basisChangeStateQuery, basisChangeWorkflow, basisChangeWorkflowId, completeBasisChangeUpdate } from '../../workflows/basis-change';
import { initialSearchAttributes } from '../../workflows/search-attributes';
import { startTimeSkippingWorker } from '../helpers/temporal';
import { exportHistoryIfRecording } from '../replay/export-history';
import { eventually, notificationsOf, recordActions } from '../records/helpers';

const DAY = 24 * 3_600_000;

describe('basis change (time-skipping): 20 working days on the clock, reminders, one escalation, completed through the workflow', () => {
  let bed: Awaited<ReturnType<typeof startTimeSkippingWorker>>;
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    bed = await startTimeSkippingWorker({ prefix: 'basis' });
    env = bed.env;
  });
  afterAll(async () => {
    await bed?.stop();
  });

  /** The row POST /api/units/:code/basis-changes writes, and the workflow its start request starts. */
  const start = async (unit: string) => {
    const effectiveOn = shanghaiDateOf(new Date(await env.currentTimeMs()).toISOString());
    const due = statuteDeadline(officialCalendar(), 'updatePreDisclosure', effectiveOn);
    const { rows } = await bed.db.pool.query(
      `INSERT INTO unit_basis_changes (unit_code, effective_on, description, deadline, last_day, provisional, statute, recorded_by)
       VALUES ($1, $2, '《某条例》修订', $3, $4, $5, 'updatePreDisclosure', 'admin-0001') RETURNING id`,
      [unit, effectiveOn, due.deadline, due.lastDay, due.provisional],
    );
    const changeId = rows[0].id as string;
    const workflowId = basisChangeWorkflowId(unit, changeId);
    await bed.db.pool.query('UPDATE unit_basis_changes SET workflow_id = $2 WHERE id = $1', [changeId, workflowId]);
    const handle = await env.client.workflow.start(basisChangeWorkflow, {
      taskQueue: bed.taskQueue,
      workflowId,
      args: [{ changeId, unit, effectiveOn }],
      typedSearchAttributes: [...initialSearchAttributes('basis-change', unit, `basis-change-${changeId}`, 'open')] as never,
    });
    const st = await eventually(async () => {
      const s = await handle.query(basisChangeStateQuery);
      return s.clock && s;
    }, 'the clock', 10_000);
    expect(st.clock!.lastDay).toBe(due.lastDay);
    return { handle, changeId, workflowId, due };
  };

  it('not updated in time: yellow and last-day reminders to the unit, red past the deadline and ONE escalation to its supervisor; completed late through the update', async () => {
    const unit = 'jinzhou.ybj';
    const { handle, changeId, workflowId, due } = await start(unit);
    await env.sleep(Date.parse(due.deadline) - (await env.currentTimeMs()) + DAY);
    const late = await eventually(async () => {
      const s = await handle.query(basisChangeStateQuery);
      return s.overdue && s;
    }, 'overdue', 15_000);
    expect(late).toMatchObject({ status: 'open', escalations: 1, clock: { level: 'red' } });
    expect((await handle.describe()).searchAttributes).toMatchObject({ ProcessKind: ['basis-change'], Overdue: [true], WarningLevel: ['red'] });
    await env.sleep(10 * DAY);
    const notes = await notificationsOf(bed.db.pool, workflowId);
    const reminders = notes.filter((n) => n.kind === 'reminder');
    expect(reminders.length).toBe(2); // yellow and the last day
    expect(reminders.every((n) => n.unit_code === unit)).toBe(true);
    expect(notes.filter((n) => n.kind === 'escalation').map((n) => n.unit_code)).toEqual(['jinzhou.sfj']);
    const [row] = await listBasisChanges(bed.db.pool, unit);
    expect(row).toMatchObject({ id: changeId, warningLevel: 'red', escalations: 1, overdue: true, completedAt: null, workflowId });

    // Another unit cannot mark it; the unit's admin can, once.
    await expect(handle.executeUpdate(completeBasisChangeUpdate, { args: [{ by: 'x', unit: 'jinzhou.sfj' }] })).rejects.toMatchObject({ cause: { type: 'basis_change.other_unit' } });
    const done = await handle.executeUpdate(completeBasisChangeUpdate, { args: [{ by: 'admin-0001', unit }] });
    expect(done).toMatchObject({ status: 'completed', completedLate: true, overdue: false });
    expect(await handle.result()).toEqual({ changeId, status: 'completed' });
    const [after] = await listBasisChanges(bed.db.pool, unit);
    expect(after).toMatchObject({ overdue: false, warningLevel: 'none' });
    expect(after!.completedAt).toBeTruthy();
    expect(await recordActions(bed.db.pool, unit, `basis-change-${changeId}`)).toEqual(['basis_change.recorded', 'basis_change.overdue', 'basis_change.completed']);
    expect((await handle.describe()).searchAttributes).toMatchObject({ Status: ['completed'], Overdue: [false] });
    await exportHistoryIfRecording(handle, 'basis-change', 'overdue-escalated-once-completed-late');
  });

  it('updated in time: no reminder, no escalation', async () => {
    const unit = 'luzhou.ybj';
    const { handle, workflowId } = await start(unit);
    await env.sleep(3 * DAY);
    expect(await handle.executeUpdate(completeBasisChangeUpdate, { args: [{ by: 'admin-0002', unit }] })).toMatchObject({ status: 'completed', completedLate: false });
    await expect(handle.executeUpdate(completeBasisChangeUpdate, { args: [{ by: 'admin-0002', unit }] })).rejects.toBeTruthy();
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    expect((await notificationsOf(bed.db.pool, workflowId)).filter((n) => n.kind !== 'info')).toEqual([]);
    await exportHistoryIfRecording(handle, 'basis-change', 'completed-on-time');
  });
});
