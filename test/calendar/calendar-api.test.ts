import { createHash } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { deadlineProbeWorkflow, doneSignal, eventsQuery } from '../fixtures/deadline-workflows';
import { startTestService, type TestService } from '../helpers/service';
import { uniqueTaskQueue } from '../helpers/temporal';

const notice2027 = {
  notice: '国务院办公厅关于2027年部分节假日安排的通知（测试数据）',
  holidays: [
    { date: '2027-01-01', name: '元旦' },
    { date: '2027-01-04', name: '测试假日' },
  ],
  workdays: [{ date: '2027-01-09', name: '测试调休' }],
};

describe('calendar API and re-timing of provisional deadlines (dev server, real Postgres)', () => {
  let svc: TestService;
  let probeWorker: Worker;
  let probeRun: Promise<void>;
  const probeQueue = uniqueTaskQueue('probe');

  beforeAll(async () => {
    svc = await startTestService();
    probeWorker = await Worker.create({
      connection: svc.service.worker!.options.connection!,
      taskQueue: probeQueue,
      workflowsPath: require.resolve('../fixtures/deadline-workflows'),
      activities: createActivities({ pool: svc.service.pool, config: svc.config, log: require('../../infra/logger').logger, temporal: svc.service.temporal }),
    });
    probeRun = probeWorker.run();
  });
  afterAll(async () => {
    probeWorker?.shutdown();
    await probeRun;
    await svc?.stop();
  });

  it('serves the official years and days, with provisional (unpublished) years marked', async () => {
    const anyone = await svc.token('benxi.czj', ['handler']);
    const years = await svc.call(anyone, 'GET', '/api/calendar/years');
    expect(years.body.map((y: { year: number }) => y.year)).toEqual(Array.from({ length: 23 }, (_, i) => 2004 + i));
    const y2025 = await svc.call(anyone, 'GET', '/api/calendar/years/2025');
    expect(y2025.body.workdays).toEqual(expect.arrayContaining([{ date: '2025-09-28', name: '国庆节' }, { date: '2025-10-11', name: '国庆节' }]));
    expect((await svc.call(anyone, 'GET', '/api/calendar/years/2027')).status).toBe(404);
    const days = await svc.call(anyone, 'GET', '/api/calendar/days?from=2025-10-07&to=2025-10-11');
    expect(days.body.map((d: { kind: string }) => d.kind)).toEqual(['holiday', 'holiday', 'workday', 'workday', 'adjusted_workday']);
    const bad = await svc.call(anyone, 'GET', '/api/calendar/days?from=2025-02-30&to=2025-03-01');
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('query.from');
  });

  it('refuses a bad year with the field and reason, and everyone but the calendar_admin (a unit\'s admin too)', async () => {
    const admin = await svc.token('benxi', ['calendar_admin']);
    const clash = await svc.call(admin, 'PUT', '/api/calendar/years/2027', {
      holidays: [{ date: '2027-01-09', name: '冲突' }, { date: '2028-01-01', name: '越界' }],
      workdays: [{ date: '2027-01-09', name: '冲突' }],
      notice: notice2027.notice,
    });
    expect(clash.status).toBe(400);
    const paths = clash.body.issues.map((i: { path: string }) => i.path).join(' ');
    expect(paths).toContain('body.holidays');
    expect(paths).toContain('body.workdays');
    const handler = await svc.token('benxi.sfj', ['handler']);
    expect((await svc.call(handler, 'PUT', '/api/calendar/years/2027', notice2027)).status).toBe(403);
    const unitAdmin = await svc.token('benxi.sfj', ['admin', 'supervisor', 'head']);
    expect((await svc.call(unitAdmin, 'PUT', '/api/calendar/years/2027', notice2027)).status).toBe(403);
    // Every role but calendar_admin, together, at the city level too: still 403; nothing was recorded.
    const everyOtherRole = await svc.token('benxi', ['handler', 'reviewer', 'head', 'publisher', 'supervisor', 'admin', 'legal_office_lead', 'plan_office']);
    expect((await svc.call(everyOtherRole, 'PUT', '/api/calendar/years/2027', notice2027)).status).toBe(403);
    expect((await svc.call(handler, 'GET', '/api/calendar/years/2027/history')).body).toEqual([]);
    // A publication rests on a basis document.
    const { notice: _, ...withoutNotice } = notice2027;
    const unfounded = await svc.call(admin, 'PUT', '/api/calendar/years/2027', withoutNotice);
    expect(unfounded.status).toBe(400);
    expect(unfounded.body.issues[0].path).toBe('body.notice');
  });

  it('publishing 2027 moves a running provisional deadline, found through the DeadlineProvisional search attribute', async () => {
    const client = svc.service.temporal;
    const handle = await client.workflow.start(deadlineProbeWorkflow, {
      taskQueue: probeQueue,
      workflowId: `provisional-${probeQueue}`,
      args: [{ from: '2026-12-28T02:00:00Z', steps: [{ statute: 'legalReview' }] }],
    });
    // Visible as provisional before the publication.
    let seenProvisional = false;
    for (let i = 0; i < 100 && !seenProvisional; i++) {
      for await (const _ of client.workflow.list({ query: `WorkflowId = "${handle.workflowId}" AND DeadlineProvisional = true` })) seenProvisional = true;
      if (!seenProvisional) await new Promise((r) => setTimeout(r, 100));
    }
    expect(seenProvisional).toBe(true);

    const admin = await svc.token('benxi', ['calendar_admin'], 'calendar-officer');
    const published = await svc.call(admin, 'PUT', '/api/calendar/years/2027', notice2027);
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ year: 2027, source: 'published', publishedBy: 'benxi/calendar-officer', historyId: expect.any(Number), unchanged: false });
    // The recorded version: its id, revision and content hash (recomputed here from the canonical text).
    const canonical = ['2027', 'adjusted_workday 2027-01-09 测试调休', 'holiday 2027-01-01 元旦', 'holiday 2027-01-04 测试假日'].join('\n');
    const v1 = published.body.publication;
    expect(v1).toEqual({ publicationId: published.body.historyId, year: 2027, revision: 1, contentHash: createHash('sha256').update(canonical).digest('hex'), notice: notice2027.notice, publishedAt: published.body.publishedAt });
    expect(published.body.retimingWorkflowId).toBe(`calendar-published-2027-r1-v${v1.publicationId}`);
    const retiming = await client.workflow.getHandle(published.body.retimingWorkflowId).result();
    expect(retiming.signalled).toBeGreaterThanOrEqual(1);

    let events: string[] = [];
    for (let i = 0; i < 100; i++) {
      events = await handle.query(eventsQuery);
      if (events.some((e) => e.startsWith('changed'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The re-timed deadline says which publication it was computed from.
    expect(events).toContainEqual(expect.stringMatching(new RegExp(`^changed 2027-01-06->2027-01-08 provisional=false \\(.*第 1 版，日历版本 #${v1.publicationId}，国务院办公厅关于2027年.*\\)`)));
    const day = await svc.call(admin, 'GET', '/api/calendar/days?from=2027-01-09&to=2027-01-09');
    expect(day.body).toEqual([{ date: '2027-01-09', kind: 'adjusted_workday', workday: true, name: '测试调休', published: true }]);
    // Publishing again is a correction: 200, same year.
    const corrected = await svc.call(admin, 'PUT', '/api/calendar/years/2027', { ...notice2027, holidays: notice2027.holidays.slice(1), notice: '更正' });
    expect(corrected.status).toBe(200);
    expect(corrected.body.publication).toMatchObject({ revision: 2, notice: '更正', publicationId: expect.any(Number) });
    expect(corrected.body.publication.publicationId).toBeGreaterThan(v1.publicationId);
    // The same version again (a repeated request): nothing new recorded, no second re-timing.
    const repeated = await svc.call(admin, 'PUT', '/api/calendar/years/2027', { ...notice2027, holidays: notice2027.holidays.slice(1), notice: '更正' });
    expect(repeated.status).toBe(200);
    expect(repeated.body).toMatchObject({ unchanged: true, publication: corrected.body.publication, retimingWorkflowId: corrected.body.retimingWorkflowId });
    // The history keeps both publications: who, when, the notice and what changed (issue 14).
    const history = await svc.call(await svc.token('benxi.czj', ['handler']), 'GET', '/api/calendar/years/2027/history');
    expect(history.status).toBe(200);
    expect(history.body).toHaveLength(2);
    expect(history.body[0]).toMatchObject({ id: v1.publicationId, revision: 1, contentHash: v1.contentHash, source: 'published', publishedBy: 'benxi/calendar-officer', retimingWorkflowId: published.body.retimingWorkflowId, changes: { removed: [] } });
    expect(history.body[0].changes.added.length).toBe(notice2027.holidays.length + notice2027.workdays.length);
    expect(history.body[1]).toMatchObject({ notice: '更正', retimingWorkflowId: corrected.body.retimingWorkflowId, changes: { added: [], removed: [expect.objectContaining({ date: notice2027.holidays[0]!.date, kind: 'holiday' })] } });
    await expect(svc.service.pool.query('DELETE FROM calendar_year_history')).rejects.toThrow(/append-only|permission denied/);
    // An official year's history starts with the bundled data as revision 0.
    const official = await svc.call(admin, 'GET', '/api/calendar/years/2025/history');
    expect(official.body).toEqual([expect.objectContaining({ year: 2025, revision: 0, source: 'official', contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    await handle.signal(doneSignal);
  });
});
