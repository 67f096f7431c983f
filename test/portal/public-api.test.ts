import { statuteDeadline } from '../../domain/statutes';
import { CalendarStore } from '../../infra/calendar-store';
import { seedItem, startPortalApp, view, type PortalApp } from './portal-helpers';

let app: PortalApp;
const ids: Record<string, string> = {};
const PUBLIC_KEYS = ['id', 'unit', 'kind', 'publishedAt', 'takedownAt', 'party', 'partyKind', 'actionKind', 'content', 'result', 'unitName', 'decisionNumber', 'decisionDate'].sort();

beforeAll(async () => {
  app = await startPortalApp();
  ids.pharmacy = await seedItem(app.pool, { view: view('本溪市某大药房有限公司', '超量开药、串换药品骗取医保基金') });
  ids.clinic = await seedItem(app.pool, { kind: 'permit', unit: 'benxi.wjw', view: view('本溪市平山区某诊所', '医疗机构执业许可', { actionKind: '行政许可', unitName: '本溪市卫生健康委员会' }) });
  // A view carrying a field that is not public (as if a producer put it there): never shown.
  ids.person = await seedItem(app.pool, { view: view('张**', '冒用他人医保卡就医', { partyIdNumber: '210502199001011234', phone: '13912345678' }) });
  ids.pending = await seedItem(app.pool, { status: 'pending_check', view: view('本溪市某药业连锁有限公司', '未公示的大药房') });
  ids.returned = await seedItem(app.pool, { status: 'returned', view: view('本溪市退回药房有限公司', '退回的大药房') });
  ids.takenDown = await seedItem(app.pool, {
    status: 'taken_down',
    view: view('本溪市撤销大药房有限公司', '秘密内容不应出现'),
    takedownReason: 'revoked',
    takedownExplanation: '该处罚决定已被复议机关撤销',
  });
  ids.evil = await seedItem(app.pool, { view: view('<script>alert(1)</script>某公司', '内容 <b>粗体</b> & "引号"') });
});
afterAll(async () => app?.stop());

const search = async (q: string, extra = '') => (await app.call(undefined, 'GET', `/public/disclosures?q=${encodeURIComponent(q)}${extra}`)).body;

