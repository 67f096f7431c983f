import { startTestService, type TestService } from '../helpers/service';
import { freePort } from '../../infra/temporal-dev-server';
import { eventually } from './helpers';
import { startSmtpServer, startWebhookReceiver } from './receivers';

const YBJ = 'benxi.ybj';
const CZJ = 'benxi.czj';
const SUPERVISOR = 'benxi.sfj';
const SECRET = 'ybj-webhook-secret-0123456789';

/**
 * Notifications over real channels: a local HTTP receiver for the webhook and a local SMTP server
 * for email, the real case-file workflow enqueueing through the notify activity, and the worker's
 * delivery dispatcher retrying on its own.
 */
describe('notify: inbox at once, signed webhook and email delivered by the outbox dispatcher with its own retries, without duplicates', () => {
  let svc: TestService;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  // Per idempotency key: the first two webhook requests fail for keys starting with a prefix listed here.
  const failTwice = new Set<string>();
  const failsTwice = (key: string) => [...failTwice].some((prefix) => key.startsWith(prefix));
  // Per mail count: the first mail fails.
  let failFirstMail = false;
  const suffix = Date.now() % 1_000_000;

  beforeAll(async () => {
    smtp = await startSmtpServer((n) => !(failFirstMail && n === 1));
    webhook = await startWebhookReceiver(SECRET, (n, key) => (failsTwice(key) && n <= 2 ? 503 : 200));
    svc = await startTestService({ SMTP_URL: smtp.url, SMTP_FROM: '三项制度平台 <noreply@sanxiang.test>' });
  });
  afterAll(async () => {
    await svc?.stop();
    await webhook?.close();
    await smtp?.close();
  });

  /** Opens an urgent case; its "approval due" notice's key (run-scoped: `<workflowId>:<run>:…:urgent.approval-due…`). */
  const openUrgent = async (unit: string, caseNumber: string) => {
    const token = await svc.token(unit, ['handler']);
    const res = await svc.call(token, 'POST', '/api/cases', { caseNumber, title: '紧急查处', urgent: true });
    expect(res.status).toBe(201);
    const prefix = `${res.body.workflowId}:`;
    const found = await eventually(async () => {
      const { rows } = await svc.service.pool.query<{ idempotency_key: string }>(
        `SELECT idempotency_key FROM notifications WHERE starts_with(idempotency_key, $1) AND idempotency_key LIKE '%urgent.approval-due%' ORDER BY created_at LIMIT 1`,
        [prefix],
      );
      return rows[0]?.idempotency_key;
    }, 'the urgent-approval notice stored');
    return found;
  };
  const notifyAttempts = async (workflowId: string) =>
    (await svc.service.temporal.workflow.getHandle(workflowId).fetchHistory()).events!
      .filter((e) => e.activityTaskStartedEventAttributes)
      .map((e) => Number(e.activityTaskStartedEventAttributes!.attempt));

  it("a unit registers its webhook; only the unit's own admin may (issue 14)", async () => {
    const ybjHandler = await svc.token(YBJ, ['handler']);
    const ybjAdmin = await svc.token(YBJ, ['admin']);
    const other = await svc.token(CZJ, ['admin']);
    const rootAdmin = await svc.token('benxi', ['admin']);
    expect((await svc.call(other, 'PUT', `/api/units/${YBJ}/webhook`, { url: webhook.url, secret: SECRET })).status).toBe(403);
    expect((await svc.call(rootAdmin, 'PUT', `/api/units/${YBJ}/webhook`, { url: webhook.url, secret: SECRET })).status).toBe(403);
    expect((await svc.call(ybjHandler, 'PUT', `/api/units/${YBJ}/webhook`, { url: webhook.url, secret: SECRET })).status).toBe(403);
    expect((await svc.call(ybjAdmin, 'PUT', `/api/units/${YBJ}/webhook`, { url: 'ftp://x', secret: 'short' })).body.issues.map((i: any) => i.path).sort()).toEqual(['body.secret', 'body.url']);
    expect((await svc.call(ybjAdmin, 'PUT', `/api/units/${YBJ}/webhook`, { url: webhook.url, secret: SECRET })).status).toBe(200);
    const channels = await svc.call(ybjHandler, 'GET', `/api/units/${YBJ}/channels`);
    expect(channels.body).toEqual({ unit: YBJ, inbox: true, webhook: { url: webhook.url }, email: null, smtpConfigured: true });
    expect(JSON.stringify(channels.body)).not.toContain(SECRET);
  });

  it('the webhook fails twice: the dispatcher retries it with backoff, the failure is visible meanwhile, and the receiver gets exactly one successful delivery', async () => {
    const caseNumber = `WH-${suffix}`;
    failTwice.add(`case-${YBJ}-${caseNumber}:`);
    const key = await openUrgent(YBJ, caseNumber);
    const handler = await svc.token(YBJ, ['handler']);

    const failed = await eventually(async () => {
      const res = await svc.call(handler, 'GET', '/api/notifications?status=failed');
      return res.body.find((d: any) => d.notification.idempotencyKey === key);
    }, 'the failed delivery listed', 15_000);
    expect(failed).toMatchObject({ channel: 'webhook', status: 'failed', target: webhook.url, lastError: expect.stringContaining('503') });

    await eventually(async () => webhook.of(key).some((r) => r.answered === 200), 'the successful delivery', 30_000);
    await new Promise((r) => setTimeout(r, 500));
    const requests = webhook.of(key);
    expect(requests.map((r) => r.answered)).toEqual([503, 503, 200]);
    expect(requests.every((r) => r.signatureValid)).toBe(true);
    expect(requests.map((r) => r.attemptHeader)).toEqual(['1', '2', '3']);
    expect(new Set(requests.map((r) => r.raw)).size).toBe(1); // the same signed document each time
    expect(requests[2]!.body).toMatchObject({ idempotencyKey: key, unit: YBJ, kind: 'action_required', link: { caseNumber } });

    const all = await svc.call(handler, 'GET', '/api/notifications');
    const mine = all.body.filter((d: any) => d.notification.idempotencyKey === key);
    expect(mine.map((d: any) => [d.channel, d.status, d.attempts]).sort()).toEqual([
      ['inbox', 'delivered', 1],
      ['webhook', 'delivered', 3],
    ]);
    // The workflow's notify activity only enqueued: it ran once and never waited for the webhook.
    expect(await notifyAttempts(`case-${YBJ}-${caseNumber}`)).not.toContain(2);
  });

  it('a channel delivered on an earlier attempt is not delivered again when another channel is retried', async () => {
    const ybjHandler = await svc.token(YBJ, ['handler']);
    expect((await svc.call(await svc.token(YBJ, ['admin']), 'PUT', `/api/units/${YBJ}/email`, { address: 'ybj-duty@benxi.test' })).status).toBe(200);
    failFirstMail = true;
    const mailsBefore = smtp.mails.length;
    const caseNumber = `MAIL-${suffix}`;
    const key = await openUrgent(YBJ, caseNumber);

    await eventually(async () => smtp.mails.slice(mailsBefore).some((m) => m.accepted && m.raw.includes(key)), 'the mail accepted on a retry', 30_000);
    await new Promise((r) => setTimeout(r, 500));
    const mails = smtp.mails.slice(mailsBefore).filter((m) => m.raw.includes(key));
    expect(mails.map((m) => m.accepted)).toEqual([false, true]);
    expect(mails[1]!.to).toEqual(['ybj-duty@benxi.test']);
    expect(mails[1]!.raw).toMatch(/Message-ID: <[0-9a-f-]{36}@sanxiang\.notifications>/i);
    // The webhook went out on the first attempt and was not repeated by the retry.
    expect(webhook.of(key).map((r) => r.answered)).toEqual([200]);
    const deliveries = (await svc.call(ybjHandler, 'GET', '/api/notifications')).body.filter((d: any) => d.notification.idempotencyKey === key);
    expect(deliveries.map((d: any) => [d.channel, d.status, d.attempts]).sort()).toEqual([
      ['email', 'delivered', 2],
      ['inbox', 'delivered', 1],
      ['webhook', 'delivered', 1],
    ]);
  });

  it('a webhook that keeps failing stays listed as failed for the unit and its supervisor, not for other units', async () => {
    const czj = await svc.token(CZJ, ['handler']);
    const deadUrl = `http://127.0.0.1:${await freePort()}/nobody-listens`;
    expect((await svc.call(await svc.token(CZJ, ['admin']), 'PUT', `/api/units/${CZJ}/webhook`, { url: deadUrl, secret: 'czj-secret-0123456789' })).status).toBe(200);
    const key = await openUrgent(CZJ, `DEAD-${suffix}`);
    const listed = async (token: string) => ((await svc.call(token, 'GET', '/api/notifications?status=failed')).body as any[]).filter((d) => d.notification.idempotencyKey === key);
    const failed = await eventually(async () => (await listed(czj))[0], 'the failed delivery', 15_000);
    expect(failed).toMatchObject({ channel: 'webhook', status: 'failed', target: deadUrl, lastError: expect.stringContaining('ECONNREFUSED') });
    expect(await listed(await svc.token(SUPERVISOR, ['supervisor']))).toHaveLength(1);
    expect(await listed(await svc.token(YBJ, ['handler', 'head']))).toHaveLength(0);
    // The inbox copy is there regardless.
    const inbox = (await svc.call(czj, 'GET', '/api/inbox')).body as any[];
    expect(inbox.find((n) => n.idempotencyKey === key)).toMatchObject({ kind: 'action_required', unit: CZJ });
  });
});
