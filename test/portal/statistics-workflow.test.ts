import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { publishedStatistics } from '../../infra/portal-store';
import { statisticsSchedule } from '../../infra/statistics-schedule';
import { annualStatisticsQuery, annualStatisticsWorkflow, publishStatisticsUpdate, statisticsTaskStateQuery, statisticsTaskWorkflowId } from '../../workflows/statistics';
import { startTimeSkippingWorker } from '../helpers/temporal';
import { exportHistoryIfRecording } from '../replay/export-history';
import { eventually, notificationsOf, recordActions } from '../records/helpers';

const DAY = 24 * 3_600_000;
const HOUR = 3_600_000;
const shanghaiYear = (ms: number) => new Date(ms + 8 * HOUR).getUTCFullYear();

describe('annual statistics (time-skipping): the 1 January task per unit, reminders, one escalation, publication and sending', () => {
  let bed: Awaited<ReturnType<typeof startTimeSkippingWorker>>;
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    bed = await startTimeSkippingWorker({ prefix: 'stat' });
    env = bed.env;
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('the schedule fires on 1 January, Asia/Shanghai, and starts annualStatisticsWorkflow by name', () => {
    const s = statisticsSchedule('sanxiang');
    expect(s.scheduleId).toBe('annual-statistics');
    expect(s.spec).toEqual({ calendars: [{ month: 'JANUARY', dayOfMonth: 1, hour: 0, minute: 10 }], timezone: 'Asia/Shanghai' });
    expect(s.action).toMatchObject({ type: 'startWorkflow', workflowType: 'annualStatisticsWorkflow' });
    expect(statisticsSchedule('other').scheduleId).toBe('annual-statistics-other');
  });

  it('1 January: a task per unit for last year, due 31 January; 潞州 publishes on time (sent to 潞州区政府 and 潞州区司法局); 锦州 市场监管局 is reminded, escalated ONCE to 锦州市司法局, then publishes late with figures from its own data', async () => {
    const pool = bed.db.pool;
    const year = shanghaiYear(await env.currentTimeMs());
    // Last year's data: a penalty (fine 5000 元) and a permit of 锦州市市场监管局.
    for (const [n, kind, obligation] of [
      [1, 'penalty', { kind: 'fine', amountFen: 500_000 }],
      [2, 'permit', { kind: 'none' }],
    ] as const) {
      await pool.query(
        `INSERT INTO decisions (unit_code, case_number, decision_number, decided_at, recorded_by, basis, basis_detail, kind, party, obligation)
         VALUES ('jinzhou.scjgj', $1, $2, $3, 'handler-0001', 'review_not_required', 'test', $4, $5, $6)`,
        [`STAT-${n}-${bed.taskQueue}`, `D-STAT-${n}`, `${year}-06-0${n}T10:00:00+08:00`, kind, JSON.stringify({ kind: 'organisation', name: '锦州市某公司' }), JSON.stringify(obligation)],
      );
    }
    // To 1 January 00:10 of next year (Shanghai), when the schedule would start the workflow.
    await env.sleep(Date.UTC(year + 1, 0, 1, 0, 10) - 8 * HOUR - (await env.currentTimeMs()));
    const unitCount = (await pool.query(`SELECT count(*)::int AS n FROM units WHERE kind IN ('department', 'institution')`)).rows[0].n as number;
    const annual = await env.client.workflow.start(annualStatisticsWorkflow, { taskQueue: bed.taskQueue, workflowId: `annual-statistics-${bed.taskQueue}`, args: [{}] });
    // The round stays open while its tasks run (query: the year and the units it started).
    const result = await eventually(async () => {
      const q = await annual.query(annualStatisticsQuery).catch(() => undefined);
      return q && q.started.length + q.existing.length === unitCount && q;
    }, 'the tasks started', 15_000);
    expect(result.year).toBe(year);
    expect(result.started).toEqual(expect.arrayContaining(['jinzhou.scjgj', 'jinzhou.ybj', 'luzhou.ybj', 'benxi.ybj']));
    expect(result.started).not.toContain('jinzhou'); // governments publish no figures of their own
    // Run again (a catch-up): nothing is started twice.
    const again = await env.client.workflow.execute(annualStatisticsWorkflow, { taskQueue: bed.taskQueue, workflowId: `annual-statistics-again-${bed.taskQueue}`, args: [{ year }] });
    expect(again.started).toEqual([]);
    expect(again.existing.sort()).toEqual(result.started.sort());

    const jz = env.client.workflow.getHandle(statisticsTaskWorkflowId('jinzhou.scjgj', year));
    const lz = env.client.workflow.getHandle(statisticsTaskWorkflowId('luzhou.ybj', year));
    const jzState = await eventually(async () => (await jz.query(statisticsTaskStateQuery)).clock && jz.query(statisticsTaskStateQuery), 'the task clock', 15_000);
    expect(jzState).toMatchObject({ status: 'pending', year, clock: { lastDay: `${year + 1}-01-31`, level: 'none' } });
    expect((await jz.describe()).searchAttributes).toMatchObject({ ProcessKind: ['statistics'], Unit: ['jinzhou.scjgj'], CaseNumber: [`statistics-${year}`] });
    const task = await eventually(async () => (await pool.query('SELECT * FROM statistics_tasks WHERE unit_code = $1 AND year = $2', ['jinzhou.scjgj', year])).rows[0], 'the task row', 10_000);
    expect(task).toMatchObject({ status: 'pending', warning_level: 'none' });
    expect((await notificationsOf(pool, jz.workflowId)).map((n) => n.kind)).toContain('action_required');

    // 潞州区医保局: an admin of another unit and a handler are refused; its publisher publishes on time.
    await eventually(async () => (await lz.query(statisticsTaskStateQuery)).clock, 'the 潞州 clock', 15_000);
    await expect(lz.executeUpdate(publishStatisticsUpdate, { args: [{ by: 'x', roles: ['admin'], unit: 'jinzhou.scjgj' }] })).rejects.toMatchObject({ cause: { type: 'statistics.other_unit' } });
    await expect(lz.executeUpdate(publishStatisticsUpdate, { args: [{ by: 'h', roles: ['handler'], unit: 'luzhou.ybj' }] })).rejects.toMatchObject({ cause: { type: 'statistics.not_publisher' } });
    const lzDone = await lz.executeUpdate(publishStatisticsUpdate, { args: [{ by: 'publisher-lz', roles: ['publisher'], unit: 'luzhou.ybj' }] });
    expect(lzDone).toMatchObject({ status: 'published', publishedLate: false, sentTo: ['luzhou', 'luzhou.sfj'] });
    await expect(lz.executeUpdate(publishStatisticsUpdate, { args: [{ by: 'publisher-lz', roles: ['publisher'], unit: 'luzhou.ybj' }] })).rejects.toBeTruthy();
    expect(await lz.result()).toEqual({ unit: 'luzhou.ybj', year, status: 'published' });
    const lzSent = (await notificationsOf(pool, lz.workflowId)).filter((n) => n.kind === 'info');
    expect(lzSent.map((n) => n.unit_code).sort()).toEqual(['luzhou', 'luzhou.sfj']);
    expect((await publishedStatistics(pool, 'luzhou.ybj')).map((s) => s.year)).toEqual([year]);

    // 锦州市市场监管局 does nothing: yellow / last-day reminders, then past 31 January red, escalated once.
    await env.sleep(35 * DAY);
    const late = await eventually(async () => {
      const s = await jz.query(statisticsTaskStateQuery);
      return s.overdue && s;
    }, 'overdue', 15_000);
    expect(late).toMatchObject({ status: 'pending', escalations: 1, clock: { level: 'red' } });
    expect((await jz.describe()).searchAttributes).toMatchObject({ Overdue: [true], WarningLevel: ['red'] });
    await env.sleep(10 * DAY);
    expect((await jz.query(statisticsTaskStateQuery)).escalations).toBe(1);
    const notes = await notificationsOf(pool, jz.workflowId);
    expect(notes.filter((n) => n.kind === 'reminder').length).toBeGreaterThanOrEqual(1);
    expect(notes.filter((n) => n.kind === 'escalation').map((n) => n.unit_code)).toEqual(['jinzhou.sfj']);
    expect(await pool.query('SELECT overdue, escalations, warning_level FROM statistics_tasks WHERE unit_code = $1 AND year = $2', ['jinzhou.scjgj', year])).toMatchObject({ rows: [{ overdue: true, escalations: 1, warning_level: 'red' }] });

    // Published late: the figures come from the unit's own data and appear on the portal.
    expect((await publishedStatistics(pool, 'jinzhou.scjgj')).length).toBe(0);
    const jzDone = await jz.executeUpdate(publishStatisticsUpdate, { args: [{ by: 'publisher-jz', roles: ['publisher'], unit: 'jinzhou.scjgj' }] });
    expect(jzDone).toMatchObject({ status: 'published', publishedLate: true, overdue: false, sentTo: ['jinzhou', 'jinzhou.sfj'] });
    expect(await jz.result()).toEqual({ unit: 'jinzhou.scjgj', year, status: 'published' });
    const [stats] = await publishedStatistics(pool, 'jinzhou.scjgj');
    expect(stats).toMatchObject({ year, figures: { unit: 'jinzhou.scjgj', year, penalties: { count: 1, fineTotalFen: 500_000 }, decisionsByKind: { penalty: 1, permit: 1 } } });
    const sent = (await notificationsOf(pool, jz.workflowId)).filter((n) => n.kind === 'info');
    expect(sent.map((n) => n.unit_code).sort()).toEqual(['jinzhou', 'jinzhou.sfj']);
    expect(await recordActions(pool, 'jinzhou.scjgj', `statistics-${year}`)).toEqual(['statistics.task.created', 'statistics.overdue', 'statistics.published']);
    expect((await jz.describe()).searchAttributes).toMatchObject({ Status: ['published'], Overdue: [false] });
    // The round ends when every task has ended: the others are still open; it is recorded once they are done.
    expect((await annual.describe()).status.name).toBe('RUNNING');
    await exportHistoryIfRecording(annual, 'statistics', 'annual-run-started-tasks-still-open');
    await exportHistoryIfRecording(lz, 'statistics', 'task-published-on-time-sent');
    await exportHistoryIfRecording(jz, 'statistics', 'task-overdue-escalated-once-published-late');
  }, 300_000);
});