describe('public JSON (no login)', () => {
  it('lists published items only, newest first, with only the public fields', async () => {
    const res = await app.call(undefined, 'GET', '/public/disclosures');
    expect(res.status).toBe(200);
    const got = res.body.items.map((i: any) => i.id);
    expect(got.sort()).toEqual([ids.pharmacy, ids.clinic, ids.person, ids.evil].sort());
    for (const item of res.body.items) expect(Object.keys(item).sort()).toEqual(PUBLIC_KEYS);
    expect(res.body.total).toBe(4);
    expect(res.body.items[0].id).toBe(ids.evil); // seeded last: published last
  });

  it('GET :id answers a published item with the masked view as it was, and no other field', async () => {
    const res = await app.call(undefined, 'GET', `/public/disclosures/${ids.person}`);
    expect(res.status).toBe(200);
    expect(res.body.party).toBe('张**');
    expect(res.body.partyKind).toBe('person');
    expect(Object.keys(res.body).sort()).toEqual(PUBLIC_KEYS);
    expect(res.text).not.toContain('210502199001011234');
    expect(res.text).not.toContain('13912345678');
  });

  it('404 for an item not yet published (pending, returned), unknown or malformed; 410 with only reason and explanation once taken down', async () => {
    for (const id of [ids.pending, ids.returned, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await app.call(undefined, 'GET', `/public/disclosures/${id}`);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('药房');
    }
    const gone = await app.call(undefined, 'GET', `/public/disclosures/${ids.takenDown}`);
    expect(gone.status).toBe(410);
    expect(gone.body).toMatchObject({ reason: 'revoked', explanation: '该处罚决定已被复议机关撤销' });
    expect(Object.keys(gone.body).sort()).toEqual(['error', 'explanation', 'reason', 'takenDownAt']);
    expect(gone.text).not.toContain('秘密内容');
    expect(gone.text).not.toContain('撤销大药房');
  });

  it('finds by any part of a Chinese name, two characters included; never an unpublished or taken-down item', async () => {
    expect((await search('大药房')).items.map((i: any) => i.id)).toEqual([ids.pharmacy]);
    expect((await search('大药')).items.map((i: any) => i.id)).toEqual([ids.pharmacy]);
    expect((await search('药房')).items.map((i: any) => i.id)).toEqual([ids.pharmacy]);
    expect((await search('诊所')).items.map((i: any) => i.id)).toEqual([ids.clinic]);
    expect((await search('串换')).items.map((i: any) => i.id)).toEqual([ids.pharmacy]); // content
    expect((await search('许可')).items.map((i: any) => i.id)).toEqual([ids.clinic]); // action kind / content
    // both bigrams present but not adjacent: 大药房 has 大药 and 药房, not 大房
    expect((await search('大房')).items).toEqual([]);
    // one character: substring only
    expect((await search('诊')).items.map((i: any) => i.id)).toEqual([ids.clinic]);
    // several terms: all must match
    expect((await search('大药房 串换')).items.map((i: any) => i.id)).toEqual([ids.pharmacy]);
    expect((await search('大药房 诊所')).items).toEqual([]);
    // a taken-down or unpublished item's text is not searchable
    expect((await search('撤销')).items).toEqual([]);
    expect((await search('药业连锁')).items).toEqual([]);
    // LIKE wildcards are literal
    expect((await search('%')).items).toEqual([]);
    expect((await search('_')).items).toEqual([]);
  });

  it('filters by unit, kind and publication dates, and pages', async () => {
    expect((await search('', '&unit=benxi.wjw')).items.map((i: any) => i.id)).toEqual([ids.clinic]);
    expect((await search('', '&kind=permit')).items.map((i: any) => i.id)).toEqual([ids.clinic]);
    expect((await search('', '&from=2030-01-01')).items).toEqual([]);
    expect((await search('', '&to=2025-12-31')).items).toEqual([]);
    expect((await search('', '&from=2026-01-01&to=2026-01-01')).total).toBe(4);
    const bad = await app.call(undefined, 'GET', '/public/disclosures?kind=secret');
    expect(bad.status).toBe(400);
    const p2 = await app.call(undefined, 'GET', '/public/disclosures?page=2');
    expect(p2.body).toMatchObject({ page: 2, items: [] });
  });

  it('follows the disclosure: publish → searchable; taken down → gone from search and 410', async () => {
    const id = await seedItem(app.pool, { status: 'pending_check', view: view('本溪市新开大药房有限公司', '新案') });
    expect((await search('新开')).items).toEqual([]);
    await app.pool.query(`UPDATE disclosures SET status = 'published', published_at = now() WHERE id = $1`, [id]);
    expect((await search('新开')).items.map((i: any) => i.id)).toEqual([id]);
    await app.pool.query(`UPDATE disclosures SET public_view = public_view || '{"party":"本溪市更正后药店有限公司"}' WHERE id = $1`, [id]);
    expect((await search('新开')).items).toEqual([]);
    expect((await search('更正后')).items.map((i: any) => i.id)).toEqual([id]);
    await app.pool.query(`UPDATE disclosures SET status = 'taken_down', taken_down_at = now(), takedown_reason = 'to_be_remade', takedown_explanation = '责令重新作出' WHERE id = $1`, [id]);
    expect((await search('更正后')).items).toEqual([]);
    expect((await app.call(undefined, 'GET', `/public/disclosures/${id}`)).status).toBe(410);
  });
});

describe('frequent terms (more matches than the count cap)', () => {
  it('a term with > 1000 matches: capped count, pages newest first without overlap, through the walk', async () => {
    await app.pool.query(
      `INSERT INTO disclosures (workflow_id, unit_code, jurisdiction, case_number, source, kind, status, published_at, public_view)
       SELECT 'freq-' || g, 'benxi.czj', 'benxi', 'freq-' || g, 'decision', 'penalty', 'published', timestamptz '2025-06-01 00:00+08' + g * interval '1 minute',
              jsonb_build_object('party', '本溪市频繁' || g || '号商店', 'content', '内容', 'decisionNumber', '频' || g)
         FROM generate_series(1, 1005) g`,
    );
    const p1 = (await app.call(undefined, 'GET', `/public/disclosures?q=${encodeURIComponent('频繁')}`)).body;
    expect(p1.totalCapped).toBe(true);
    expect(p1.total).toBe(1000);
    expect(p1.items.map((i: any) => i.party)).toEqual(Array.from({ length: 20 }, (_, i) => `本溪市频繁${1005 - i}号商店`));
    const p2 = (await app.call(undefined, 'GET', `/public/disclosures?q=${encodeURIComponent('频繁')}&page=2`)).body;
    expect(p2.items.map((i: any) => i.party)).toEqual(Array.from({ length: 20 }, (_, i) => `本溪市频繁${985 - i}号商店`));
    // three characters, with a filter: the same path
    const three = (await app.call(undefined, 'GET', `/public/disclosures?q=${encodeURIComponent('市频繁')}&unit=benxi.czj`)).body;
    expect(three.totalCapped).toBe(true);
    expect(three.items[0].party).toBe('本溪市频繁1005号商店');
    // a rarer term among them: exact count
    const rare = (await app.call(undefined, 'GET', `/public/disclosures?q=${encodeURIComponent('频繁100')}`)).body;
    expect(rare.total).toBe(7); // 100, 1000–1005
    expect(rare.items[0].party).toBe('本溪市频繁1005号商店');
    await app.pool.query(`DELETE FROM disclosures WHERE workflow_id LIKE 'freq-%'`);
  });
});

describe('OpenAPI', () => {
  it('describes the public routes', async () => {
    const doc = await app.call(undefined, 'GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/public/disclosures', '/public/disclosures/{id}', '/public/disclosures.csv', '/api/units/{code}/basis-changes']));
  });
});

