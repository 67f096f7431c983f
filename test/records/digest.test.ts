import { shanghaiDateOf, formatShanghaiInstant } from '../../domain/dates';
import { CalendarStore } from '../../infra/calendar-store';
import { digestScheduleId, ensureDigestSchedule } from '../../infra/digest-schedule';
import { digestWorkflow } from '../../workflows/digest';
import { startTestService, type TestService } from '../helpers/service';
import { eventually } from './helpers';

const YBJ = 'benxi.ybj';
const SUPERVISOR = 'benxi.sfj';
const enc = encodeURIComponent;

describe('daily digest: a Temporal Schedule at 08:30 Asia/Shanghai, working days only (dev server)', () => {
  let svc: TestService;
  let scheduleId: string;
  const suffix = Date.now() % 1_000_000;

  beforeAll(async () => {
    svc = await startTestService();
    scheduleId = digestScheduleId(svc.config.TASK_QUEUE);
  });
  afterAll(async () => {
    await svc.service.temporal.schedule.getHandle(scheduleId).delete().catch(() => undefined);
    await svc?.stop();
  });

  const inbox = async (unit: string) => (await svc.call(await svc.token(unit, ['handler']), 'GET', '/api/inbox')).body as any[];

  it('the service start created the schedule; ensuring it again changes nothing', async () => {
    const schedule = svc.service.temporal.schedule.getHandle(scheduleId);
    const described = await schedule.describe();
    expect(described.spec.timezone).toBe('Asia/Shanghai');
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'digestWorkflow', taskQueue: svc.config.TASK_QUEUE });
    const next = described.info.nextActionTimes.map((t) => formatShanghaiInstant(t));
    expect(next.length).toBeGreaterThan(1);
    expect(next.every((t) => t.slice(11, 16) === '08:30')).toBe(true);
    expect(Date.parse(next[1]!) - Date.parse(next[0]!)).toBe(86_400_000);
    expect(await ensureDigestSchedule(svc.service.temporal, svc.config.TASK_QUEUE)).toEqual({ scheduleId, created: false });
  });

  it('a triggered run sends each unit its due-soon and overdue items, and the supervising unit its units\' overdue ones', async () => {
    const handler = await svc.token(YBJ, ['handler']);
    // Overdue: an urgent start 30 hours ago still without the head's approval.
    const overdueCase = `DG-OVER-${suffix}`;
    const opened = await svc.call(handler, 'POST', '/api/cases', { caseNumber: overdueCase, title: '紧急查处', urgent: true, openedAt: new Date(Date.now() - 30 * 3_600_000).toISOString() });
    expect(opened.status).toBe(201);
    // Due soon: an audio-video record made now (24 hours to store it).
    const soonCase = `DG-SOON-${suffix}`;
    await svc.call(handler, 'POST', '/api/cases', { caseNumber: soonCase, title: '现场检查' });
    const av = await svc.call(handler, 'POST', `/api/cases/${enc(soonCase)}/av-records`, { ref: 'DV-77.mp4', madeAt: new Date().toISOString() });
    expect(av.status).toBe(201);
    const wanted = [opened.body.workflowId, av.body.workflowId];
    await eventually(async () => {
      const found: string[] = [];
      for await (const wf of svc.service.temporal.workflow.list({ query: `Unit = "${YBJ}" AND ExecutionStatus = "Running" AND (Overdue = true OR WarningLevel = "yellow")` })) found.push(wf.workflowId);
      return wanted.every((id) => found.includes(id));
    }, 'both items in visibility', 20_000);

    const schedule = svc.service.temporal.schedule.getHandle(scheduleId);
    const before = (await schedule.describe()).info.recentActions.length;
    await schedule.trigger();
    const action = await eventually(async () => (await schedule.describe()).info.recentActions[before], 'the triggered run', 20_000);
    const result = await svc.service.temporal.workflow.getHandle<typeof digestWorkflow>(action.action.workflow.workflowId).result();

    const today = shanghaiDateOf(new Date());
    const workingDay = (await new CalendarStore(svc.service.pool).calendar()).isWorkday(result.date);
    expect(result.date).toBe(today);
    if (!workingDay) {
      // The run happened on a rest day: it must have skipped, sending nothing.
      expect(result).toMatchObject({ skipped: true, units: [], supervisors: [] });
      expect((await inbox(YBJ)).filter((n) => n.idempotencyKey.startsWith(`digest:${today}`))).toEqual([]);
      return;
    }
    expect(result.skipped).toBe(false);
    expect(result.units).toContain(YBJ);
    expect(result.supervisors).toContain(SUPERVISOR);
    const own = (await inbox(YBJ)).find((n) => n.idempotencyKey === `digest:${today}:${YBJ}`);
    expect(own.kind).toBe('escalation');
    const [overduePart, soonPart] = own.body.split('两个工作日内到期');
    expect(overduePart).toContain(overdueCase);
    expect(soonPart).toContain(av.body.workflowId);
    expect(soonPart).toContain('音像记录存储');
    const supervised = (await inbox(SUPERVISOR)).find((n) => n.idempotencyKey === `digest:${today}:${SUPERVISOR}:supervised`);
    expect(supervised.body).toContain(`${YBJ}｜执法案卷｜${overdueCase}`);
    expect(supervised.body).not.toContain(soonCase);
  });

  it("a unit below the review staffing target (reviewers < 5% of its officers) is listed in its supervisor's digest", async () => {
    const unit = 'benxi.ybfwzx';
    const head = await svc.token(unit, ['head']);
    expect((await svc.call(head, 'PUT', `/api/units/${unit}/enforcement-officers`, { count: 60 })).status).toBe(200);
    const run = (at: string, id: string) => svc.service.temporal.workflow.execute(digestWorkflow, { taskQueue: svc.config.TASK_QUEUE, workflowId: `digest-test-${id}-${suffix}`, args: [{ at }] });
    const result = await run('2026-03-03T00:30:00Z', 'staffing');
    expect(result).toMatchObject({ date: '2026-03-03', skipped: false });
    expect(result.supervisors).toContain(SUPERVISOR);
    const supervised = (await inbox(SUPERVISOR)).find((n) => n.idempotencyKey === `digest:2026-03-03:${SUPERVISOR}:supervised`);
    expect(supervised.subject).toContain('法制审核人员未达配备标准');
    expect(supervised.body).toContain(`${unit}｜法制审核人员 0 名，执法人员 60 名，应不少于 3 名`);
  });

  it('asks the calendar first: a Saturday and a holiday are skipped, a weekend made a working day (调休) is not', async () => {
    const run = (at: string, id: string) => svc.service.temporal.workflow.execute(digestWorkflow, { taskQueue: svc.config.TASK_QUEUE, workflowId: `digest-test-${id}-${suffix}`, args: [{ at }] });
    expect(await run('2026-11-21T00:30:00Z', 'saturday')).toEqual({ date: '2026-11-21', skipped: true, reason: '2026-11-21 不是工作日', units: [], supervisors: [] });
    expect(await run('2026-10-01T00:30:00Z', 'national-day')).toMatchObject({ date: '2026-10-01', skipped: true });
    const { rows } = await svc.service.pool.query<{ date: string }>(`SELECT to_char(date, 'YYYY-MM-DD') AS date FROM calendar_days WHERE kind = 'adjusted_workday' AND year = 2026 ORDER BY date LIMIT 1`);
    const adjusted = rows[0]!.date;
    expect([0, 6]).toContain(new Date(`${adjusted}T00:00:00Z`).getUTCDay());
    expect(await run(`${adjusted}T00:30:00Z`, 'adjusted')).toMatchObject({ date: adjusted, skipped: false });
  });
});
