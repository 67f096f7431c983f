import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { claimIdempotencyKey, requestHash } from '../../api/idempotency';
import { createPool, ensureAppRole } from '../../infra/db';
import { eventually } from '../helpers/eventually';
import { startTestService, type TestService } from '../helpers/service';

/**
 * Issue 14 ("faults lose nothing") and the guide ("idempotency keys survive resets …; a reused key
 * with other content is an error; nothing accepted is ever lost"): a mutating request with an
 * `Idempotency-Key` gets its stored first answer on retry (api/idempotency.ts), on the real API,
 * worker, Postgres and dev server: decisions (no Update behind them), an action whose first attempt
 * ended the process, concurrent duplicates, and a workflow deleted in between.
 */
describe('Idempotency-Key: stored answers (real service)', () => {
  let svc: TestService;
  let handler: string;
  const UNIT = 'benxi.ybj';
  const suffix = Date.now() % 1_000_000;
  let n = 0;
  const tag = () => `${suffix}-${++n}`;
  const scope = { publicInterest: false, majorRights: false, hearing: false, complex: false, otherLaw: false, catalogue: false, optIn: false };

  beforeAll(async () => {
    svc = await startTestService();
    handler = await svc.token(UNIT, ['handler'], 'handler-0001');
  });
  afterAll(async () => {
    await svc?.stop();
  });

  /** POST with an optional Idempotency-Key; the raw text too (a replay is the same bytes). */
  const post = async (path: string, body: unknown, key?: string, token = handler) => {
    const r = await fetch(svc.baseUrl + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, text, body: text ? JSON.parse(text) : undefined, replayed: r.headers.get('idempotent-replayed'), retryAfter: r.headers.get('retry-after') };
  };
  const decisionBody = (caseNumber = `本医保罚〔2026〕ID${tag()}号`, decisionNumber = `F-ID-${tag()}`) => ({
    caseNumber,
    decisionNumber,
    decidedAt: new Date(Date.now() - 90 * 86_400_000).toISOString(),
    classification: { decisionKind: 'penalty', procedure: 'simple', scope },
    party: { kind: 'organisation', name: '本溪某药房有限公司', creditCode: '91210500MA0XXXXX1X' },
    obligation: { kind: 'fine', amountFen: 300_000 },
    enforcementPower: 'own',
  });
  const count = async (sql: string, params: unknown[]) => Number((await svc.service.pool.query<{ n: string }>(sql, params)).rows[0]!.n);
  const decisionsOf = (caseNumber: string) => count('SELECT count(*) AS n FROM decisions WHERE unit_code = $1 AND case_number = $2', [UNIT, caseNumber]);
  const disclosuresOf = (caseNumber: string) => count('SELECT count(*) AS n FROM disclosures WHERE unit_code = $1 AND case_number = $2', [UNIT, caseNumber]);

  /** A decision served now: its enforcement, once the projection shows the performance deadline. */
  const enforcement = async () => {
    const decided = await post('/api/decisions', decisionBody());
    expect(decided.status).toBe(201);
    const served = await post(`/api/decisions/${decided.body.id}/service`, { method: 'direct', servedAt: new Date(Date.now() - 3_600_000).toISOString(), proof: { signedBy: '王五' } });
    expect(served.status).toBe(201);
    const id = served.body.enforcementId as string;
    return eventually(async () => {
      const r = await fetch(`${svc.baseUrl}/api/enforcements/${id}`, { headers: { authorization: `Bearer ${handler}` } });
      const b = (await r.json()) as any;
      return r.status === 200 && b.performanceDeadline ? (b as { id: string; workflowId: string }) : undefined;
    }, 'the enforcement projection', 30_000);
  };

  it('POST /api/decisions twice with one key: one decision, one disclosure item, the same answer (201, same bytes, Idempotent-Replayed); the key with another body is 422', async () => {
    const body = decisionBody();
    const key = `decision-${randomUUID()}`;
    const first = await post('/api/decisions', body, key);
    expect(first.status).toBe(201);
    expect(first.replayed).toBeNull();
    const again = await post('/api/decisions', body, key);
    expect(again).toMatchObject({ status: 201, text: first.text, replayed: 'true' });
    expect(await decisionsOf(body.caseNumber)).toBe(1);
    expect(await disclosuresOf(body.caseNumber)).toBe(1);

    // Same key, other content: an error naming the header and the rule; nothing recorded.
    const other = decisionBody(`本医保罚〔2026〕ID${tag()}号`);
    const reused = await post('/api/decisions', other, key);
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ rule: 'idempotency.key_reused', header: 'Idempotency-Key', error: expect.stringContaining('Idempotency-Key') });
    expect(await decisionsOf(other.caseNumber)).toBe(0);
    // Key order in the body does not matter (canonical JSON): the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect(await post('/api/decisions', reordered, key)).toMatchObject({ status: 201, text: first.text, replayed: 'true' });
    // A colleague in the unit with the same key and body: another request (the answer is replayed only to its person).
    expect(await post('/api/decisions', body, key, await svc.token(UNIT, ['handler'], 'handler-0002'))).toMatchObject({ status: 422, body: { rule: 'idempotency.key_reused' } });
    // Keys are per unit: another unit's request with this key is its own (refused here: no such case for it, nothing replayed).
    const otherUnit = await post('/api/decisions', body, key, await svc.token('benxi.czj', ['handler']));
    expect(otherUnit.replayed).toBeNull();
    expect(otherUnit.text).not.toBe(first.text);
  });

  it('a refused request stores nothing: the same key later executes (a 4xx is not the answer kept)', async () => {
    const key = `refused-${randomUUID()}`;
    const body = { ...decisionBody(), decidedAt: new Date(Date.now() + 86_400_000).toISOString() };
    const refused = await post('/api/decisions', body, key);
    expect(refused).toMatchObject({ status: 409, body: { rule: 'decided_in_future' } });
    expect(await count('SELECT count(*) AS n FROM idempotent_requests WHERE key = $1', [key])).toBe(0);
  });

  it('concurrent duplicates with one key: one execution, both answered the same decision', async () => {
    const body = decisionBody();
    const key = `concurrent-${randomUUID()}`;
    const answers = await Promise.all([post('/api/decisions', body, key), post('/api/decisions', body, key), post('/api/decisions', body, key)]);
    // Each is the first answer or waits for it (409 idempotency.in_progress only when it takes over 5 s).
    const ok = answers.filter((a) => a.status === 201);
    for (const a of answers.filter((x) => x.status !== 201)) expect(a).toMatchObject({ status: 409, body: { rule: 'idempotency.in_progress' }, retryAfter: '1' });
    expect(ok.length).toBeGreaterThan(0);
    expect(new Set(ok.map((a) => a.text)).size).toBe(1);
    expect(answers.filter((a) => a.status === 201 && a.replayed === null)).toHaveLength(1);
    expect(await decisionsOf(body.caseNumber)).toBe(1);
    expect(await disclosuresOf(body.caseNumber)).toBe(1);
  });

  it('a key still in progress: the duplicate waits, then 409 idempotency.in_progress with Retry-After; a claim past its lease (API gone) is taken over and executes', async () => {
    const body = decisionBody();
    const key = `held-${randomUUID()}`;
    // Another request holds the key (as an API process in the middle of it would).
    const claim = (age: string) =>
      svc.service.pool.query(
        `INSERT INTO idempotent_requests (unit_code, route, resource, key, request_sha256, person_id, claim_id, claimed_at)
         VALUES ($1, 'POST /api/decisions', '{}', $2, $3, 'someone', $4, now() - $5::interval)`,
        [UNIT, key, requestHash('handler-0001', body, {}), randomUUID(), age],
      );
    await claim('0 s');
    const held = await post('/api/decisions', body, key);
    expect(held).toMatchObject({ status: 409, retryAfter: '1', body: { rule: 'idempotency.in_progress', header: 'Idempotency-Key' } });
    expect(await decisionsOf(body.caseNumber)).toBe(0);
    await svc.service.pool.query(`UPDATE idempotent_requests SET claimed_at = now() - interval '10 minutes' WHERE key = $1`, [key]);
    const taken = await post('/api/decisions', body, key);
    expect(taken).toMatchObject({ status: 201, replayed: null });
    expect(await post('/api/decisions', body, key)).toMatchObject({ status: 201, text: taken.text, replayed: 'true' });
  }, 30_000);

  it('payment in full ends the enforcement; the same request again gets the same 200 answer, not 409 enforcement.ended (a new request is refused)', async () => {
    const e = await enforcement();
    const body = { amountFen: 300_000, paidAt: new Date().toISOString(), receipt: 'R-ID-1' };
    const key = `pay-${randomUUID()}`;
    const paid = await post(`/api/enforcements/${e.id}/payments`, body, key);
    expect(paid).toMatchObject({ status: 200, replayed: null, body: { stage: 'performed', paidFen: 300_000, amountDueFen: 0 } });
    await eventually(async () => (await svc.service.temporal.workflow.getHandle(e.workflowId).describe()).status.name === 'COMPLETED', 'the enforcement workflow completed', 30_000);
    const again = await post(`/api/enforcements/${e.id}/payments`, body, key);
    expect(again).toMatchObject({ status: 200, text: paid.text, replayed: 'true' });
    // Not a blanket acceptance: another payment (another key) is refused as before.
    expect(await post(`/api/enforcements/${e.id}/payments`, { ...body, receipt: 'R-ID-2' }, `pay-${randomUUID()}`)).toMatchObject({ status: 409, body: { rule: 'enforcement.ended' } });
    // And the key with another body on this enforcement is the reuse error, not a replay.
    expect(await post(`/api/enforcements/${e.id}/payments`, { ...body, amountFen: 1 }, key)).toMatchObject({ status: 422, body: { rule: 'idempotency.key_reused' } });
  }, 90_000);

  it('concurrent duplicate payments: one payment recorded; the stored answer survives deleting the workflow execution', async () => {
    const e = await enforcement();
    const body = { amountFen: 1_000, paidAt: new Date().toISOString(), receipt: 'R-ID-3' };
    const key = `pay-${randomUUID()}`;
    const [a, b] = await Promise.all([post(`/api/enforcements/${e.id}/payments`, body, key), post(`/api/enforcements/${e.id}/payments`, body, key)]);
    const ok = [a, b].filter((x) => x.status === 200);
    expect(ok.length).toBeGreaterThan(0);
    expect(new Set(ok.map((x) => x.text)).size).toBe(1);
    expect(ok[0]!.body.payments).toHaveLength(1);
    expect(ok[0]!.body.paidFen).toBe(1_000);

    const temporal = svc.service.temporal;
    await temporal.workflowService.deleteWorkflowExecution({ namespace: svc.config.TEMPORAL_NAMESPACE, workflowExecution: { workflowId: e.workflowId } });
    await eventually(
      async () => {
        try {
          await temporal.workflow.getHandle(e.workflowId).describe();
          return false;
        } catch (err) {
          return (err as Error).name === 'WorkflowNotFoundError';
        }
      },
      `workflow ${e.workflowId} deleted`,
      90_000, // the dev server deletes in the background
    );
    const after = await post(`/api/enforcements/${e.id}/payments`, body, key);
    expect(after).toMatchObject({ status: 200, text: ok[0]!.text, replayed: 'true' });
    // Without a stored answer the request now finds no workflow (answered as the ended process it was taken for).
    expect(await post(`/api/enforcements/${e.id}/payments`, body, `pay-${randomUUID()}`)).toMatchObject({ status: 409, body: { rule: 'enforcement.ended' } });
  }, 150_000);

  it('the least-privileged role sanxiang_app claims, stores, replays and releases keys (the statements the API runs)', async () => {
    const appPool = createPool(await ensureAppRole(svc.config.DATABASE_URL!), 2);
    try {
      const principal = { unit: UNIT, personId: 'handler-0001', roles: ['handler'] } as never;
      const route = { method: 'post', path: '/api/things/:id' };
      const sent: Array<{ status?: number; body?: unknown; headers: Record<string, string> }> = [];
      const fakeRes = () => {
        const out: { status?: number; body?: unknown; headers: Record<string, string> } = { headers: {} };
        sent.push(out);
        const res: any = {
          setHeader: (k: string, v: string) => ((out.headers[k] = v), res),
          status: (c: number) => ((out.status = c), res),
          type: () => res,
          send: (b: unknown) => ((out.body = b), res),
          json: (b: unknown) => ((out.body = b), res),
          end: () => res,
        };
        return res as Response;
      };
      const req = (key: string, body: unknown) => ({ headers: { 'idempotency-key': key }, params: { id: 'x' }, body, query: {} }) as unknown as Request;
      const key = `app-role-${randomUUID()}`;
      const claim = await claimIdempotencyKey(appPool, req(key, { a: 1 }), fakeRes(), principal, route);
      expect(claim).toBeTruthy();
      await claim!.complete({ status: 201, body: { done: true } });
      expect(await claimIdempotencyKey(appPool, req(key, { a: 1 }), fakeRes(), principal, route)).toBeUndefined();
      expect(sent[1]).toMatchObject({ status: 201, body: '{"done":true}', headers: { 'Idempotent-Replayed': 'true' } });
      // A failed request drops its claim (DELETE), so the key executes again.
      const other = `app-role-${randomUUID()}`;
      await (await claimIdempotencyKey(appPool, req(other, {}), fakeRes(), principal, route))!.release();
      expect(await claimIdempotencyKey(appPool, req(other, {}), fakeRes(), principal, route)).toBeTruthy();
    } finally {
      await appPool.end();
    }
  });

  it('documents the header on every mutating route in /openapi.json (and the 422)', async () => {
    const doc = (await (await fetch(`${svc.baseUrl}/openapi.json`)).json()) as any;
    const op = doc.paths['/api/enforcements/{id}/payments'].post;
    expect(op.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'Idempotency-Key', required: false })]));
    expect(op.responses['422']).toBeDefined();
    expect(op.responses['200'].headers['Idempotent-Replayed']).toBeDefined();
    expect(doc.paths['/api/decisions'].post.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'Idempotency-Key' })]));
    // Reads take none.
    expect(doc.paths['/api/decisions'].get.parameters ?? []).not.toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key' })]));
  });
});
