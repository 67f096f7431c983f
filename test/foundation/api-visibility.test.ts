import { eventually } from '../helpers/eventually';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { temporalCliPath } from '../../infra/tools';
import { startTestService, type TestService } from '../helpers/service';

const exec = promisify(execFile);

describe('API → workflow → Temporal visibility (dev server, real Postgres)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('health, readiness and the OpenAPI document', async () => {
    expect((await svc.call(undefined, 'GET', '/health')).status).toBe(200);
    const ready = await svc.call(undefined, 'GET', '/ready');
    expect(ready.body).toEqual({ status: 'ready', checks: { postgres: 'ok', temporal: 'ok' } });
    const doc = await svc.call(undefined, 'GET', '/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toContain('/api/cases');
  });

  it('401 without a token, 403 with the wrong role, 400 naming the field', async () => {
    expect((await svc.call(undefined, 'POST', '/api/cases', { caseNumber: 'x', title: 'y' })).status).toBe(401);
    expect((await svc.call('not-a-jwt', 'GET', '/api/me')).status).toBe(401);
    const reviewer = await svc.token('benxi.ybj', ['reviewer']);
    const forbidden = await svc.call(reviewer, 'POST', '/api/cases', { caseNumber: 'x', title: 'y' });
    expect(forbidden.status).toBe(403);
    const handler = await svc.token('benxi.ybj', ['handler']);
    const bad = await svc.call(handler, 'POST', '/api/cases', { caseNumber: 'ok-1', title: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([expect.objectContaining({ path: 'body.title' })]);
    expect(bad.body).not.toHaveProperty('stack');
  });

  it('a supervisor sees every unit under it', async () => {
    const supervisor = await svc.token('benxi.sfj', ['supervisor']);
    const me = await svc.call(supervisor, 'GET', '/api/me');
    expect(me.body.visibleUnits).toEqual(expect.arrayContaining(['benxi.sfj', 'benxi.ybj', 'benxi.ybfwzx', 'benxi.czj']));
    const handler = await svc.token('benxi.czj', ['handler']);
    expect((await svc.call(handler, 'GET', '/api/me')).body.visibleUnits).toEqual(['benxi.czj']);
  });

  it('starts a workflow through the API exactly once and finds it with `temporal workflow list --query`', async () => {
    const handler = await svc.token('benxi.ybj', ['handler']);
    const caseNumber = `本医保罚〔2026〕${Date.now() % 100000}号`;
    const first = await svc.call(handler, 'POST', '/api/cases', { caseNumber, title: '违规使用医保基金' });
    expect(first.status).toBe(201);
    const again = await svc.call(handler, 'POST', '/api/cases', { caseNumber, title: '违规使用医保基金' });
    expect(again.status).toBe(200);
    expect(again.body.workflowId).toBe(first.body.workflowId);

    const cli = temporalCliPath();
    if (!cli) throw new Error('Temporal CLI not installed (npm run tools)');
    const query = `Unit = "benxi.ybj" AND ProcessKind = "case-file" AND CaseNumber = "${caseNumber}"`;
    let rows: Array<{ execution: { workflowId: string } }> = [];
    for (let i = 0; i < 50 && rows.length === 0; i++) {
      const { stdout } = await exec(cli, ['workflow', 'list', '--address', process.env.TEST_TEMPORAL_ADDRESS!, '--query', query, '--output', 'json']);
      rows = stdout.trim() ? JSON.parse(stdout) : [];
      if (rows.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(rows.map((r) => r.execution.workflowId)).toEqual([first.body.workflowId]);

    // What the Temporal UI shows: the fixed summary and the current details.
    const handle = svc.service.temporal.workflow.getHandle(first.body.workflowId);
    expect(await (await handle.describe()).staticSummary()).toBe(`案件 ${caseNumber} 违规使用医保基金`);
    // Search attributes are set at start, so the listing can find the workflow before its first
    // task has run; its details appear with that task.
    const metadata = await eventually(async () => {
      const m = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      return m.currentDetails ? m : undefined;
    }, 'the current details set by the first workflow task');
    expect(metadata.currentDetails).toContain('办理中');

    const state = await svc.call(handler, 'GET', `/api/cases/${encodeURIComponent(caseNumber)}`);
    expect(state.body).toMatchObject({ status: 'open', caseNumber, unit: 'benxi.ybj' });
  });
});
