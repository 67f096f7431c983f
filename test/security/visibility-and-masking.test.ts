/**
 * Issue 14, two findings, on the running service with real resources (test/security/fixtures.ts):
 * 1. No existence oracle: for EVERY id-addressed route of the route table (a new one without a
 *    fixture id fails), another unit asking for an existing id of benxi.ybj gets exactly what it gets
 *    for an id that does not exist — the same status (404 for reads) and the same body apart from
 *    the id itself and the request id; no unit is named.
 * 2. Party data masked: a supervisor (and the unit's own admin) reading each resource that carries a
 *    natural person's data sees the identity number, phone and address only masked; the staff whose
 *    work needs them (domain/personal-data.ts PARTY_DATA_ROLES) see them in full.
 */
import { randomUUID } from 'node:crypto';
import { createApp } from '../../api/app';
import { ROLES } from '../../api/auth';
import type { DeclaredRoute } from '../../api/route';
import { renderEnforcementDocument } from '../../domain/enforcement/documents';
import { DocumentStore } from '../../infra/document-store';
import { logger } from '../../infra/logger';
import { startTestService, type TestService } from '../helpers/service';
import { CONTACT, fill, idAddressed, MASKED, PERSON, seedUnitFixture, type Ids, type UnitFixture } from './fixtures';

const OWN = 'benxi.ybj';
const OTHER = 'benxi.czj'; // a sibling of benxi.ybj, both supervised by benxi.sfj
const SUPERVISING = 'benxi.sfj';
const RAW = [PERSON.idNumber, PERSON.phone, PERSON.address, CONTACT];

/** The body without what differs between two ids: the id (as given and URL-encoded) and the request id. */
function normalised(body: unknown, id: string): string {
  const { requestId: _r, ...rest } = (body && typeof body === 'object' ? body : { body }) as Record<string, unknown>;
  return JSON.stringify(rest).split(id).join('<id>').split(encodeURIComponent(id)).join('<id>');
}

