/**
 * The authorization matrix, generated from the route table (api/route.ts `Routes.table`): every
 * route × every role × the principal's own unit / another unit / the supervising unit, and the public
 * (no token). Bodies do not validate; an id-addressed route (/api/reviews/:id, /api/cases/:caseNumber,
 * …) names a REAL resource of benxi.ybj (test/security/fixtures.ts). An allowed request must get
 * past authentication and authorization (not 401/403), a denied one must get 401/403/404, and
 * nothing may answer 5xx. Id-addressed, with a role the route admits (issue 14, no existence
 * oracle): another unit gets exactly 404 (for a write also 400, when the body is refused before the
 * resource is looked up, as it is for any id); the supervising unit's supervisor/admin reads (GET)
 * and gets 403 for a write (it sees, it does not act), its other roles 404. The expected roles and
 * scope of each route are written down below; a route missing here (or differing) fails the test:
 * deny by default.
 */
import { createApp } from '../../api/app';
import { ROLES, type Role } from '../../api/auth';
import { logger } from '../../infra/logger';
import type { DeclaredRoute } from '../../api/route';
import { startTestService, type TestService } from '../helpers/service';
import { fill, idAddressed, seedUnitFixture, type Ids } from './fixtures';

/** 'METHOD path': '<roles: public | any | r1,r2> | <scope>' */
const MATRIX: Record<string, string> = {
  'GET /api/me': 'any | unit',
  'GET /api/units': 'any | unit',
  'GET /api/units/:code/review-catalogue': 'any | supervisor-read',
  'PUT /api/units/:code/review-catalogue': 'head,legal_office_lead | unit',
  'PUT /api/units/:code/enforcement-officers': 'head,admin | unit',
  'GET /api/units/:code/review-staffing': 'any | supervisor-read',
  'PUT /api/calendar/years/:year': 'calendar_admin | any-unit',
  'GET /api/calendar/years': 'any | unit',
  'GET /api/calendar/years/:year': 'any | unit',
  'GET /api/calendar/years/:year/history': 'any | any-unit',
  'GET /api/calendar/days': 'any | unit',
  'POST /api/cases': 'handler | unit',
  'GET /api/cases/:caseNumber': 'any | unit',
  'POST /api/cases/:caseNumber/urgent-approval': 'head | unit',
  'POST /api/cases/:caseNumber/av-records': 'handler | unit',
  'POST /api/cases/:caseNumber/av-records/:id/stored': 'handler | unit',
  'POST /api/cases/:caseNumber/enforcement-ended': 'handler | unit',
  'POST /api/cases/:caseNumber/archive': 'handler | unit',
  'GET /api/cases/:caseNumber/av-records': 'any | unit',
  'GET /api/cases/:caseNumber/av-records/:id': 'any | unit',
  'GET /api/cases/:caseNumber/record': 'any | unit',
  'GET /api/cases/:caseNumber/record/verify': 'any | unit',
  'GET /api/cases/:caseNumber/documents': 'any | unit',
  'GET /api/documents/:id': 'any | unit',
  'GET /api/inbox': 'any | unit',
  'POST /api/inbox/:id/ack': 'any | unit',
  'GET /api/notifications': 'any | unit',
  'GET /api/units/:code/channels': 'any | unit',
  'PUT /api/units/:code/webhook': 'admin | unit',
  'DELETE /api/units/:code/webhook': 'admin | unit',
  'PUT /api/units/:code/email': 'admin | unit',
  'POST /api/reviews': 'handler | unit',
  'POST /api/cases/:caseNumber/decision-period-extension': 'head | unit',
  'GET /api/reviews': 'any | unit',
  'GET /api/reviews/:id': 'any | unit',
  'POST /api/reviews/:id/materials': 'handler | unit',
  'POST /api/reviews/:id/assignment': 'head,legal_office_lead,reviewer | unit',
  'POST /api/reviews/:id/recusal': 'reviewer | unit',
  'POST /api/reviews/:id/recusal-order': 'head | unit',
  'POST /api/reviews/:id/extension': 'reviewer | unit',
  'POST /api/reviews/:id/extension/decision': 'head | unit',
  'POST /api/reviews/:id/opinion': 'reviewer | unit',
  'POST /api/reviews/:id/resubmission': 'handler | unit',
  'POST /api/reviews/:id/dispute': 'handler | unit',
  'POST /api/reviews/:id/dispute/decision': 'head | unit',
  'POST /api/reviews/:id/materials-request': 'reviewer | unit',
  'POST /api/reviews/:id/withdrawal': 'handler,head | unit',
  'POST /api/reviews/:id/participant-view': 'reviewer,legal_office_lead,head | unit',
  'PUT /api/reviewers/:personId': 'head,admin | unit',
  'GET /api/reviewers': 'any | unit',
  'GET /api/reviewers/:personId': 'any | unit',
  'GET /api/reviewers/:personId/history': 'any | unit',
  'POST /api/decisions': 'handler,head | unit',
  'GET /api/decisions': 'any | unit',
  'POST /api/decisions/:id/service': 'handler,head | unit',
  'GET /api/enforcements/:id': 'any | unit',
  'GET /api/enforcements': 'any | unit',
  'POST /api/enforcements/:id/payments': 'handler,head | unit',
  'POST /api/enforcements/:id/deferral': 'head | unit',
  'POST /api/enforcements/:id/correction-check': 'handler,head | unit',
  'POST /api/enforcements/:id/demand': 'handler,head | unit',
  'POST /api/enforcements/:id/demand/service': 'handler,head | unit',
  'POST /api/enforcements/:id/statements': 'handler,head | unit',
  'POST /api/enforcements/:id/statements/:n/review': 'handler,head | unit',
  'POST /api/enforcements/:id/enforcement-decision': 'head,handler | unit',
  'POST /api/enforcements/:id/execution': 'handler,head | unit',
  'POST /api/enforcements/:id/agreement': 'handler,head | unit',
  'POST /api/enforcements/:id/agreement/broken': 'handler,head | unit',
  'POST /api/enforcements/:id/court-application': 'handler,head | unit',
  'POST /api/enforcements/:id/court-ruling': 'handler,head | unit',
  'POST /api/enforcements/:id/suspension': 'head | unit',
  'POST /api/enforcements/:id/resumption': 'head | unit',
  'POST /api/enforcements/:id/termination': 'head | unit',
  'GET /api/disclosures/:id': 'any | unit',
  'GET /api/disclosures': 'any | unit',
  'POST /api/decisions/:id/changes': 'handler,head | unit',
  'POST /api/disclosures/:id/check': 'publisher | unit',
  'POST /api/disclosures/:id/resubmit': 'handler,head,publisher | unit',
  'POST /api/disclosures/:id/takedown': 'publisher,head | unit',
  'POST /public/corrections': 'public | public',
  'GET /public/corrections/:code': 'public | public',
  'GET /api/corrections': 'any | unit',
  'GET /api/corrections/:id': 'any | unit',
  'POST /api/corrections/:id/decision': 'publisher,head | unit',
  'GET /api/process-starts': 'admin,supervisor | unit',
  'GET /public/disclosures': 'public | public',
  'GET /public/disclosures.csv': 'public | public',
  'GET /public/disclosures.json': 'public | public',
  'GET /public/disclosures/:id': 'public | public',
  'GET /portal/feed.atom': 'public | public',
  'GET /public/anchors': 'public | public',
  'GET /public/anchors/:date': 'public | public',
  'GET /portal/style.css': 'public | public',
  'GET /portal': 'public | public',
  'GET /portal/items/:id': 'public | public',
  'GET /portal/units': 'public | public',
  'GET /portal/units/:code': 'public | public',
  'GET /portal/units/:code/statistics/:year': 'public | public',
  'GET /portal/corrections/new': 'public | public',
  'GET /public/units/:code': 'public | public',
  'GET /api/units/:code/pre-disclosure': 'any | supervisor-read',
  'PUT /api/units/:code/pre-disclosure/officers': 'admin | unit',
  'PUT /api/units/:code/pre-disclosure/powers': 'admin | unit',
  'PUT /api/units/:code/pre-disclosure/randomInspections': 'admin | unit',
  'PUT /api/units/:code/pre-disclosure/complaintContacts': 'admin | unit',
  'POST /api/units/:code/basis-changes': 'admin | unit',
  'GET /api/units/:code/basis-changes': 'any | supervisor-read',
  'POST /api/units/:code/basis-changes/:id/completed': 'admin | unit',
  'GET /api/units/:code/statistics/:year': 'any | supervisor-read',
  'POST /api/units/:code/statistics/:year/publish': 'admin,publisher | unit',
  'GET /public/units/:code/statistics': 'public | public',
  'GET /api/plan-templates': 'any | unit',
  'POST /api/plans': 'head,admin,plan_office | unit',
  'GET /api/plans': 'any | unit',
  'GET /api/plans/:id': 'any | unit',
  'GET /api/plans/:id/chart.svg': 'any | unit',
  'POST /api/plans/:id/steps/:step/reports': 'handler,head,admin,plan_office | unit',
  'POST /api/plans/:id/steps/:step/completion': 'head,admin,plan_office | unit',
  'POST /api/plans/:id/steps/:step/signoff': 'head,admin,supervisor | unit',
  'POST /api/draws': 'head,admin,handler | unit',
  'GET /api/draws/:id': 'any | unit',
  'GET /public/draws/:id': 'public | public',
  'POST /api/draws/:id/results': 'handler,head,admin | unit',
  'PUT /api/units/:code/inspection-matters/:matter': 'head,admin | unit',
  'GET /api/units/:code/inspection-matters': 'any | supervisor-read',
  'PUT /api/units/:code/entities': 'head,admin | unit',
  'PUT /api/units/:code/inspectors': 'head,admin | unit',
  'PUT /api/units/:code/inspection-conflicts': 'head,admin | unit',
  'PUT /api/units/:code/inspection-matters/:matter/schedule': 'head,admin | unit',
  'GET /api/units/:code/inspection-directory': 'any | supervisor-read',
};

