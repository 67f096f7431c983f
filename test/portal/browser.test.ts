/**
 * The portal in a real browser: Debian's chromium driven by playwright-core. Search, open an item,
 * follow a filter, the correction form; screenshots go to a temporary directory (printed) so a
 * person can look at them. Skipped, loudly, only when chromium is missing and cannot be installed
 * (scripts/install-chromium.sh, run by npm test through scripts/install-tools.sh).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { seedItem, startPortalApp, view, type PortalApp } from './portal-helpers';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function ensureChromium(): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  try {
    execFileSync('bash', [path.resolve(__dirname, '../../scripts/install-chromium.sh')], { stdio: 'inherit', timeout: 300_000 });
  } catch {
    // reported below
  }
  return fs.existsSync(CHROMIUM);
}

const available = ensureChromium();
if (!available) console.warn(`[browser test] SKIPPED: chromium is not at ${CHROMIUM} and scripts/install-chromium.sh could not install it (needs root and apt-get)`);
const describeIfChromium = available ? describe : describe.skip;

describeIfChromium('portal in a real browser (chromium)', () => {
  jest.setTimeout(120_000);
  let app: PortalApp;
  let browser: Browser;
  let page: Page;
  let shots: string;
  const ids: Record<string, string> = {};
  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    app = await startPortalApp();
    ids.pharmacy = await seedItem(app.pool, { view: view('本溪市某大药房有限公司', '超量开药、串换药品骗取医保基金', { result: '追回医保基金12,345.60元，罚款人民币24,691.20元' }) });
    ids.pharmacy2 = await seedItem(app.pool, { kind: 'inspection', view: view('本溪市明山区某大药房', '双随机抽查：未发现问题', { actionKind: '行政检查', result: '未发现问题' }) });
    ids.clinic = await seedItem(app.pool, { kind: 'permit', unit: 'benxi.wjw', view: view('本溪市平山区某诊所', '医疗机构执业许可', { actionKind: '行政许可', unitName: '本溪市卫生健康委员会', result: '准予许可' }) });
    ids.person = await seedItem(app.pool, { view: view('张**', '冒用他人医保卡就医', { result: '罚款人民币2,000元' }) });
    for (let i = 0; i < 25; i++) await seedItem(app.pool, { unit: 'jinzhou.ybj', view: view(`锦州市某医药连锁第${i + 1}分店`, '未按规定保管财务账目', { unitName: '锦州市医疗保障局' }) });
    shots = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-screens-'));
    console.log(`[browser test] screenshots in ${shots}`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1100, height: 800 }, locale: 'zh-CN' });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('search with two characters, open an item, follow a filter, page, fill the correction form', async () => {
    await page.goto(`${app.baseUrl}/portal`);
    expect(await page.title()).toContain('行政执法公示平台');
    expect(await page.locator('#count').textContent()).toContain('29 条');
    await shot('01-portal');

    // search: two characters
    await page.fill('input[name=q]', '药房');
    await Promise.all([page.waitForURL(/q=/), page.click('button[type=submit]')]);
    expect(await page.locator('#count').textContent()).toContain('找到 2 条公示信息');
    const titles = await page.locator('ol.results li').allTextContents();
    expect(titles.join('\n')).toContain('本溪市某大药房有限公司');
    expect(titles.join('\n')).not.toContain('诊所');
    await shot('02-search-yaofang');

    // the unit filter combined with the query
    await page.selectOption('select[name=kind]', 'inspection');
    await Promise.all([page.waitForURL(/kind=inspection/), page.click('button[type=submit]')]);
    expect(await page.locator('ol.results li').count()).toBe(1);
    expect(await page.locator('ol.results li').first().textContent()).toContain('明山区某大药房');
    await shot('03-search-kind-filter');

    // open an item
    await page.goto(`${app.baseUrl}/portal?q=${encodeURIComponent('大药房有限')}`);
    await Promise.all([page.waitForURL(/\/portal\/items\//), page.click('ol.results li a[href^="/portal/items/"]')]);
    expect(await page.locator('#party').textContent()).toBe('本溪市某大药房有限公司');
    await shot('04-item');

    // follow a filter from the item (its kind) → the list filtered by kind
    await Promise.all([page.waitForURL(/kind=penalty/), page.click('dl.item a[href*="kind=penalty"]')]);
    expect(await page.locator('select[name=kind]').inputValue()).toBe('penalty');
    expect(await page.locator('#count').textContent()).toContain('找到 27 条');
    await shot('05-filter-by-kind');
    // next page
    await Promise.all([page.waitForURL(/page=2/), page.click('a[rel=next]')]);
    expect(await page.locator('ol.results li').count()).toBe(7);
    await shot('06-page-2');

    // a masked person's item, then the correction form
    await page.goto(`${app.baseUrl}/portal/items/${ids.person}`);
    expect(await page.locator('#party').textContent()).toBe('张**');
    await Promise.all([page.waitForURL(/corrections\/new/), page.click('a[href^="/portal/corrections/new"]')]);
    expect(await page.locator('input[name=disclosureId]').inputValue()).toBe(ids.person);
    await page.fill('#request', '处罚决定文号有误，应为本医保罚〔2026〕12号。');
    await page.fill('#evidence', '处罚决定书复印件');
    await shot('07-correction-form');
    const answered = page.waitForResponse((r) => r.url().endsWith('/public/corrections') && r.request().method() === 'POST');
    await page.click('#correction button[type=submit]');
    const response = await answered;
    await page.locator('#outcome').waitFor({ state: 'visible' });
    const outcome = await page.locator('#outcome').textContent();
    expect(response.status()).toBe(201);
    expect(outcome).toMatch(/申请已提交，查询码：[A-Z2-9]{12}。/);
    const code = /查询码：([A-Z2-9]{12})/.exec(outcome ?? '')![1]!;
    // the applicant's view of it, by the tracking code: pending, nothing of the request's personal data
    const status = await app.call(undefined, 'GET', `/public/corrections/${code}`);
    expect(status.status).toBe(200);
    expect(status.body.status).toBe('pending');
    console.log(`[browser test] POST /public/corrections answered ${response.status()}: ${outcome}`);
    await shot('08-correction-submitted');
  });

  it('a unit page and the taken-down page', async () => {
    const gone = await seedItem(app.pool, { status: 'taken_down', view: view('本溪市某已撤销药店', '不应出现的内容'), takedownReason: 'revoked', takedownExplanation: '该决定已被行政复议机关撤销。' });
    const res = await page.goto(`${app.baseUrl}/portal/items/${gone}`);
    expect(res?.status()).toBe(410);
    expect(await page.locator('#reason').textContent()).toBe('执法决定被撤销');
    expect(await page.content()).not.toContain('不应出现的内容');
    await shot('09-taken-down');
    const admin = await app.token('benxi.ybj', ['admin']);
    await app.call(admin, 'PUT', '/api/units/benxi.ybj/pre-disclosure/officers', {
      entries: [
        { name: '李明', post: '科长', category: '医疗保障', area: '本溪市', validFrom: '2024-01-01', validUntil: '2028-12-31', certificateNumber: '21050012345' },
        { name: '王芳', post: '科员', category: '医疗保障', area: '本溪市', validFrom: '2025-03-01', validUntil: '2029-02-28', certificateNumber: '21050012346' },
      ],
    });
    await app.call(admin, 'PUT', '/api/units/benxi.ybj/pre-disclosure/powers', { entries: [{ title: '对骗取医疗保障基金的行政处罚', basis: '《医疗保障基金使用监督管理条例》第四十条', details: { power: '行政处罚', procedure: '立案—调查取证—告知—法制审核—决定—送达', remedies: '行政复议（60日）、行政诉讼（6个月）' } }] });
    await app.call(admin, 'PUT', '/api/units/benxi.ybj/pre-disclosure/complaintContacts', { entries: [{ channel: '电话', value: '024-12345678', hours: '工作日 8:30-17:00' }] });
    await app.call(admin, 'POST', '/api/units/benxi.ybj/basis-changes', { effectiveOn: '2026-09-25', description: '《医疗保障基金使用监督管理条例》修订' });
    await page.goto(`${app.baseUrl}/portal/units/benxi.ybj`);
    expect(await page.locator('h1').textContent()).toBe('本溪市医疗保障局');
    expect(await page.locator('#officers tbody tr').count()).toBe(2);
    await shot('10-unit');
    expect((await app.call(admin, 'POST', '/api/units/benxi.ybj/statistics/2026/publish')).status).toBe(201);
    await page.goto(`${app.baseUrl}/portal/units/benxi.ybj/statistics/2026`);
    expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(2);
    await shot('11-statistics');
  });
});
