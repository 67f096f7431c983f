/**
 * Attacks on the running service (real API + worker, real Postgres, the run's dev server):
 * forged / expired / alg:none / HS384 / no-exp / no-audience tokens, a token for a unit that does not
 * exist, hostile payloads (NUL, lone surrogates, year 0000 and 9999, 1 MB strings, 10,000-element
 * arrays, prototype keys) and the same person in two roles approving their own request.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { AUDIENCE, signToken, verifyToken } from '../../api/auth';
import { assertJwtSecretAllowed, ConfigError, isLoopbackHost, LOCAL_JWT_SECRET, loadConfig } from '../../infra/config';
import { startTestService, type TestService } from '../helpers/service';

const UNIT = 'benxi.ybj';
const now = () => Math.floor(Date.now() / 1000);
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('the local default secret', () => {
  const base = { JWT_SECRET: '' };
  it('is accepted only on loopback with the embedded backing services', () => {
    expect(() => assertJwtSecretAllowed(loadConfig({ ...base }))).not.toThrow(); // HOST default 127.0.0.1, embedded
    expect(() => assertJwtSecretAllowed(loadConfig({ ...base, HOST: '0.0.0.0' }))).toThrow(/HOST 0\.0\.0\.0 is not loopback/);
    expect(() => assertJwtSecretAllowed(loadConfig({ ...base, DATABASE_URL: 'postgres://x@db/x' }))).toThrow(/DATABASE_URL/);
    expect(() => assertJwtSecretAllowed(loadConfig({ ...base, TEMPORAL_ADDRESS: 'temporal:7233' }))).toThrow(ConfigError);
    expect(() => assertJwtSecretAllowed(loadConfig({ ...base, HOST: '10.0.0.5', JWT_SECRET: 'x'.repeat(40) }))).not.toThrow();
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', 'example.org', '128.0.0.1'].some(isLoopbackHost)).toBe(false);
  });
  it('the service does not start with it and an external database', async () => {
    await expect(startTestService({ JWT_SECRET: LOCAL_JWT_SECRET })).rejects.toThrow(/JWT_SECRET: the local development secret is refused/);
  });
});

describe('tokens', () => {
  const secret = 'a-test-secret-that-is-long-enough-0123456789';
  it('signToken gives exp, iat, sub and the audience; lifetimes over 7 days are refused', async () => {
    const token = await signToken(secret, { personId: 'p', unit: UNIT, roles: ['handler'] });
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'p', aud: AUDIENCE, iat: expect.any(Number), exp: expect.any(Number), roles: ['handler'] });
    expect(claims.exp - claims.iat).toBe(3600);
    await expect(signToken(secret, { personId: 'p', unit: UNIT, roles: ['handler'] }, '30d')).rejects.toThrow(/at most 7 days/);
    await expect(verifyToken(secret, token)).resolves.toEqual({ personId: 'p', unit: UNIT, roles: ['handler'] });
  });
});

describe('attacks on the running service', () => {
  let svc: TestService;
  let key: Uint8Array;
  const craft = (claims: Record<string, unknown>, alg = 'HS256') =>
    new SignJWT({ unit: UNIT, roles: ['handler'], ...claims }).setProtectedHeader({ alg }).sign(key);
  const good = (extra: Record<string, unknown> = {}) => ({ sub: 'attacker', iss: 'sanxiang', aud: AUDIENCE, iat: now(), exp: now() + 600, ...extra });

  beforeAll(async () => {
    svc = await startTestService();
    key = new TextEncoder().encode(svc.config.JWT_SECRET);
  });
  afterAll(async () => svc?.stop());

  const me = (token: string | undefined) => svc.call(token, 'GET', '/api/me');

  it('a well-formed token works (the control)', async () => {
    expect((await me(await craft(good()))).status).toBe(200);
  });

  it.each<[string, () => Promise<string>]>([
    ['forged (another secret)', () => signToken('another-secret-0123456789-0123456789-xx', { personId: 'x', unit: UNIT, roles: ['admin'] })],
    ['forged (the local default secret)', () => signToken(LOCAL_JWT_SECRET, { personId: 'x', unit: UNIT, roles: ['admin'] })],
    ['expired', () => craft(good({ iat: now() - 7200, exp: now() - 3600 }))],
    ['without exp', () => craft(good({ exp: undefined }))],
    ['without iat', () => craft(good({ iat: undefined }))],
    ['without sub', () => craft(good({ sub: undefined }))],
    ['without audience', () => craft(good({ aud: undefined }))],
    ['for another audience', () => craft(good({ aud: 'temporal-ui' }))],
    ['living longer than 7 days', () => craft(good({ exp: now() + 30 * 86400 }))],
    ['issued in the future', () => craft(good({ iat: now() + 3600, exp: now() + 7200 }))],
    ['HS384', () => craft(good(), 'HS384')],
    ['HS512', () => craft(good(), 'HS512')],
    ['alg:none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...good(), unit: UNIT, roles: ['admin'] })}.`],
    ['alg:none with a signature', async () => `${b64({ alg: 'none' })}.${b64({ ...good(), unit: UNIT, roles: ['admin'] })}.${'A'.repeat(43)}`],
    ['an unknown role', () => craft(good({ roles: ['root'] }))],
    ['garbage', async () => 'not.a.token'],
  ])('%s → 401', async (_name, make) => {
    const res = await me(await make());
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body)).not.toMatch(/stack|at .*\.ts/);
  });

  it('no token → 401; a token for a unit that does not exist → 403 (not 500) on every kind of route', async () => {
    expect((await me(undefined)).status).toBe(401);
    const ghost = await svc.token('nowhere.xyz', ['handler', 'head', 'admin', 'supervisor']);
    for (const [method, path, body] of [
      ['GET', '/api/me'],
      ['GET', '/api/cases'],
      ['POST', '/api/reviews', { caseNumber: 'x' }],
      ['GET', '/api/notifications'],
    ] as Array<[string, string, unknown?]>) {
      const res = await svc.call(ghost, method, path, body);
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
  });

  describe('hostile payloads: a clean 4xx, never a 5xx', () => {
    let handler: string;
    beforeAll(async () => {
      handler = await svc.token(UNIT, ['handler'], 'handler-attack');
    });
    const submission = (overrides: Record<string, unknown> = {}) => ({
      caseNumber: `本医保罚〔2026〕${randomUUID().slice(0, 8)}号`,
      title: '某诊所串换药品骗取医保基金',
      decisionKind: 'penalty',
      procedure: 'general',
      scope: { majorRights: true },
      party: { kind: 'organisation', name: '本溪某诊所' },
      caseDeadline: '2099-12-31',
      caseDeadlineBasis: '承办机构填报（测试）',
      interestedPersons: [],
      materials: [{ kind: 'statement', ref: 'doc://statement' }],
      ...overrides,
    });
    const raw = async (path: string, body: string, token = handler) => {
      const res = await fetch(svc.baseUrl + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      return { status: res.status, text: await res.text() };
    };

    it.each<[string, Record<string, unknown>]>([
      ['NUL in a string', { title: 'a\u0000b' }],
      ['a lone surrogate', { title: 'a\ud800b' }],
      ['year 0000', { caseDeadline: '0000-01-01' }],
      ['year 9999', { caseDeadline: '9999-12-31' }],
      ['a 1 MB string', { title: 'x'.repeat(1_000_000) }],
      ['a 10,000-element array', { materials: Array.from({ length: 10_000 }, (_, i) => ({ kind: 'statement', ref: `doc://${i}` })) }],
      ['a 10,000-element array of junk', { interestedPersons: Array.from({ length: 10_000 }, () => 'x') }],
      ['an object where a string belongs', { title: { $gt: '' } }],
    ])('%s', async (_name, overrides) => {
      const res = await svc.call(handler, 'POST', '/api/reviews', submission(overrides));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    });

    it('lone surrogates and NUL in the path and query', async () => {
      for (const path of ['/api/reviews/%00', '/api/reviews/%ED%A0%80', '/api/cases?status=%00', '/api/reviews/' + 'x'.repeat(5000)]) {
        const res = await svc.call(handler, 'GET', path);
        expect([path, res.status >= 400 && res.status < 500]).toEqual([path, true]);
      }
    });

    it('prototype keys (__proto__, constructor, prototype) pollute nothing', async () => {
      const bodies = [
        `{"__proto__":{"roles":["admin"],"polluted":true},"caseNumber":"x"}`,
        `{"constructor":{"prototype":{"polluted":true}},"caseNumber":"x"}`,
        JSON.stringify(submission()).replace(/^\{/, '{"__proto__":{"polluted":true},"party":{"kind":"organisation","name":"n","__proto__":{"polluted":true}},'),
      ];
      for (const body of bodies) {
        const res = await raw('/api/reviews', body);
        expect(res.status).toBeLessThan(500);
      }
      expect(({} as any).polluted).toBeUndefined();
      expect((Object.prototype as any).roles).toBeUndefined();
      // A prototype key in a token's claims does not grant a role either.
      const token = await new SignJWT({ unit: UNIT, roles: ['handler'], ['__proto__']: { roles: ['admin'] } } as any)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('p').setIssuer('sanxiang').setAudience(AUDIENCE).setIssuedAt().setExpirationTime('5m')
        .sign(key);
      const who = await me(token);
      expect(who.status).toBeLessThan(500);
      if (who.status === 200) expect(JSON.stringify(who.body)).not.toContain('admin');
    });

    it('malformed JSON and a body over the limit: 4xx', async () => {
      expect((await raw('/api/reviews', '{"title": ')).status).toBe(400);
      const huge = await raw('/api/reviews', JSON.stringify({ title: 'x'.repeat(3_000_000) }));
      expect(huge.status).toBe(413);
    });
  });

  it('the same person holding reviewer and head cannot approve their own extension request (409)', async () => {
    const head = await svc.token(UNIT, ['head'], 'head-attack');
    const handler = await svc.token(UNIT, ['handler'], 'handler-attack-2');
    const both = await svc.token(UNIT, ['reviewer', 'head'], 'reviewer-and-head');
    const profile = await svc.call(head, 'PUT', '/api/reviewers/reviewer-and-head', {
      name: '兼任者', lawDegree: true, legalWorkYears: 4, enforcementYears: 1, legalProfessionQualification: true, reviewedPenaltyBefore: true,
    });
    expect(profile.status).toBe(201);
    const created = await svc.call(handler, 'POST', '/api/reviews', {
      caseNumber: `本医保罚〔2026〕${randomUUID().slice(0, 8)}号`,
      title: '兼任审批测试', decisionKind: 'penalty', procedure: 'general', scope: { majorRights: true },
      party: { kind: 'organisation', name: '本溪某诊所' }, caseDeadline: '2099-12-31', caseDeadlineBasis: '承办机构填报（测试）', interestedPersons: [],
      materials: [{ kind: 'statement', ref: 'doc://statement' }, { kind: 'draft_decision', ref: 'doc://draft', sha256: 'd'.repeat(64) }],
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    try {
      expect((await svc.call(head, 'POST', `/api/reviews/${id}/assignment`, { reviewerId: 'reviewer-and-head' })).status).toBe(200);
      const asked = await svc.call(both, 'POST', `/api/reviews/${id}/extension`, { reason: '案情复杂，需调取外省材料' });
      expect(asked.status).toBe(200);
      const self = await svc.call(both, 'POST', `/api/reviews/${id}/extension/decision`, { approve: true, note: '同意' });
      expect(self.status).toBe(409);
      expect(self.body).toMatchObject({ rule: 'same_person_extension' });
    } finally {
      await svc.call(handler, 'POST', `/api/reviews/${id}/withdrawal`, { reason: '测试结束' });
    }
  });
});
