import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { loadTemplates } from '../../infra/plan-store';
import { startTestService, type TestService } from '../helpers/service';
import { eventually } from '../helpers/eventually';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('plans API', () => {
  let svc: TestService;
  let office: string;
  beforeAll(async () => {
    svc = await startTestService();
    office = await svc.token('benxi.ybj', ['plan_office'], 'office-1');
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('loading refuses a template naming a unit that is not in Postgres, or with a cycle', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'templates-'));
    const good = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../plans/templates/luzhou-yibao-sanxiang.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'luzhou-yibao-sanxiang.json'), JSON.stringify({ ...good, steps: good.steps.map((s: any, i: number) => (i === 2 ? { ...s, responsible: ['luzhou.nosuch'] } : s)) }));
    await expect(loadTemplates(svc.service.pool, dir)).rejects.toThrow(/step 3 responsible: unknown unit luzhou.nosuch/);
    fs.writeFileSync(path.join(dir, 'luzhou-yibao-sanxiang.json'), JSON.stringify({ ...good, steps: good.steps.map((s: any) => (s.id === '1' ? { ...s, dependsOn: ['4'] } : s)) }));
    await expect(loadTemplates(svc.service.pool, dir)).rejects.toThrow(/dependency cycle/);
    expect((await loadTemplates(svc.service.pool)).size).toBe(3);
  });

  it('lists the three templates; starts the 医保 plan; shows each step with units, dependencies, due dates and reports', async () => {
    const t = await svc.call(office, 'GET', '/api/plan-templates');
    expect(t.status).toBe(200);
    expect(t.body.map((x: any) => x.id).sort()).toEqual(['benxi-yibao-integration', 'jinzhou-sanxiang-rollout', 'luzhou-yibao-sanxiang']);

    // Only the plan office (the template's office) starts it.
    const other = await svc.call(await svc.token('benxi.czj', ['head']), 'POST', '/api/plans', { template: 'benxi-yibao-integration', startsOn: '2026-11-23' });
    expect(other.status).toBe(403);
    const startsOn = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const created = await svc.call(office, 'POST', '/api/plans', { template: 'benxi-yibao-integration', startsOn, title: '本溪医保整合（测试）' });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body.workflowId).toBe(`plan-${id}`);
    expect(created.body.steps.map((s: any) => s.workflowId)).toContain(`plan-${id}-step-11a`);

    const plan = await eventually(async () => {
      const r = await svc.call(office, 'GET', `/api/plans/${id}`);
      return r.body.status === 'running' && r.body;
    }, 'the plan projected', 20_000);
    const s4 = plan.steps.find((s: any) => s.id === '4');
    expect(s4).toMatchObject({ status: 'blocked', lead: 'benxi.ybj', supervising: ['benxi.czj'], dependsOn: ['3'], overdue: false });
    expect(s4.reports.map((r: any) => r.unit)).toEqual(['benxi.wjw', 'benxi.sjj', 'benxi.ybfwzx', 'benxi.xqzf']);
    expect(plan.steps.find((s: any) => s.id === '1').status).toBe('open');

    // Refusals: a unit with no part in the step → 403; completing a blocked step → 409 with the reason; parts outstanding → 409.
    const gaj = await svc.call(await svc.token('benxi.gaj', ['head']), 'POST', `/api/plans/${id}/steps/2/reports`, { text: 'x', partDone: true });
    expect(gaj.status).toBe(403);
    const blocked = await svc.call(office, 'POST', `/api/plans/${id}/steps/2/completion`, {});
    expect(blocked.status).toBe(409);
    expect(blocked.body).toMatchObject({ rule: 'rollout.blocked', basis: expect.stringContaining('本政发〔2019〕8号') });
    expect(blocked.body.error).toContain('前置步骤未完成');
    const handler = await svc.token('benxi.ybj', ['handler'], 'ybj-handler');
    const rep = await svc.call(handler, 'POST', `/api/plans/${id}/steps/1/reports`, { text: '实施方案已报市政府', documents: ['doc-1'], partDone: false });
    expect(rep.status).toBe(200);
    expect(rep.body).toMatchObject({ id: '1', status: 'in_progress' });
    const outstanding = await svc.call(office, 'POST', `/api/plans/${id}/steps/1/completion`, {});
    expect(outstanding.status).toBe(409);
    expect(outstanding.body.rule).toBe('rollout.parts_outstanding');
    await svc.call(handler, 'POST', `/api/plans/${id}/steps/1/reports`, { text: '实施方案已印发', partDone: true });
    const done = await svc.call(office, 'POST', `/api/plans/${id}/steps/1/completion`, {});
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('done');
    // A responsible unit cannot complete (lead only): 403; a sign-off where there is none to give: 409.
    const czj = await svc.token('benxi.czj', ['head'], 'czj-head');
    expect((await svc.call(czj, 'POST', `/api/plans/${id}/steps/2/completion`, {})).status).toBe(403);
    const soff = await svc.call(czj, 'POST', `/api/plans/${id}/steps/4/signoff`, {});
    expect(soff.status).toBe(409);

    const after = await svc.call(office, 'GET', `/api/plans/${id}`);
    expect(after.body.steps.filter((s: any) => s.status === 'open').map((s: any) => s.id).sort()).toEqual(['2', '3', '5']);
    expect(after.body.steps.find((s: any) => s.id === '1').reports[0].latest).toMatchObject({ unit: 'benxi.ybj', text: '实施方案已印发', partDone: true });

    // The chart: SVG, one element per step, Chinese labels; parsed as XML by a real browser when there is one.
    const chart = await fetch(`${svc.baseUrl}/api/plans/${id}/chart.svg`, { headers: { authorization: `Bearer ${office}` } });
    expect(chart.status).toBe(200);
    expect(chart.headers.get('content-type')).toContain('image/svg+xml');
    const svg = await chart.text();
    expect(svg.match(/<g class="step[^"]*" data-step=/g)).toHaveLength(13);
    expect(svg).toContain('全面启动');
    expect(svg).toContain('data-status="done"');
    if (fs.existsSync(CHROMIUM)) {
      const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
      try {
        const page = await browser.newPage({ viewport: { width: 1150, height: 640 } });
        const parsed = await page.evaluate((text) => {
          const doc = new (globalThis as any).DOMParser().parseFromString(text, "image/svg+xml") as any;
          return { error: doc.getElementsByTagName('parsererror').length, steps: doc.querySelectorAll('g.step').length, root: doc.documentElement.nodeName };
        }, svg);
        expect(parsed).toEqual({ error: 0, steps: 13, root: 'svg' });
        await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
        const out = path.join(os.tmpdir(), `plan-chart-${id}.png`);
        await page.screenshot({ path: out, fullPage: true });
        console.log(`[plans-api] chart rendered to ${out}`);
      } finally {
        await browser.close();
      }
    }
  }, 120_000);
});
