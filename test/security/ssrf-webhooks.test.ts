/**
 * Webhooks (SSRF). The address classifier and the target check are unit-tested with a fake resolver:
 * no traffic leaves the loopback range, ever. The service refuses loopback targets the allow-list
 * does not name, its own Temporal port even when loopback is allowed, and delivery re-checks the
 * address actually connected to.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { postWebhook } from '../../infra/notification-channels';
import type { StoredNotification } from '../../infra/notification-store';
import { addressAllowed, assertWebhookTarget, classifyAddress, internalEndpointsOf, WebhookTargetRefused, type WebhookTargetPolicy } from '../../infra/webhook-targets';
import { startTestService, type TestService } from '../helpers/service';

describe('address classifier (unit test, no network)', () => {
  it.each([
    ['127.0.0.1', 'loopback'], ['127.0.0.2', 'loopback'], ['127.255.255.254', 'loopback'], ['::1', 'loopback'], ['[::1]', 'loopback'], ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'],
    ['0.0.0.0', 'unspecified'], ['::', 'unspecified'],
    ['10.0.0.1', 'private'], ['10.255.255.255', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'], ['100.64.0.1', 'private'], ['fc00::1', 'private'], ['fd12:3456::1', 'private'], ['::ffff:10.1.2.3', 'private'],
    ['169.254.1.1', 'link-local'], ['fe80::1', 'link-local'], ['fe80::1%eth0', 'link-local'],
    ['169.254.169.254', 'metadata'], ['100.100.100.200', 'metadata'], ['fd00:ec2::254', 'metadata'], ['::ffff:169.254.169.254', 'metadata'],
    ['224.0.0.1', 'multicast'], ['ff02::1', 'multicast'], ['255.255.255.255', 'reserved'], ['192.0.2.1', 'reserved'], ['2001:db8::1', 'reserved'], ['64:ff9b::a00:1', 'reserved'], ['not-an-ip', 'reserved'],
    ['8.8.8.8', 'public'], ['172.32.0.1', 'public'], ['172.15.255.255', 'public'], ['2606:4700::1111', 'public'], ['1.1.1.1', 'public'],
  ])('%s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  const policy: WebhookTargetPolicy = { allowedHosts: [], internalEndpoints: internalEndpointsOf({ PORT: 3000, TEMPORAL_DEV_PORT: 7233, TEMPORAL_UI_PORT: 8233, EMBEDDED_PG_PORT: 54329, TEMPORAL_ADDRESS: 'temporal:7233', DATABASE_URL: 'postgres://u:p@db.internal:5432/x' }) };
  const fake = (map: Record<string, string[]>) => async (host: string) => {
    if (!map[host]) throw new Error('ENOTFOUND');
    return map[host]!;
  };

  it('a host name is judged by every address it resolves to (fake resolver)', async () => {
    const resolve = fake({ 'hooks.example.org': ['93.184.216.34'], 'rebind.example.org': ['93.184.216.34', '10.0.0.5'], 'meta.example.org': ['169.254.169.254'], 'v6.example.org': ['fe80::1'] });
    await expect(assertWebhookTarget('https://hooks.example.org/in', policy, resolve)).resolves.toBeInstanceOf(URL);
    await expect(assertWebhookTarget('https://rebind.example.org/in', policy, resolve)).rejects.toThrow(/private address \(10\.0\.0\.5\)/);
    await expect(assertWebhookTarget('http://meta.example.org/latest/meta-data', policy, resolve)).rejects.toThrow(/metadata/);
    await expect(assertWebhookTarget('http://v6.example.org/', policy, resolve)).rejects.toThrow(/link-local/);
    await expect(assertWebhookTarget('http://nowhere.example.org/', policy, resolve)).rejects.toThrow(/does not resolve/);
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://10.1.1.1/', 'http://[fd00:ec2::254]/', 'http://192.168.0.1:8080/', 'http://[::ffff:a9fe:a9fe]/', 'ftp://93.184.216.34/', 'http://user:pw@93.184.216.34/']) {
      await expect(assertWebhookTarget(url, policy, resolve)).rejects.toThrow(WebhookTargetRefused);
    }
  });

  it('the allow-list names hosts; the service\'s own endpoints stay refused even then', async () => {
    const allowing: WebhookTargetPolicy = { ...policy, allowedHosts: ['127.0.0.1', 'localhost', 'hooks.intranet'] };
    const resolve = fake({ localhost: ['127.0.0.1', '::1'], 'hooks.intranet': ['10.2.3.4'], 'temporal': ['10.9.9.9'] });
    await expect(assertWebhookTarget('http://127.0.0.1:9999/h', allowing, resolve)).resolves.toBeInstanceOf(URL);
    await expect(assertWebhookTarget('http://localhost:9999/h', allowing, resolve)).resolves.toBeInstanceOf(URL);
    await expect(assertWebhookTarget('http://hooks.intranet/h', allowing, resolve)).resolves.toBeInstanceOf(URL);
    await expect(assertWebhookTarget('http://127.0.0.2:9999/h', allowing, resolve)).rejects.toThrow(/loopback/);
    await expect(assertWebhookTarget('http://127.0.0.1:7233/', allowing, resolve)).rejects.toThrow(/own endpoints/);
    await expect(assertWebhookTarget('http://localhost:54329/', allowing, resolve)).rejects.toThrow(/own endpoints/);
    await expect(assertWebhookTarget('http://temporal:7233/', allowing, resolve)).rejects.toThrow(/own endpoints|private/);
    await expect(assertWebhookTarget('http://db.internal:5432/', { ...allowing, allowedHosts: ['db.internal'] }, fake({ 'db.internal': ['10.0.0.9'] }))).rejects.toThrow(/own endpoints/);
    expect(addressAllowed(allowing, 'localhost', '127.0.0.1', 80)).toBeUndefined();
    expect(addressAllowed(policy, 'localhost', '127.0.0.1', 80)).toMatch(/WEBHOOK_ALLOWED_HOSTS does not name it/);
  });
});

const notification: StoredNotification = {
  id: '00000000-0000-0000-0000-000000000001', idempotencyKey: 'ssrf-test', unit: 'benxi.ybj', kind: 'info', subject: 's', body: 'b', createdAt: new Date().toISOString(),
} as StoredNotification;

describe('delivery re-checks the address (loopback only)', () => {
  let server: http.Server;
  let hits = 0;
  let port: number;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits += 1;
      req.resume();
      res.writeHead(500, { 'content-type': 'text/plain' }).end('INTERNAL-SECRET-do-not-echo');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => new Promise((r) => server.close(r)));

  const none: WebhookTargetPolicy = { allowedHosts: [], internalEndpoints: [] };
  const loopbackAllowed: WebhookTargetPolicy = { allowedHosts: ['127.0.0.1', 'localhost'], internalEndpoints: [] };
  const send = (url: string, policy: WebhookTargetPolicy) => postWebhook({ url, secret: 's'.repeat(20), notification, attempt: 1, policy });

  it('a target no longer allowed (IP literal or a name resolving to loopback) is not contacted', async () => {
    await expect(send(`http://127.0.0.1:${port}/h`, none)).rejects.toThrow(/refused: .*loopback/);
    await expect(send(`http://localhost:${port}/h`, none)).rejects.toThrow(/refused: .*loopback/);
    await expect(send(`http://[::1]:${port}/h`, none)).rejects.toThrow(/refused/);
    expect(hits).toBe(0);
  });

  it('an allowed target is called; its answer body is never echoed', async () => {
    const err = await send(`http://localhost:${port}/h`, loopbackAllowed).catch((e: Error) => e);
    expect(hits).toBe(1);
    expect(String(err)).toMatch(/answered 500$/);
    expect(String(err)).not.toContain('INTERNAL-SECRET');
  });

  it('every call has a deadline', async () => {
    const hang = http.createServer(() => undefined);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const started = Date.now();
    await expect(postWebhook({ url: `http://127.0.0.1:${(hang.address() as AddressInfo).port}/`, secret: 's'.repeat(20), notification, attempt: 1, policy: loopbackAllowed, timeoutMs: 300 })).rejects.toThrow(/timeout: no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(3000);
    hang.closeAllConnections();
    await new Promise((r) => hang.close(r));
  });
});

describe('registering webhooks on the running service', () => {
  let svc: TestService;
  let admin: string;
  const UNIT = 'benxi.ybj';
  beforeAll(async () => {
    svc = await startTestService({ WEBHOOK_ALLOWED_HOSTS: '' });
    admin = await svc.token(UNIT, ['admin']);
  });
  afterAll(async () => svc?.stop());

  it('loopback, unspecified and the Temporal port are refused without the allow-list (400, naming body.url)', async () => {
    const temporalPort = svc.config.TEMPORAL_ADDRESS!.split(':').pop();
    for (const url of ['http://127.0.0.2/h', 'http://[::1]/h', 'http://0.0.0.0/h', `http://127.0.0.1:${temporalPort}/`, 'http://localhost/h', 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/h']) {
      const res = await svc.call(admin, 'PUT', `/api/units/${UNIT}/webhook`, { url, secret: 'a-secret-0123456789' });
      expect([url, res.status, res.body.issues?.[0]?.path]).toEqual([url, 400, 'body.url']);
    }
    const channels = await svc.call(admin, 'GET', `/api/units/${UNIT}/channels`);
    expect(channels.body.webhook).toBeNull();
  });

  it('only the unit\'s admin sets channels: other roles and other units\' admins are refused', async () => {
    const body = { url: 'http://127.0.0.2/h', secret: 'a-secret-0123456789' };
    for (const [unit, roles] of [[UNIT, ['handler', 'head', 'supervisor', 'publisher', 'legal_office_lead']], ['benxi.czj', ['admin']], ['benxi', ['admin']], ['benxi.sfj', ['admin', 'supervisor']]] as const) {
      const token = await svc.token(unit, [...roles] as any);
      expect((await svc.call(token, 'PUT', `/api/units/${UNIT}/webhook`, body)).status).toBe(403);
      expect((await svc.call(token, 'PUT', `/api/units/${UNIT}/email`, { address: 'x@example.org' })).status).toBe(403);
      expect((await svc.call(token, 'DELETE', `/api/units/${UNIT}/webhook`)).status).toBe(403);
    }
  });
});

describe('with the allow-list naming loopback (as the tests run)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(); // WEBHOOK_ALLOWED_HOSTS=127.0.0.1,localhost
  });
  afterAll(async () => svc?.stop());

  it('127.0.0.1 is accepted, but never the Temporal port nor 127.0.0.2', async () => {
    const admin = await svc.token('benxi.ybj', ['admin']);
    const temporalPort = svc.config.TEMPORAL_ADDRESS!.split(':').pop();
    expect((await svc.call(admin, 'PUT', '/api/units/benxi.ybj/webhook', { url: 'http://127.0.0.1:9/h', secret: 'a-secret-0123456789' })).status).toBe(200);
    expect((await svc.call(admin, 'PUT', '/api/units/benxi.ybj/webhook', { url: `http://127.0.0.1:${temporalPort}/`, secret: 'a-secret-0123456789' })).status).toBe(400);
    expect((await svc.call(admin, 'PUT', '/api/units/benxi.ybj/webhook', { url: 'http://127.0.0.2:9/h', secret: 'a-secret-0123456789' })).status).toBe(400);
    await svc.call(admin, 'DELETE', '/api/units/benxi.ybj/webhook');
  });
});
