import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { createNotificationActivities } from '../../activities/notifications';
import { loadConfig } from '../../infra/config';
import { logger } from '../../infra/logger';
import { freePort } from '../../infra/temporal-dev-server';
import { startTestService, type TestService } from '../helpers/service';
import { eventually } from '../helpers/eventually';
import { cleanChecklist } from '../review/helpers';

const UNIT = 'benxi.ybj';
const HANDLER = 'handler-kit-zhao';
const HEAD = 'head-kit-qian';
const REVIEWER = 'reviewer-kit-sun';

const caseNumber = () => `本医保罚〔2026〕K${randomUUID().slice(0, 8)}号`;
const submissionBody = (overrides: Record<string, unknown> = {}) => ({
  caseNumber: caseNumber(),
  title: '某药店串换药品',
  decisionKind: 'penalty',
  procedure: 'general',
  scope: { majorRights: true },
  party: { kind: 'organisation', name: '本溪某药店' },
  caseDeadline: '2099-12-31',
  caseDeadlineBasis: '承办机构填报（测试）',
  materials: [
    { kind: 'statement', ref: 'doc://statement' },
    { kind: 'draft_decision', ref: 'doc://draft', sha256: 'dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd' },
  ],
  ...overrides,
});

/** A webhook receiver that accepts the connection and never answers. */
async function startHangingReceiver() {
  const hits: number[] = [];
  /** Whether each request's connection has closed (the sender gave up or was answered: never answered here). */
  const closed: boolean[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req) => {
    const i = hits.push(Date.now()) - 1;
    closed[i] = false;
    req.socket.once('close', () => (closed[i] = true));
    req.resume();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hang`,
    hits,
    closed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('process kit through the API: Postgres decides, one error mapper, idempotent actions, the boundary (dev server, real Postgres)', () => {
  let svc: TestService;
  let handler: string;
  let head: string;
  let reviewer: string;
  const cleanup: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    svc = await startTestService();
    handler = await svc.token(UNIT, ['handler'], HANDLER);
    head = await svc.token(UNIT, ['head'], HEAD);
    reviewer = await svc.token(UNIT, ['reviewer'], REVIEWER);
    const profile = await svc.call(head, 'PUT', `/api/reviewers/${REVIEWER}`, {
      name: '孙审核',
      lawDegree: true,
      legalWorkYears: 4,
      enforcementYears: 1,
      legalProfessionQualification: true,
      reviewedPenaltyBefore: true,
    });
    expect(profile.status).toBe(201);
  });
  afterAll(async () => {
    for (const c of cleanup) await c().catch(() => undefined);
    await svc?.stop();
  });

  const submit = async (overrides: Record<string, unknown> = {}) => {
    const body = submissionBody(overrides);
    const res = await svc.call(handler, 'POST', '/api/reviews', body);
    expect(res.status).toBe(201);
    cleanup.push(() => svc.call(handler, 'POST', `/api/reviews/${res.body.id}/withdrawal`, { reason: '测试结束' }));
    return { ...res.body, body } as { id: string; workflowId: string; body: ReturnType<typeof submissionBody> };
  };
  const deleteWorkflow = async (workflowId: string) => {
    const temporal = svc.service.temporal;
    await temporal.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId } });
    await eventually(async () => {
      try {
        await temporal.workflow.getHandle(workflowId).describe();
        return false;
      } catch (err) {
        return (err as Error).name === 'WorkflowNotFoundError';
      }
    }, `workflow ${workflowId} deleted`, 90_000); // the dev server deletes in the background (~30 s)
  };
  const action = (token: string, path: string, body: unknown, key?: string) =>
    fetch(svc.baseUrl + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any, headers: r.headers }));

  jest.setTimeout(150_000);

  it('re-POST of a finished review after its workflow was deleted answers the same review and starts no new workflow', async () => {
    const review = await submit();
    const withdrawn = await svc.call(handler, 'POST', `/api/reviews/${review.id}/withdrawal`, { reason: '案件移送' });
    expect(withdrawn.status).toBe(200);
    await eventually(async () => (await svc.call(handler, 'GET', `/api/reviews/${review.id}`)).body.status === 'withdrawn', 'the withdrawal projected');
    await eventually(async () => (await svc.service.temporal.workflow.getHandle(review.workflowId).describe()).status.name === 'COMPLETED', 'the workflow closed');
    await deleteWorkflow(review.workflowId);

    const again = await svc.call(handler, 'POST', '/api/reviews', review.body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: review.id, workflowId: review.workflowId, status: 'withdrawn' });
    await new Promise((r) => setTimeout(r, 1_500)); // the reconciler's pass included
    await expect(svc.service.temporal.workflow.getHandle(review.workflowId).describe()).rejects.toMatchObject({ name: 'WorkflowNotFoundError' });
    // The GET reads Postgres: it still answers.
    expect((await svc.call(handler, 'GET', `/api/reviews/${review.id}`)).body).toMatchObject({ id: review.id, status: 'withdrawn' });
  });

  it('GET /api/cases/:n answers from the projection after the case workflow was deleted; the same POST again starts nothing', async () => {
    const n = `KIT-CASE-${randomUUID().slice(0, 8)}`;
    const opened = await svc.call(handler, 'POST', '/api/cases', { caseNumber: n, title: '现场检查', urgent: false });
    expect(opened.status).toBe(201);
    await eventually(
      async () => (await svc.service.pool.query('SELECT view IS NOT NULL AS projected FROM cases WHERE case_number = $1', [n])).rows[0]?.projected,
      'the case projected by its workflow',
    );
    const before = (await svc.call(handler, 'GET', `/api/cases/${encodeURIComponent(n)}`)).body;
    expect(before).toMatchObject({ caseNumber: n, status: 'open', avRecords: [] });
    await svc.service.temporal.workflow.getHandle(opened.body.workflowId).terminate('test: purge');
    await deleteWorkflow(opened.body.workflowId);

    const after = await svc.call(handler, 'GET', `/api/cases/${encodeURIComponent(n)}`);
    expect(after.status).toBe(200);
    expect(after.body).toEqual(before);
    expect((await svc.call(handler, 'GET', `/api/cases/${encodeURIComponent(n)}/av-records`)).status).toBe(200);
    const again = await svc.call(handler, 'POST', '/api/cases', { caseNumber: n, title: '另一个标题', urgent: true });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ title: '现场检查', openedAt: opened.body.openedAt });
    await new Promise((r) => setTimeout(r, 1_500));
    await expect(svc.service.temporal.workflow.getHandle(opened.body.workflowId).describe()).rejects.toMatchObject({ name: 'WorkflowNotFoundError' });
    // An action on it now: the workflow is gone (404), not "has ended", not 500.
    const act = await svc.call(handler, 'POST', `/api/cases/${encodeURIComponent(n)}/archive`, {});
    expect(act.status).toBe(404);
  });

  it('a refused action is 409 {error, rule, basis}; an action on a deleted running workflow is 404', async () => {
    const review = await submit();
    const refused = await svc.call(head, 'POST', `/api/reviews/${review.id}/extension/decision`, { approve: true, note: '同意' });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ error: expect.any(String), rule: expect.any(String), basis: expect.anything(), requestId: expect.any(String) });
    expect(refused.body.rule).not.toBe('refused');

    await svc.service.temporal.workflow.getHandle(review.workflowId).terminate('test: lost');
    await deleteWorkflow(review.workflowId);
    const missing = await svc.call(head, 'POST', `/api/reviews/${review.id}/assignment`, { reviewerId: REVIEWER });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toContain('not found');
  });

  it('an Idempotency-Key makes a retried action get the first answer, not a second action', async () => {
    const review = await submit();
    expect((await svc.call(head, 'POST', `/api/reviews/${review.id}/assignment`, { reviewerId: REVIEWER })).status).toBe(200);
    const key = `ext-${randomUUID()}`;
    const first = await action(reviewer, `/api/reviews/${review.id}/extension`, { reason: '案情复杂，需要补充调查' }, key);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('extension_requested');
    const retried = await action(reviewer, `/api/reviews/${review.id}/extension`, { reason: '案情复杂，需要补充调查' }, key);
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(first.body);
    // Without the key the same request is a second request, refused (one extension request per round).
    expect((await action(reviewer, `/api/reviews/${review.id}/extension`, { reason: '案情复杂，需要补充调查' })).status).toBe(409);
    const { rows } = await svc.service.pool.query(`SELECT count(*)::int AS n FROM case_record WHERE payload->>'workflowId' = $1 AND action LIKE '%extension%'`, [review.workflowId]);
    expect(rows[0].n).toBe(1);
    expect((await action(reviewer, `/api/reviews/${review.id}/extension`, { reason: 'x' }, 'bad key with spaces')).status).toBe(400);
  });

  it('a NUL or a lone surrogate in a reason is a 400 naming the field and the rule; the workflow is unharmed', async () => {
    const review = await submit();
    expect((await svc.call(head, 'POST', `/api/reviews/${review.id}/assignment`, { reviewerId: REVIEWER })).status).toBe(200);
    const nul = await svc.call(reviewer, 'POST', `/api/reviews/${review.id}/extension`, { reason: '需要\u0000补充' });
    expect(nul.status).toBe(400);
    expect(nul.body.issues).toEqual([expect.objectContaining({ path: 'body.reason', rule: 'no_nul' })]);
    const raw = await fetch(`${svc.baseUrl}/api/reviews/${review.id}/recusal`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reviewer}`, 'content-type': 'application/json' },
      body: '{"reason":"\\ud800 回避"}',
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as any).issues).toEqual([expect.objectContaining({ path: 'body.reason', rule: 'no_lone_surrogate' })]);
    const year = await svc.call(handler, 'POST', '/api/reviews', submissionBody({ receivedAt: '0099-01-01' }));
    expect(year.status).toBe(400);
    expect(year.body.issues).toEqual([expect.objectContaining({ path: 'body.receivedAt', rule: 'year_out_of_range' })]);
    expect((await svc.call(handler, 'POST', '/api/reviews', submissionBody({ caseDeadline: '+275760-09-13' }))).body.issues).toEqual([
      expect.objectContaining({ path: 'body.caseDeadline', rule: 'year_out_of_range' }),
    ]);

    // Unharmed: the next actions run at once.
    const ok = await svc.call(reviewer, 'POST', `/api/reviews/${review.id}/extension`, { reason: '需要补充' });
    expect(ok.status).toBe(200);
    const decided = await svc.call(head, 'POST', `/api/reviews/${review.id}/extension/decision`, { approve: false, note: '不同意' });
    expect(decided.status).toBe(200);
    const opinion = await svc.call(reviewer, 'POST', `/api/reviews/${review.id}/opinion`, { kind: 'approve', checklist: cleanChecklist(), text: '同意' });
    expect(opinion.status).toBe(200);
    expect(opinion.body.status).toBe('passed');
  });

  it('a webhook that hangs does not hold up POST …/assignment: the actions are answered while the delivery still waits on the hanging receiver, the inbox has the notice at once', async () => {
    const hanging = await startHangingReceiver();
    cleanup.push(hanging.close);
    const unitAdmin = await svc.token(UNIT, ['admin']); // only the unit's admin sets channels (issue 14)
    expect((await svc.call(unitAdmin, 'PUT', `/api/units/${UNIT}/webhook`, { url: hanging.url, secret: 'hanging-secret-0123456789' })).status).toBe(200);
    cleanup.push(() => svc.call(unitAdmin, 'DELETE', `/api/units/${UNIT}/webhook`));
    // Incomplete: the missing-materials notice goes to the unit, whose webhook then hangs.
    const body = submissionBody({ materials: [{ kind: 'statement', ref: 'doc://s' }] });
    const created = await svc.call(handler, 'POST', '/api/reviews', body);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    cleanup.push(() => svc.call(handler, 'POST', `/api/reviews/${id}/withdrawal`, { reason: '测试结束' }));
    await eventually(async () => hanging.hits.length > 0, 'the webhook hit (and hanging)').catch(async (e) => {
      console.log(JSON.stringify((await svc.service.pool.query('SELECT n.idempotency_key, n.unit_code, d.* FROM notifications n LEFT JOIN notification_deliveries d ON d.notification_id = n.id')).rows, null, 1));
      console.log(JSON.stringify((await svc.service.pool.query('SELECT * FROM unit_channels')).rows));
      throw e;
    });
    const timed = async (token: string, path: string, payload: unknown) => {
      const t = Date.now();
      const res = await svc.call(token, 'POST', path, payload);
      expect(res.status).toBe(200);
      return Date.now() - t;
    };
    const materials = await timed(handler, `/api/reviews/${id}/materials`, { materials: [{ kind: 'draft_decision', ref: 'doc://d', sha256: 'dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd' }] });
    const assignment = await timed(head, `/api/reviews/${id}/assignment`, { reviewerId: REVIEWER });
    const extension = await timed(reviewer, `/api/reviews/${id}/extension`, { reason: '复杂' });
    console.log(`with the unit's webhook hanging: materials ${materials} ms, assignment ${assignment} ms, extension ${extension} ms`);
    // Causal, not timed: the first delivery's request is still open (its sender waits up to the 10 s
    // webhook timeout for an answer that never comes), so no action waited for it.
    expect(hanging.closed[0]).toBe(false);
    // The inbox has the notices; the webhook deliveries are the dispatcher's business.
    const inbox = (await svc.call(handler, 'GET', '/api/inbox')).body as Array<{ link?: { workflowId?: string } }>;
    expect(inbox.filter((x) => x.link?.workflowId === created.body.workflowId).length).toBeGreaterThan(0);
    // The hanging delivery itself is cut off by the 10 s timeout and retried later, visible as failed.
    const timedOut = await eventually(async () => {
      const list = (await svc.call(head, 'GET', '/api/notifications?status=failed')).body as any[];
      return list.find((d) => d.channel === 'webhook' && d.target === hanging.url && /timeout/i.test(d.lastError ?? ''));
    }, 'the hanging delivery timed out', 20_000);
    expect(timedOut.nextAttemptAt).toEqual(expect.any(String));
  });
});

