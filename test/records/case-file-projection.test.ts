import { initialState } from '../../domain/case-file/reducer';
import type { CaseFileState } from '../../domain/case-file/types';
import { CaseStore } from '../../infra/case-store';
import { caseFileWorkflowId } from '../../workflows/case-file';
import { startTestService, type TestService } from '../helpers/service';
import { eventually } from './helpers';

const UNIT = 'benxi.ybj';
const enc = encodeURIComponent;

describe('the case file projection: the cases row follows the newest run and outlives the workflow (dev server, real Postgres)', () => {
  let svc: TestService;
  let handler: string;
  const suffix = Date.now() % 1_000_000;

  beforeAll(async () => {
    svc = await startTestService();
    handler = await svc.token(UNIT, ['handler'], 'handler-0001');
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const row = async (caseNumber: string) =>
    (await svc.service.pool.query('SELECT status, revision, run_id, as_of, view, av_pending, warning_level FROM cases WHERE unit_code = $1 AND case_number = $2', [UNIT, caseNumber])).rows[0];

  it('GET /api/cases/:n and the row answer after the workflow is deleted', async () => {
    const caseNumber = `PRJ-${suffix}`;
    const base = `/api/cases/${enc(caseNumber)}`;
    expect((await svc.call(handler, 'POST', '/api/cases', { caseNumber, title: '违规使用医保基金' })).status).toBe(201);
    const av = await svc.call(handler, 'POST', `${base}/av-records`, { ref: 'DV-1.mp4', madeAt: new Date(Date.now() - 3_600_000).toISOString() });
    expect(av.status).toBe(201);
    // The row carries the workflow's view, with the AV record's clock as its child reported it.
    const projected = await eventually(async () => {
      const r = await row(caseNumber);
      return r?.view?.avRecords?.[0]?.level === 'yellow' && r;
    }, 'the projection with the AV clock', 15_000);
    expect(projected).toMatchObject({ status: 'open', av_pending: 1 });
    expect(projected.view.avRecords[0]).toMatchObject({ n: 1, ref: 'DV-1.mp4', status: 'pending', deadline: expect.any(String) });

    const workflowId = caseFileWorkflowId(UNIT, caseNumber);
    const temporal = svc.service.temporal;
    await temporal.workflowService.deleteWorkflowExecution({ namespace: temporal.options.namespace, workflowExecution: { workflowId } });
    await eventually(async () => {
      try {
        await temporal.workflow.getHandle(workflowId).describe();
        return false;
      } catch {
        return true;
      }
    }, 'the workflow gone', 15_000);

    const res = await svc.call(handler, 'GET', base);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ caseNumber, status: 'open', avRecords: [expect.objectContaining({ n: 1, ref: 'DV-1.mp4' })] });
    expect((await svc.call(handler, 'GET', `${base}/av-records/1`)).status).toBe(200);
    expect(await row(caseNumber)).toMatchObject({ status: 'open', revision: projected.revision });
  });

  it('newest wins by workflow time, then revision: a late older report changes nothing, a reset run with a lower revision takes over', async () => {
    const store = new CaseStore(svc.service.pool);
    const caseNumber = `GUARD-${suffix}`;
    const workflowId = caseFileWorkflowId(UNIT, caseNumber);
    const view = (revision: number, status: CaseFileState['status'] = 'open'): CaseFileState => ({
      ...initialState({ unit: UNIT, caseNumber, title: 't', urgent: false, openedBy: 'h', openedAt: '2026-03-02T01:00:00.000Z' }),
      status,
      revision,
    });
    const report = (runId: string, asOf: string, v: CaseFileState) => store.project({ workflowId, runId, runStartedAt: '2026-03-02T01:00:00.000Z', asOf, view: v });
    expect(await report('run-1', '2026-03-02T02:00:00.000Z', view(3))).toEqual({ applied: true });
    expect(await report('run-1', '2026-03-02T03:00:00.000Z', view(5, 'enforcement_ended'))).toEqual({ applied: true });
    // A retry of revision 4 arriving late.
    expect(await report('run-1', '2026-03-02T02:30:00.000Z', view(4))).toEqual({ applied: false });
    // Same workflow time, lower revision: older.
    expect(await report('run-1', '2026-03-02T03:00:00.000Z', view(4))).toEqual({ applied: false });
    expect(await row(caseNumber)).toMatchObject({ status: 'enforcement_ended', revision: 5, run_id: 'run-1' });
    // An operator reset the workflow to before revision 5: the new run's revisions restart lower, but it is later.
    expect(await report('run-2', '2026-03-02T04:00:00.000Z', view(4))).toEqual({ applied: true });
    expect(await row(caseNumber)).toMatchObject({ status: 'open', revision: 4, run_id: 'run-2' });
    // And the old run, terminated by the reset, cannot come back with an earlier report.
    expect(await report('run-1', '2026-03-02T03:30:00.000Z', view(6, 'archived'))).toEqual({ applied: false });
  });
});