describe('open data and feed', () => {
  it('CSV: header, one line per published item, no hidden field, formula cells neutralised', async () => {
    const res = await app.call(undefined, 'GET', '/public/disclosures.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = res.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('id,unit,unitName,kind,actionKind,party,partyKind,content,result,decisionNumber,decisionDate,publishedAt,takedownAt');
    expect(lines.length).toBe(1 + 4);
    expect(res.text).toContain('本溪市某大药房有限公司');
    expect(res.text).not.toContain('210502199001011234');
    expect(res.text).not.toContain('秘密内容');
    const formula = await seedItem(app.pool, { unit: 'benxi.czj', view: view('=HYPERLINK("x")公司', '公式') });
    const csv = await app.call(undefined, 'GET', '/public/disclosures.csv?unit=benxi.czj');
    expect(csv.text).toContain(`${formula},benxi.czj,本溪市医疗保障局,penalty,行政处罚,"'=HYPERLINK(""x"")公司"`);
    const json = await app.call(undefined, 'GET', '/public/disclosures.json?q=%E5%A4%A7%E8%8D%AF');
    expect(json.body.items.map((i: any) => i.id)).toEqual([ids.pharmacy]);
  });

  it('Atom feed of the newest items, escaped', async () => {
    const res = await app.call(undefined, 'GET', '/portal/feed.atom');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/atom+xml');
    expect(res.text).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(res.text).toContain(`urn:uuid:${ids.pharmacy}`);
    expect(res.text).not.toContain('<script>');
    expect(res.text).toContain('&lt;script&gt;');
    expect(res.text).not.toContain(ids.takenDown);
    expect(res.text).not.toContain('秘密内容');
  });
});

describe('HTML portal', () => {
  it('search page: form with unit and kind filters, results, everything escaped', async () => {
    const res = await app.call(undefined, 'GET', '/portal?q=%E5%A4%A7%E8%8D%AF');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('<select name="unit"');
    expect(res.text).toContain('<select name="kind"');
    expect(res.text).toContain('本溪市某大药房有限公司');
    expect(res.text).toContain('找到 1 条公示信息');
    const all = await app.call(undefined, 'GET', '/portal');
    expect(all.text).not.toContain('<script>alert(1)</script>');
    expect(all.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;某公司');
    expect(all.text).toContain('&lt;b&gt;粗体&lt;/b&gt; &amp; &quot;引号&quot;');
    // invalid filters are ignored, not a JSON error
    expect((await app.call(undefined, 'GET', '/portal?kind=x&page=-3')).status).toBe(200);
    // XSS through the query echoed in the form
    const echoed = await app.call(undefined, 'GET', '/portal?q=%22%3E%3Cscript%3Ex%3C%2Fscript%3E');
    expect(echoed.text).not.toContain('"><script>x</script>');
  });

  it('item page; taken down: reason and explanation only (410); unknown 404', async () => {
    const item = await app.call(undefined, 'GET', `/portal/items/${ids.person}`);
    expect(item.status).toBe(200);
    expect(item.text).toContain('张**');
    expect(item.text).toContain(`/portal/corrections/new?item=${ids.person}`);
    expect(item.text).not.toContain('210502199001011234');
    const gone = await app.call(undefined, 'GET', `/portal/items/${ids.takenDown}`);
    expect(gone.status).toBe(410);
    expect(gone.text).toContain('执法决定被撤销');
    expect(gone.text).toContain('该处罚决定已被复议机关撤销');
    expect(gone.text).not.toContain('秘密内容');
    expect(gone.text).not.toContain('撤销大药房');
    expect((await app.call(undefined, 'GET', `/portal/items/${ids.pending}`)).status).toBe(404);
  });

  it('correction form for a published item only', async () => {
    const form = await app.call(undefined, 'GET', `/portal/corrections/new?item=${ids.pharmacy}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('action="/public/corrections"');
    expect(form.text).toContain(`value="${ids.pharmacy}"`);
    expect((await app.call(undefined, 'GET', `/portal/corrections/new?item=${ids.takenDown}`)).status).toBe(404);
  });
});

describe('pre-disclosure lists, basis changes, statistics', () => {
  it('the unit admin replaces the lists; the unit page shows them; others may not', async () => {
    const admin = await app.token('benxi.ybj', ['admin']);
    const handler = await app.token('benxi.ybj', ['handler']);
    const otherAdmin = await app.token('benxi.wjw', ['admin']);
    const officers = { entries: [{ name: '李明', post: '科员', category: '医疗保障', area: '本溪市', validFrom: '2024-01-01', validUntil: '2028-12-31', certificateNumber: '21050012345' }] };
    expect((await app.call(handler, 'PUT', '/api/units/benxi.ybj/pre-disclosure/officers', officers)).status).toBe(403);
    expect((await app.call(otherAdmin, 'PUT', '/api/units/benxi.ybj/pre-disclosure/officers', officers)).status).toBe(403);
    expect((await app.call(admin, 'PUT', '/api/units/benxi.ybj/pre-disclosure/officers', officers)).status).toBe(200);
    expect(
      (await app.call(admin, 'PUT', '/api/units/benxi.ybj/pre-disclosure/powers', { entries: [{ title: '对骗取医保基金的处罚', basis: '《医疗保障基金使用监督管理条例》第四十条', details: { power: '行政处罚', procedure: '立案—调查—告知—决定', remedies: '行政复议、行政诉讼' } }] })).status,
    ).toBe(200);
    expect((await app.call(admin, 'PUT', '/api/units/benxi.ybj/pre-disclosure/randomInspections', { entries: [{ title: '定点医药机构检查', basis: '条例第二十七条', details: { object: '定点医药机构', method: '双随机', frequency: '每年不少于5%' } }] })).status).toBe(200);
    expect((await app.call(admin, 'PUT', '/api/units/benxi.ybj/pre-disclosure/complaintContacts', { entries: [{ channel: '电话', value: '024-12345678', hours: '工作日 8:30-17:00' }] })).status).toBe(200);
    const page = await app.call(undefined, 'GET', '/portal/units/benxi.ybj');
    expect(page.status).toBe(200);
    for (const s of ['李明', '21050012345', '对骗取医保基金的处罚', '定点医药机构检查', '024-12345678']) expect(page.text).toContain(s);
    const json = await app.call(undefined, 'GET', '/public/units/benxi.ybj');
    expect(json.body.officers[0]).toMatchObject({ name: '李明', certificateNumber: '21050012345' });
    expect((await app.call(undefined, 'GET', '/portal/units/nope')).status).toBe(404);
  });

  it('a basis change is due 20 working days after it takes effect, as the period engine computes', async () => {
    const admin = await app.token('benxi.ybj', ['admin']);
    const res = await app.call(admin, 'POST', '/api/units/benxi.ybj/basis-changes', { effectiveOn: '2026-09-25', description: '《医疗保障基金使用监督管理条例》修订' });
    expect(res.status).toBe(201);
    const expected = statuteDeadline(await new CalendarStore(app.pool).calendar(), 'updatePreDisclosure', '2026-09-25');
    expect(res.body.lastDay).toBe(expected.lastDay);
    expect(new Date(res.body.deadline).toISOString()).toBe(new Date(expected.deadline).toISOString());
    // across the National Day holiday: more than 20 calendar days later
    expect(res.body.lastDay > '2026-10-15').toBe(true);
    expect(res.body.basis).toContain('第二十六条');
    const list = await app.call(admin, 'GET', '/api/units/benxi.ybj/basis-changes');
    expect(list.body).toHaveLength(1);
    expect((await app.call(undefined, 'GET', '/portal/units/benxi.ybj')).text).toContain('《医疗保障基金使用监督管理条例》修订');
    // This app runs without Temporal: the change's clock has not started, so completing it waits
    // (503 + Retry-After); completion through the clock is test/portal/basis-change-workflow.test.ts.
    const done = await app.call(admin, 'POST', `/api/units/benxi.ybj/basis-changes/${res.body.id}/completed`);
    expect(done.status).toBe(503);
    expect(Number(done.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('annual statistics: computed from the data, published, shown with charts', async () => {
    const admin = await app.token('benxi.ybj', ['admin']);
    const figures = await app.call(admin, 'GET', '/api/units/benxi.ybj/statistics/2026');
    expect(figures.status).toBe(200);
    expect(figures.body.disclosures.published).toBeGreaterThanOrEqual(3);
    expect(figures.body.publishedAt).toBeNull();
    expect((await app.call(undefined, 'GET', '/portal/units/benxi.ybj/statistics/2026')).status).toBe(404);
    const pub = await app.call(admin, 'POST', '/api/units/benxi.ybj/statistics/2026/publish');
    expect(pub.status).toBe(201);
    const page = await app.call(undefined, 'GET', '/portal/units/benxi.ybj/statistics/2026');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<svg class="chart"');
    expect(page.text).toContain('按时公示');
    const other = await app.token('benxi.wjw', ['admin']);
    expect((await app.call(other, 'GET', '/api/units/benxi.ybj/statistics/2026')).status).toBe(403);
  });
});