describe('issue 14: no existence oracle; party data masked to those who do not need it', () => {
  let svc: TestService;
  let fx: UnitFixture;
  let table: DeclaredRoute[];
  const tag = `${Date.now() % 1_000_000}`;

  beforeAll(async () => {
    svc = await startTestService();
    table = createApp({ config: svc.config, pool: svc.service.pool, temporal: svc.service.temporal, log: logger.child({}, { level: 'silent' }) }).locals.routeTable;
    fx = await seedUnitFixture(svc, OWN, tag);
  }, 240_000);
  afterAll(async () => svc?.stop());

  it('every id-addressed route: another unit\'s existing id answers exactly as an id that does not exist (reads: 404, no unit named)', async () => {
    const random: Ids = {
      caseNumber: `本医保罚〔2026〕Z${tag}号`,
      documentId: randomUUID(),
      inboxId: randomUUID(),
      reviewId: randomUUID(),
      reviewerId: `zz-person-${tag}`,
      decisionId: randomUUID(),
      enforcementId: randomUUID(),
      disclosureId: randomUUID(),
      correctionId: randomUUID(),
      drawId: randomUUID(),
      planId: `plan-zz-${tag}`,
    };
    const routes = table.filter(idAddressed);
    expect(routes.length).toBeGreaterThan(40);
    const unknown = routes.filter((r) => !fill(r.path, fx, OWN)).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(unknown).toEqual([]); // a new id-addressed route needs its fixture id here

    // Callers that may not see benxi.ybj's resources: another unit with every role (so no role check
    // stops it first), and a handler of the supervising unit (only supervisors and admins read below).
    const callers = [
      { who: `${OTHER} (every role)`, token: await svc.token(OTHER, [...ROLES], 'oracle-other') },
      { who: `${SUPERVISING} handler`, token: await svc.token(SUPERVISING, ['handler'], 'oracle-sfj-handler') },
    ];
    const failures: string[] = [];
    let compared = 0;
    for (const route of routes) {
      const method = route.method.toUpperCase();
      const existing = fill(route.path, fx, OWN)!;
      const missing = fill(route.path, random, OWN)!;
      for (const caller of callers) {
        const send = (path: string) => svc.call(caller.token, method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
        const [a, b] = [await send(existing.path), await send(missing.path)];
        const label = `${method} ${route.path} as ${caller.who}`;
        compared++;
        if (a.status !== b.status) failures.push(`${label}: existing id ${a.status}, missing id ${b.status}`);
        else if (normalised(a.body, existing.id) !== normalised(b.body, missing.id)) failures.push(`${label}: bodies differ: ${normalised(a.body, existing.id)} vs ${normalised(b.body, missing.id)}`);
        if (method === 'GET' && a.status !== 404) failures.push(`${label}: ${a.status}, expected 404`);
        if (JSON.stringify(a.body ?? '').includes(OWN)) failures.push(`${label}: the answer names ${OWN}`);
      }
    }
    expect(failures).toEqual([]);
    expect(compared).toBeGreaterThan(80);

    // The plan of 潞州 (its units only) is as invisible to benxi.czj as a plan that does not exist; 潞州's 司法局 reads it.
    const czj = await svc.token(OTHER, ['head', 'supervisor'], 'oracle-plan');
    const [p1, p2] = [await svc.call(czj, 'GET', `/api/plans/${fx.planId}`), await svc.call(czj, 'GET', `/api/plans/${random.planId!}`)];
    expect([p1.status, normalised(p1.body, fx.planId)]).toEqual([404, normalised(p2.body, random.planId!)]);
    expect((await svc.call(await svc.token('luzhou.sfj', ['supervisor'], 'lz-sup'), 'GET', `/api/plans/${fx.planId}`)).status).toBe(200);
  }, 300_000);

  it('a unit that sees a resource but may not act on it gets 403 naming no unit; the owning unit reads every id-addressed GET', async () => {
    const supervisor = await svc.token(SUPERVISING, ['supervisor', 'admin'], 'sup-reads');
    const owner = await svc.token(OWN, [...ROLES], 'owner-reads');
    for (const route of table.filter((r) => idAddressed(r) && r.method === 'get' && !r.path.startsWith('/api/plans/'))) {
      const { path } = fill(route.path, fx, OWN)!;
      expect([route.path, (await svc.call(owner, 'GET', path)).status]).toEqual([route.path, 200]);
      expect([route.path, (await svc.call(supervisor, 'GET', path)).status]).toEqual([route.path, 200]);
    }
    // The supervising unit's admin may record draw results by role, but the draw is not its unit's.
    const admin = await svc.token(SUPERVISING, ['admin'], 'sup-admin');
    const res = await svc.call(admin, 'POST', `/api/draws/${fx.drawId}/results`, { entity: 'x', finishedAt: '2026-01-05', normal: true, findings: '正常' });
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).not.toMatch(/benxi\./);
  });

  it('a supervisor (and the unit\'s own admin) sees a natural person\'s identity number, phone and address only masked; the owning handler sees them in full', async () => {
    // A 催告书 as the enforcement activity stores it (renderEnforcementDocument names the party in full).
    const rendered = renderEnforcementDocument(
      { kind: 'demand', view: { caseNumber: fx.caseNumber, decisionNumber: `F-D${tag}`, obligation: { kind: 'fine', amountFen: 300_000 }, performanceLastDay: '2026-02-01' } as never, asOf: '2026-02-10', unitName: '本溪市医疗保障局' },
      { ...PERSON },
    );
    expect(rendered.html).toContain(PERSON.idNumber);
    const demand = await new DocumentStore(svc.service.pool).store({ unit: OWN, caseNumber: fx.caseNumber, kind: 'demand', title: rendered.title, contentType: 'text/html; charset=utf-8', content: rendered.html, idempotencyKey: `masking-test:${tag}` });

    const readers = {
      supervisor: await svc.token(SUPERVISING, ['supervisor'], 'sup-mask'),
      ownAdmin: await svc.token(OWN, ['admin'], 'admin-mask'),
    };
    const handler = await svc.token(OWN, ['handler'], 'handler-full');
    const publisher = await svc.token(OWN, ['publisher'], 'publisher-full');
    const q = `unit=${OWN}`;
    const paths = [
      `/api/reviews/${fx.reviewId}`,
      `/api/reviews?${q}`,
      `/api/decisions?${q}`,
      `/api/enforcements/${fx.enforcementId}`,
      `/api/enforcements?${q}`,
      `/api/disclosures/${fx.disclosureId}`,
      `/api/cases/${encodeURIComponent(fx.caseNumber)}?${q}`,
      `/api/cases/${encodeURIComponent(fx.caseNumber)}/record?${q}`,
      `/api/cases/${encodeURIComponent(fx.reviewCaseNumber)}/record?${q}`,
      `/api/cases/${encodeURIComponent(fx.caseNumber)}/documents?${q}`,
      `/api/cases/${encodeURIComponent(fx.reviewCaseNumber)}/documents?${q}`,
      `/api/documents/${demand.id}`,
      `/api/documents/${fx.documentId}`,
      `/api/corrections/${fx.correctionId}`,
      `/api/corrections`,
      `/api/notifications?${q}`,
      `/public/disclosures.csv`,
      `/public/disclosures.json`,
    ];
    for (const [who, token] of Object.entries(readers)) {
      for (const path of paths) {
        const res = await svc.call(path.startsWith('/public/') ? undefined : token, 'GET', path);
        expect([who, path, res.status]).toEqual([who, path, 200]);
        const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
        for (const raw of RAW) if (text.includes(raw)) throw new Error(`${who} GET ${path} shows ${raw}`);
      }
      // …and the masked forms are there.
      expect((await svc.call(token, 'GET', `/api/reviews/${fx.reviewId}`)).body.party).toEqual({ kind: 'person', name: PERSON.name, idNumber: MASKED.idNumber });
      const decision = (await svc.call(token, 'GET', `/api/decisions?${q}`)).body.items.find((d: { id: string }) => d.id === fx.decisionId);
      expect(decision.party).toEqual({ kind: 'person', name: PERSON.name, ...MASKED });
      const doc = await svc.call(token, 'GET', `/api/documents/${demand.id}`);
      expect(String(doc.body)).toContain(MASKED.idNumber);
      expect(String(doc.body)).toContain(MASKED.address);
      expect(doc.headers.get('x-content-masked')).toBe('party-data');
      const correction = (await svc.call(token, 'GET', `/api/corrections/${fx.correctionId}`)).body;
      expect(correction.contact).toBe('139****5678');
      expect(correction.request).toContain('罚款金额有误');
    }

    // The owning unit's handler (a role whose work needs them) sees everything in full.
    expect((await svc.call(handler, 'GET', `/api/reviews/${fx.reviewId}`)).body.party).toEqual({ kind: 'person', name: PERSON.name, idNumber: PERSON.idNumber });
    expect((await svc.call(handler, 'GET', `/api/decisions?${q}`)).body.items.find((d: { id: string }) => d.id === fx.decisionId).party).toEqual(PERSON);
    const full = await svc.call(handler, 'GET', `/api/documents/${demand.id}`);
    expect(String(full.body)).toContain(PERSON.idNumber);
    expect(String(full.body)).toContain(PERSON.address);
    expect(full.headers.get('x-content-masked')).toBeNull();
    expect(full.headers.get('etag')).toBe(`"sha256-${demand.sha256}"`);
    // A correction request's applicant: in full to the publisher who decides it.
    const decided = (await svc.call(publisher, 'GET', `/api/corrections/${fx.correctionId}`)).body;
    expect(decided.contact).toBe(CONTACT);
    expect(decided.request).toContain(PERSON.idNumber);
  }, 120_000);
});
