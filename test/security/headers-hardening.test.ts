/**
 * The smaller hardening items: document headers (nosniff, CSP, Content-Disposition), /ready without
 * internal error text, rate limits per token and per IP (API and portal), personal data redacted in
 * logs, request and statement timeouts.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createApp } from '../../api/app';
import { DEMO_PERSON_ID, signToken } from '../../api/auth';
import { loadConfig } from '../../infra/config';
import { createPool } from '../../infra/db';
import { DocumentStore } from '../../infra/document-store';
import { logger, REDACT_PATHS } from '../../infra/logger';
import { freshDatabase } from '../helpers/database';
import { startTestService, type TestService } from '../helpers/service';

describe('documents and system routes on the running service', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => svc?.stop());

  it('a stored HTML document: nosniff, a sandboxing CSP, Content-Disposition with its name', async () => {
    const doc = await new DocumentStore(svc.service.pool).store({
      unit: 'benxi.ybj', caseNumber: 'HDR-1', kind: 'test', title: '意见书<script>', contentType: 'text/html; charset=utf-8',
      content: '<html><body><script>alert(1)</script>意见</body></html>', idempotencyKey: `hdr-${Date.now()}`,
    });
    const token = await svc.token('benxi.ybj', ['handler']);
    const res = await svc.call(token, 'GET', `/api/documents/${doc.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/script-src/);
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="document"; filename*=UTF-8''${encodeURIComponent('意见书<script>')}`);
    // Another unit: not found (no existence oracle).
    expect((await svc.call(await svc.token('benxi.czj', ['handler']), 'GET', `/api/documents/${doc.id}`)).status).toBe(404);
  });

  it('JSON answers carry nosniff and a CSP without active content', async () => {
    const res = await svc.call(await svc.token('benxi.ybj', ['handler']), 'GET', '/api/me');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('request timeout and statement timeout are set', async () => {
    expect((svc.service.server as Server).requestTimeout).toBe(svc.config.REQUEST_TIMEOUT_MS);
    const pool = createPool(svc.config.DATABASE_URL!, 1, 200);
    try {
      await expect(pool.query('SELECT pg_sleep(2)')).rejects.toThrow(/statement timeout/);
    } finally {
      await pool.end();
    }
    expect((await svc.service.pool.query('SHOW statement_timeout')).rows[0].statement_timeout).toBe(`${svc.config.STATEMENT_TIMEOUT_MS / 1000}s`);
  });
});

describe('an API whose Temporal is away, with tight rate limits', () => {
  let server: Server;
  let baseUrl: string;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const secret = 'headers-test-secret-0123456789-abcdefgh';
  beforeAll(async () => {
    db = await freshDatabase();
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: db.url, JWT_SECRET: secret, RATE_LIMIT_PER_IP: '40', RATE_LIMIT_PER_TOKEN: '5' });
    // A Temporal that fails with internal detail in its error text.
    const temporal = { connection: { workflowService: { getSystemInfo: () => Promise.reject(new Error('14 UNAVAILABLE: connect ECONNREFUSED 10.1.2.3:7233 (internal detail)')) } } } as any;
    const app = createApp({ config, pool: db.pool, temporal, log: logger.child({}, { level: 'silent' }) });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await db.drop();
  });

  it('/ready says what is unavailable, not why (no internal error text)', async () => {
    const res = await fetch(`${baseUrl}/ready`);
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|internal detail/);
    const body = JSON.parse(text);
    expect(body).toEqual({ status: 'not ready', checks: { postgres: 'ok', temporal: 'unavailable' } });
  });

  it('per token: the 6th request in a minute is 429; another token still passes; then per IP (the portal too)', async () => {
    const t1 = await signToken(secret, { personId: DEMO_PERSON_ID, unit: 'benxi.ybj', roles: ['handler'] });
    const t2 = await signToken(secret, { personId: 'other', unit: 'benxi.ybj', roles: ['handler'] });
    const me = (t: string) => fetch(`${baseUrl}/api/me`, { headers: { authorization: `Bearer ${t}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await me(t1)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await me(t1);
    expect(limited.headers.get('ratelimit-policy') ?? limited.headers.get('ratelimit')).toBeTruthy();
    expect((await me(t2)).status).toBe(200);
    // Per IP: 40 a minute over everything (8 used so far).
    const portal: number[] = [];
    for (let i = 0; i < 40; i++) portal.push((await fetch(`${baseUrl}/portal/style.css`)).status);
    expect(portal.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(portal.at(-1)).toBe(429);
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200); // probes are exempt
  });
});

describe('logs', () => {
  it('redact the party, identity numbers, phones, addresses and the Authorization header', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    log.info({ req: { headers: { authorization: 'Bearer eyJ.secret.sig' } }, body: { party: { name: '张三', idNumber: '210502199001011234', phone: '13800000000' } }, submission: { details: { address: '本溪市平山区某路1号' } }, idNumber: '210502199001011234' }, 'submitted');
    const out = lines.join('');
    for (const secret of ['eyJ.secret.sig', '张三', '210502199001011234', '13800000000', '本溪市平山区某路1号']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });
});
