/**
 * Smoke scenario against a running deployment (API + worker + Postgres + Temporal):
 *
 *   SMOKE_BASE_URL=http://127.0.0.1:3000 JWT_SECRET=… npm run -s smoke
 *
 * Health and readiness; a token signed with the local default secret is refused (so the deployment
 * runs on its own secret); then, as unit benxi.ybj, a legal review goes through the API and its
 * workflow: submitted with a receipt date (Postgres row; workflow started at once, or by the worker's
 * retry when Temporal was not ready: 202), read back once running, a reviewer
 * assigned (a workflow Update, answered by the worker), its steps written to the case record by
 * activities, withdrawn; and a decision recorded with a date. Prints one JSON summary; exits 1 on
 * the first failed check.
 */
import { randomUUID } from 'node:crypto';
import { signToken, type Role } from '../api/auth';
import { LOCAL_JWT_SECRET } from '../infra/config';

export interface SmokeResult {
  checks: Array<{ check: string; ms: number }>;
  reviewId: string;
  workflowId: string;
}

export async function runSmoke(opts: { baseUrl: string; jwtSecret: string; unit?: string; log?: (line: string) => void }): Promise<SmokeResult> {
  const unit = opts.unit ?? 'benxi.ybj';
  const run = randomUUID().slice(0, 8);
  const checks: SmokeResult['checks'] = [];
  const step = async <T>(check: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const out = await fn();
    checks.push({ check, ms: Date.now() - started });
    opts.log?.(`[smoke] ok  ${check} (${Date.now() - started} ms)`);
    return out;
  };
  const call = async (token: string | undefined, method: string, path: string, body?: unknown) => {
    const res = await fetch(opts.baseUrl + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  };
  const expectStatus = (what: string, r: { status: number; body: unknown }, ...wanted: number[]) => {
    if (!wanted.includes(r.status)) throw new Error(`${what}: expected HTTP ${wanted.join('/')}, got ${r.status} ${JSON.stringify(r.body)}`);
  };
  const token = (roles: Role[], person: string) => signToken(opts.jwtSecret, { personId: person, unit, roles });
  const handlerId = `smoke-handler-${run}`;
  const reviewerId = `smoke-reviewer-${run}`;
  const handler = await token(['handler'], handlerId);
  const head = await token(['head'], `smoke-head-${run}`);

  await step('GET /health', async () => expectStatus('health', await call(undefined, 'GET', '/health'), 200));
  await step('GET /ready: postgres and temporal ok', async () => {
    const ready = await call(undefined, 'GET', '/ready');
    expectStatus('ready', ready, 200);
    if (ready.body?.status !== 'ready') throw new Error(`ready: ${JSON.stringify(ready.body)}`);
  });
  await step('a token signed with the local default secret is refused', async () => {
    if (opts.jwtSecret === LOCAL_JWT_SECRET) throw new Error('the deployment runs on the local default JWT secret');
    const forged = await signToken(LOCAL_JWT_SECRET, { personId: handlerId, unit, roles: ['handler'] });
    expectStatus('forged token', await call(forged, 'GET', '/api/me'), 401);
  });
  await step('GET /api/me with a token of the deployment', async () => expectStatus('me', await call(handler, 'GET', '/api/me'), 200));

  await step('PUT /api/reviewers/:id (head)', async () =>
    expectStatus(
      'reviewer profile',
      await call(head, 'PUT', `/api/reviewers/${reviewerId}`, {
        name: '冒烟审核员',
        lawDegree: true,
        legalWorkYears: 5,
        enforcementYears: 2,
        legalProfessionQualification: true,
        reviewedPenaltyBefore: true,
      }),
      200,
      201,
    ),
  );

  const caseNumber = `本医保罚〔2026〕smoke-${run}号`;
  const created = await step('POST /api/reviews: stored (201 started, or 202 start retried by the worker)', async () => {
    const r = await call(handler, 'POST', '/api/reviews', {
      caseNumber,
      title: '冒烟测试：某药店串换药品',
      decisionKind: 'penalty',
      procedure: 'general',
      scope: { majorRights: true },
      party: { kind: 'organisation', name: '本溪某药店' },
      caseDeadline: '2099-12-31',
      caseDeadlineBasis: '承办机构填报（测试）',
      materials: [
        { kind: 'statement', ref: 'doc://smoke/statement' },
        { kind: 'draft_decision', ref: 'doc://smoke/draft', sha256: 'dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd' },
      ],
      // A receipt date (today, Asia/Shanghai): that day's 00:00, earlier than now, so it states why (补录).
      receivedAt: new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10),
      receivedAtReason: '纸质送审材料当日收到，录入系统在后（补录）',
    });
    // 202: stored, the workflow start is retried by the worker (e.g. right after a deployment the
    // Temporal frontend may not know the new search attributes for ~10 s); it must start soon.
    expectStatus('submit review', r, 201, 202);
    return r.body as { id: string; workflowId: string; status: string };
  });

  await step('GET /api/reviews/:id reads it back, its workflow running', async () => {
    const until = Date.now() + 60_000;
    for (;;) {
      const r = await call(handler, 'GET', `/api/reviews/${created.id}`);
      expectStatus('read review', r, 200, 503);
      if (r.status === 200 && r.body.status === 'awaiting_assignment' && /T23:59:59\+08:00$/.test(r.body.deadline ?? '')) return;
      if (Date.now() > until) throw new Error(`read review: not started within 60 s: ${r.status} ${JSON.stringify(r.body)}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  });

  await step('POST …/assignment: a workflow Update answered by the worker', async () => {
    const r = await call(head, 'POST', `/api/reviews/${created.id}/assignment`, { reviewerId });
    expectStatus('assign reviewer', r, 200);
    if (r.body.status !== 'in_review' || r.body.reviewer !== reviewerId) throw new Error(`assign reviewer: ${JSON.stringify(r.body)}`);
  });

  await step('the case record holds the steps (written by activities)', async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await call(handler, 'GET', `/api/cases/${encodeURIComponent(caseNumber)}/record`);
      const entries: unknown[] = r.status === 200 ? r.body.entries : [];
      if (entries.length >= 2) return;
      if (Date.now() > deadline) throw new Error(`case record: ${r.status} ${JSON.stringify(r.body)}`);
      await new Promise((res) => setTimeout(res, 250));
    }
  });

  await step('POST …/withdrawal ends the workflow', async () => {
    const r = await call(handler, 'POST', `/api/reviews/${created.id}/withdrawal`, { reason: '冒烟测试结束' });
    expectStatus('withdraw', r, 200);
    if (r.body.status !== 'withdrawn') throw new Error(`withdraw: ${JSON.stringify(r.body)}`);
  });

  await step('POST /api/decisions with a date (no review needed)', async () => {
    const r = await call(handler, 'POST', '/api/decisions', {
      caseNumber: `本医保罚〔2026〕smoke-simple-${run}号`,
      decisionNumber: `本医保罚决〔2026〕smoke-${run}号`,
      decidedAt: '2025-10-20',
      classification: { decisionKind: 'penalty', procedure: 'simple', scope: {} },
    });
    expectStatus('decision', r, 201);
    if (Date.parse(r.body.decidedAt) !== Date.parse('2025-10-20T00:00:00+08:00')) throw new Error(`decision: ${JSON.stringify(r.body)}`);
  });

  return { checks, reviewId: created.id, workflowId: created.workflowId };
}

if (require.main === module) {
  const baseUrl = process.env.SMOKE_BASE_URL ?? 'http://127.0.0.1:3000';
  const jwtSecret = process.env.JWT_SECRET;
  if (!jwtSecret) {
    console.error('set JWT_SECRET (the deployment\'s) and SMOKE_BASE_URL');
    process.exit(2);
  }
  runSmoke({ baseUrl, jwtSecret, log: (l) => console.error(l) }).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (err) => {
      console.error(`[smoke] FAILED: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