describe('notification outbox: keys, give-up, timeouts (real Postgres, real receivers)', () => {
  let svc: TestService;
  beforeAll(async () => {
    // The service's own dispatcher with a strict policy: it alone delivers, so attempts are countable.
    svc = await startTestService({}, { dispatcher: { policy: { maxAttempts: 3, backoffSeconds: () => 0.2 }, pollMs: 100 } });
  });
  afterAll(async () => svc?.stop());

  it('a reused notification key with other content is a non-retryable IdempotencyKeyReusedError; the same content returns the stored one', async () => {
    const { notify } = createNotificationActivities({ pool: svc.service.pool, config: loadConfig({ NODE_ENV: 'test' }), log: logger });
    const n = { idempotencyKey: `kit-${randomUUID()}`, unit: UNIT, kind: 'info' as const, subject: '通知', body: '内容' };
    const first = await notify(n);
    expect(await notify({ ...n })).toEqual(first);
    const err = await notify({ ...n, body: '另一个内容' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'IdempotencyKeyReusedError', nonRetryable: true });
  });

  it('a webhook carries a timestamped signature over "<t>.<body>" and the percent-encoded key; the body has the exact key', async () => {
    const { createHmac } = await import('node:crypto');
    const seen: Array<{ headers: http.IncomingHttpHeaders; raw: string }> = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const secret = 'timestamp-secret-0123456789';
      const unit = 'benxi.czj';
      const admin = await svc.token(unit, ['admin']);
      expect((await svc.call(admin, 'PUT', `/api/units/${unit}/webhook`, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/h`, secret })).status).toBe(200);
      const { notify } = createNotificationActivities({ pool: svc.service.pool, config: loadConfig({ NODE_ENV: 'test' }), log: logger });
      const key = `review-${unit}-本财罚〔2026〕${randomUUID().slice(0, 6)}号:run:1:ts`;
      await notify({ idempotencyKey: key, unit, kind: 'info', subject: '时间戳', body: '签名' });
      const got = await eventually(async () => seen[0], 'the webhook request');
      const t = Number(got.headers['x-sanxiang-timestamp']);
      expect(Math.abs(t - Date.now() / 1000)).toBeLessThan(60);
      const expected = `t=${t},sha256=${createHmac('sha256', secret).update(`${t}.${got.raw}`).digest('hex')}`;
      expect(got.headers['x-sanxiang-signature-timestamped']).toBe(expected);
      expect(got.headers['x-sanxiang-signature']).toBe(`sha256=${createHmac('sha256', secret).update(got.raw).digest('hex')}`);
      expect(decodeURIComponent(String(got.headers['idempotency-key']))).toBe(key);
      expect(JSON.parse(got.raw).idempotencyKey).toBe(key);
      await svc.call(admin, 'DELETE', `/api/units/${unit}/webhook`);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a delivery that keeps failing is given up after the policy\'s attempts and stays listed as failed', async () => {
    const czj = 'benxi.czj';
    const token = await svc.token(czj, ['admin']);
    const deadUrl = `http://127.0.0.1:${await freePort()}/nobody`;
    expect((await svc.call(token, 'PUT', `/api/units/${czj}/webhook`, { url: deadUrl, secret: 'czj-secret-0123456789' })).status).toBe(200);
    const { notify } = createNotificationActivities({ pool: svc.service.pool, config: loadConfig({ NODE_ENV: 'test' }), log: logger });
    const key = `kit-dead-${randomUUID()}`;
    const t0 = Date.now();
    await notify({ idempotencyKey: key, unit: czj, kind: 'reminder', subject: '提醒', body: '内容' });
    expect(Date.now() - t0).toBeLessThan(1_000);
    // The inbox copy at once.
    expect(((await svc.call(token, 'GET', '/api/inbox')).body as any[]).some((x) => x.idempotencyKey === key)).toBe(true);
    // The service's dispatcher (strict policy above) retries and gives up after 3 attempts.
    {
      const given = await eventually(async () => {
        const list = (await svc.call(token, 'GET', '/api/notifications?status=failed')).body as any[];
        const d = list.find((x) => x.notification.idempotencyKey === key);
        return d && d.attempts === 3 && !d.nextAttemptAt && d;
      }, 'given up after 3 attempts', 15_000);
      expect(given).toMatchObject({ channel: 'webhook', status: 'failed', lastError: expect.stringContaining('ECONNREFUSED') });
      await new Promise((r) => setTimeout(r, 600));
      const still = ((await svc.call(token, 'GET', '/api/notifications?status=failed')).body as any[]).find((x) => x.notification.idempotencyKey === key);
      expect(still.attempts).toBe(3);
    }
  });
});