const OWN = 'benxi.ybj'; // supervised by benxi.sfj
const OTHER = 'benxi.czj'; // a sibling, also supervised by benxi.sfj
const SUPERVISING = 'benxi.sfj';

const concretePath = (path: string, unit: string) =>
  path
    .replace(':code', unit)
    .replace(':year', '1900')
    .replace(':n', '1')
    .replace(/:\w+/g, 'zz-none-0');

const rolesText = (r: DeclaredRoute) => (r.roles === undefined ? 'public' : r.roles.length === 0 ? 'any' : r.roles.join(','));

describe('authorization matrix (generated from the route table)', () => {
  let svc: TestService;
  let table: DeclaredRoute[];
  let ids: Ids;
  beforeAll(async () => {
    svc = await startTestService();
    // The same createApp the service runs: its route table.
    table = createApp({ config: svc.config, pool: svc.service.pool, temporal: svc.service.temporal, log: logger.child({}, { level: 'silent' }) }).locals.routeTable;
    // Real resources of OWN; the plan of the fixture is 潞州's (not OWN's): plans keep ids that do not exist.
    const { planId: _plan, ...own } = await seedUnitFixture(svc, OWN, `${Date.now() % 1_000_000}`);
    ids = own;
  }, 240_000);
  afterAll(async () => svc?.stop());

  it('every route has its entry, and the entry matches the route\'s roles and scope', () => {
    expect(Array.isArray(table) && table.length > 50).toBe(true);
    const actual = Object.fromEntries(table.map((r) => [`${r.method.toUpperCase()} ${r.path}`, `${rolesText(r)} | ${r.scope}`]));
    const missing = Object.keys(actual).filter((k) => !(k in MATRIX));
    const stale = Object.keys(MATRIX).filter((k) => !(k in actual));
    const differing = Object.keys(actual).filter((k) => k in MATRIX && MATRIX[k] !== actual[k]).map((k) => `${k}: table '${actual[k]}', matrix '${MATRIX[k]}'`);
    expect({ missing, stale, differing }).toEqual({ missing: [], stale: [], differing: [] });
  });

  it('every route × every role × own / other / supervising unit, and the public', async () => {
    /** `not-found`: exactly 404 (a write: or 400, its body refused before any lookup); `read-only`: 403 (a write: or 400). */
    type Case = { route: DeclaredRoute; who: string; token?: string; path: string; expect: 'allowed' | 'denied' | 'not-found' | 'read-only'; requester?: string };
    const cases: Case[] = [];
    const tokens = new Map<string, string>();
    const tokenFor = async (unit: string, role: Role) => {
      const k = `${unit}/${role}`;
      if (!tokens.has(k)) tokens.set(k, await svc.token(unit, [role], `matrix-${role}`));
      return tokens.get(k)!;
    };
    for (const route of table) {
      const publicRoute = route.roles === undefined;
      const unitInPath = route.path.includes(':code');
      // An id-addressed route on a real resource of OWN (plans: none of OWN's, ids that do not exist).
      const real = idAddressed(route) ? fill(route.path, ids, OWN) : undefined;
      const path = real?.path ?? concretePath(route.path, OWN);
      cases.push({ route, who: 'public', path, expect: publicRoute ? 'allowed' : 'denied' });
      for (const role of ROLES) {
        const roleOk = publicRoute || route.roles!.length === 0 || route.roles!.includes(role);
        for (const [relation, unit] of [['own', OWN], ['other', OTHER], ['supervising', SUPERVISING]] as const) {
          let expect: Case['expect'] = roleOk ? 'allowed' : 'denied';
          if (roleOk && unitInPath && !publicRoute && relation !== 'own') {
            if (route.scope === 'unit') expect = 'denied';
            else if (route.scope === 'supervisor-read') expect = relation === 'supervising' && (role === 'supervisor' || role === 'admin') ? 'allowed' : 'denied';
          }
          if (roleOk && real && relation !== 'own') {
            // Supervisors and admins read what their units hold (not their inboxes); they act on none of it.
            const sees = relation === 'supervising' && (role === 'supervisor' || role === 'admin') && !route.path.startsWith('/api/inbox/');
            expect = !sees ? 'not-found' : route.method === 'get' ? 'allowed' : 'read-only';
          }
          cases.push({ route, who: `${role}@${relation}`, token: await tokenFor(unit, role), path, expect, requester: unit });
        }
      }
    }

    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        const method = c.route.method.toUpperCase();
        const res = await svc.call(c.token, method, c.path, method === 'GET' || method === 'DELETE' ? undefined : {});
        const label = `${method} ${c.route.path} as ${c.who} → ${res.status}`;
        if (res.status >= 500) failures.push(`${label} (server error)`);
        else if (c.expect === 'allowed' && (res.status === 401 || res.status === 403)) failures.push(`${label}, expected allowed`);
        else if (c.expect === 'denied' && ![401, 403, 404].includes(res.status)) failures.push(`${label}, expected 401/403/404`);
        else if (c.expect === 'denied' && c.token === undefined && res.status !== 401) failures.push(`${label}, expected 401 without a token`);
        else if (c.expect === 'not-found' && !(res.status === 404 || (method !== 'GET' && res.status === 400))) failures.push(`${label}, expected 404 (another unit's resource answers as a missing one)`);
        else if (c.expect === 'read-only' && !(res.status === 403 || res.status === 400)) failures.push(`${label}, expected 403 (a supervising unit reads, it does not act)`);
        if (res.status === 403 && c.requester && c.requester !== OWN && JSON.stringify(res.body).includes(OWN)) failures.push(`${label}: the 403 names unit ${OWN}`);
      }
    };
    await Promise.all(Array.from({ length: 12 }, worker));
    expect(cases.length).toBeGreaterThan(1000);
    // The id-addressed routes are checked on real resources: many cases expect exactly 404, some 403.
    expect(cases.filter((c) => c.expect === 'not-found').length).toBeGreaterThan(300);
    expect(cases.filter((c) => c.expect === 'read-only').length).toBeGreaterThanOrEqual(2); // admin@supervising: draw results, a reviewer's profile
    expect(failures).toEqual([]);
  }, 600_000);
});
