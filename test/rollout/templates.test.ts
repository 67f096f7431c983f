import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderPlanChart } from '../../domain/rollout/chart';
import { initialPlanState, reduce } from '../../domain/rollout/reducer';
import { instantiate, parseTemplate, TemplateError, unitsOf } from '../../domain/rollout/template';
import { check } from '../../domain/rollout/transitions';

const dir = path.resolve(__dirname, '../../plans/templates');
const raw = (id: string) => JSON.parse(readFileSync(path.join(dir, `${id}.json`), 'utf8'));
// The units migrations 0001, 0012 and 0014 seed.
const UNITS = new Set([
  'benxi', 'benxi.sfj', 'benxi.ybj', 'benxi.ybfwzx', 'benxi.czj', 'benxi.wjw', 'benxi.swj', 'benxi.mzj', 'benxi.bb', 'benxi.rsj', 'benxi.sjj', 'benxi.gaj', 'benxi.fpb', 'benxi.jyj', 'benxi.xqzf',
  'jinzhou', 'jinzhou.sfj', 'jinzhou.scjgj', 'jinzhou.ybj', 'jinzhou.xqzf', 'luzhou', 'luzhou.sfj', 'luzhou.ybj',
]);

describe('plan templates (data, validated when loaded)', () => {
  it('the 医保 plan has the twelve steps of 四、实施步骤 with 11 split into 11a/11b, their units and dependencies', () => {
    const t = parseTemplate(raw('benxi-yibao-integration'), UNITS);
    expect(t.steps.map((s) => s.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11a', '11b', '12']);
    const step = (id: string) => t.steps.find((s) => s.id === id)!;
    expect(step('4')).toMatchObject({ lead: 'benxi.ybj', supervising: ['benxi.czj'], dependsOn: ['3'] });
    expect(step('11b')).toMatchObject({ lead: 'benxi.swj', dependsOn: ['11a'] });
    expect(step('12').dependsOn).toEqual(['6', '7', '9', '10', '11b']);
    expect(step('6').lead).toBe('benxi.czj');
    expect(t.office).toBe('benxi.ybj');
  });

  it('the 锦州 and 潞州 templates load; their dates are within the base year (锦州 unit plans to 市司法局 by 05-20)', () => {
    const jz = parseTemplate(raw('jinzhou-sanxiang-rollout'), UNITS);
    const plan = instantiate(jz, { planId: 'jz', startsOn: '2019-05-06', createdBy: 'p', createdAt: '2019-05-06T01:00:00Z' });
    expect(plan.steps.map((s) => [s.id, s.due])).toEqual([['1', '2019-05-20'], ['2', '2019-07-31'], ['3', '2019-09-30'], ['4a', '2019-10-31'], ['4b', '2019-11-30'], ['4c', '2019-12-31']]);
    const lz = instantiate(parseTemplate(raw('luzhou-yibao-sanxiang'), UNITS), { planId: 'lz', startsOn: '2019-12-01', createdBy: 'p', createdAt: '2019-12-01T01:00:00Z' });
    expect(lz.steps.map((s) => s.due)).toEqual(['2019-12-31', '2020-01-31', '2020-10-31', '2020-12-31']);
    for (const t of [jz, parseTemplate(raw('luzhou-yibao-sanxiang'), UNITS)]) for (const u of unitsOf(t)) expect(UNITS.has(u)).toBe(true);
  });

  it('a template naming an unknown unit is refused, naming it', () => {
    const t = raw('benxi-yibao-integration');
    t.steps[3].supervising = ['benxi.nosuch'];
    expect(() => parseTemplate(t, UNITS)).toThrow(TemplateError);
    expect(() => parseTemplate(t, UNITS)).toThrow(/step 4 supervising: unknown unit benxi.nosuch/);
  });

  it('a dependency cycle is refused, naming the cycle; so is a dependency on a missing step', () => {
    const t = raw('benxi-yibao-integration');
    t.steps.find((s: any) => s.id === '1').dependsOn = ['12'];
    expect(() => parseTemplate(t, UNITS)).toThrow(/dependency cycle: .*12.*1/);
    const u = raw('luzhou-yibao-sanxiang');
    u.steps[1].dependsOn = ['9'];
    expect(() => parseTemplate(u, UNITS)).toThrow(/depends on unknown step 9/);
  });

  it('a malformed template (shape) is refused by zod', () => {
    const t = raw('luzhou-yibao-sanxiang');
    t.steps[0].due = { afterStart: 'soon' };
    expect(() => parseTemplate(t, UNITS)).toThrow(TemplateError);
  });
});

describe('plan rules (pure)', () => {
  const t = parseTemplate(raw('benxi-yibao-integration'), UNITS);
  const input = instantiate(t, { planId: 'x', startsOn: '2019-09-02', createdBy: 'p', createdAt: '2019-09-02T01:00:00Z' });
  it('only step 1 opens at start; completing a blocked step or one with parts outstanding is refused with the reason', () => {
    const s = initialPlanState(input);
    expect(s.steps.filter((x) => x.status === 'open').map((x) => x.id)).toEqual(['1']);
    expect(check(s, { kind: 'complete', step: '2', unit: 'benxi.ybj', by: 'p' })).toMatchObject({ rule: 'rollout.blocked', message: expect.stringContaining('1') });
    expect(check(s, { kind: 'complete', step: '1', unit: 'benxi.ybj', by: 'p' })).toMatchObject({ rule: 'rollout.parts_outstanding' });
    const r = reduce(s, { kind: 'report', step: '1', unit: 'benxi.ybj', by: 'p', text: '方案已印发', partDone: true }, '2019-09-05T01:00:00Z');
    const done = reduce(r.state, { kind: 'complete', step: '1', unit: 'benxi.ybj', by: 'p' }, '2019-09-05T02:00:00Z');
    expect(done.state.steps.filter((x) => x.status === 'open').map((x) => x.id).sort()).toEqual(['2', '3', '5']);
    expect(done.effects).toEqual(expect.arrayContaining([{ kind: 'stepStatus', step: '1', status: 'done' }, { kind: 'stepStatus', step: '3', status: 'open' }]));
  });

  it('the chart is an SVG with one element per step and one path per dependency, with Chinese labels', () => {
    const svg = renderPlanChart(initialPlanState(input), '2019-10-30', { 'benxi.ybj': '市医保局' });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<g class="step[^"]*" data-step=/g)).toHaveLength(13);
    expect(svg.match(/class="dependency"/g)).toHaveLength(t.steps.reduce((n, s) => n + s.dependsOn.length, 0));
    expect(svg).toContain('全面启动');
    expect(svg).toContain('牵头 市医保局');
    // 2019-10-30 is after step 1's due date (15 days after the start) and it is not done: marked overdue.
    expect(svg).toMatch(/<g class="step overdue" data-step="1"/);
  });
});
