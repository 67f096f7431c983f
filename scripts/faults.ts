/**
 * `npm run faults` (issue 14): real processes, real faults. Embedded Postgres and the Temporal dev
 * server (both persistent, in a temporary directory), the worker as a child process (so it can be
 * killed with SIGKILL), the API in this process, and a local webhook receiver for benxi.ybj that
 * counts what it receives. Rounds:
 *   1-3. kill -9 the worker while reviews and enforcements are mid-activity (a supervisor restarts it)
 *   4.   stop Postgres mid-flight, start it again
 *   5.   stop the Temporal dev server mid-flight, start it again (same database file)
 *   6.   the webhook receiver fails (503) for a while, then recovers
 * After each round: every review reaches `passed`, every enforcement `performed`, every case record
 * verifies; at the end, once the delivery outbox is drained, no notification reached the receiver
 * successfully twice. About a minute here; `.ci/run` runs it after the tests. Exit code 0 = all held.
 *
 *   npm run faults [-- --per-round 3]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { signToken } from '../api/auth';
import { CHECKLIST_ITEMS } from '../domain/review-rules';
import { loadConfig } from '../infra/config';
import { createPool, ensureAppRole } from '../infra/db';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { logger } from '../infra/logger';
import { prepareBackingServices, runService } from '../infra/runtime';
import { freePort, startTemporalDevServer } from '../infra/temporal-dev-server';

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const perRound = Number(args[args.indexOf('--per-round') + 1]) || 2;
const UNIT = 'benxi.ybj';
const SECRET = 'faults-webhook-secret-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (msg: string) => console.log(`[faults] ${new Date().toISOString().slice(11, 19)} ${msg}`);
const cleanChecklist = () => Object.fromEntries(CHECKLIST_ITEMS.map((i) => [i, { result: 'pass', note: '' }]));
const scope = { publicInterest: false, majorRights: false, hearing: false, complex: false, otherLaw: false, catalogue: false, optIn: false };

async function main(): Promise<number> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sanxiang-faults-'));
  const stops: Array<() => Promise<void>> = [];
  const failures: string[] = [];
  try {
    // ---- backing services (restartable) ----
    const pgPort = await freePort();
    let pg = await startEmbeddedPostgres({ dataDir: path.join(work, 'postgres'), port: pgPort, log: () => undefined });
    const tPort = await freePort();
    const devServer = () => startTemporalDevServer({ port: tPort, uiPort: undefined, dbFile: path.join(work, 'temporal.db'), namespace: 'default', log: () => undefined });
    let temporal = await devServer();
    stops.push(async () => temporal.stop(), async () => pg.stop());
    const log = logger.child({}, { level: 'error' });
    await prepareBackingServices({ databaseUrl: pg.databaseUrl, temporalAddress: temporal.address, namespace: 'default', log });
    const appUrl = await ensureAppRole(pg.databaseUrl);
    const owner = createPool(pg.databaseUrl, 2);
    stops.unshift(() => owner.end());

    // ---- webhook receiver: counts successful receipts per idempotency key ----
    let failing = false;
    const received = new Map<string, number>();
    let attempts = 0;
    const receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        attempts += 1;
        if (failing) return void res.writeHead(503).end('down');
        const key = String(req.headers['idempotency-key'] ?? '');
        received.set(key, (received.get(key) ?? 0) + 1);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    stops.unshift(() => new Promise((r) => receiver.close(() => r())));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    // ---- the worker: a child process, restarted whenever it dies ----
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: appUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TASK_QUEUE: 'faults',
      JWT_SECRET: randomBytes(32).toString('base64url'),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    };
    const bundle = path.join(work, 'workflow-bundle.js');
    await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/bundle-workflows.ts')], { ...env, WORKFLOW_BUNDLE_PATH: bundle });
    let worker: ChildProcess | undefined;
    let stopping = false;
    let workerStarts = 0;
    const startWorker = () => {
      workerStarts += 1;
      worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'worker/main.ts')], { env: { ...env, WORKFLOW_BUNDLE_PATH: bundle }, stdio: ['ignore', 'ignore', 'inherit'] });
      worker.on('exit', () => {
        if (!stopping) setTimeout(startWorker, 500);
      });
    };
    startWorker();
    stops.unshift(async () => {
      stopping = true;
      worker?.kill('SIGTERM');
      await sleep(1000);
      worker?.kill('SIGKILL');
    });

    // ---- the API in this process ----
    const config = loadConfig({ ...env, PORT: String(await freePort()), RATE_LIMIT_PER_TOKEN: '1000000', RATE_LIMIT_PER_IP: '1000000' });
    const api = await runService({ config, log, databaseUrl: appUrl, temporalAddress: temporal.address, api: true, worker: false });
    stops.unshift(api.stop);
    const base = `http://127.0.0.1:${((api.server as http.Server).address() as AddressInfo).port}`;
    const tok = (roles: string[], person: string) => signToken(config.JWT_SECRET, { personId: person, unit: UNIT, roles: roles as never });
    const handler = await tok(['handler'], 'handler-f');
    const head = await tok(['head'], 'head-f');
    const reviewer = await tok(['reviewer'], 'reviewer-f');
    const admin = await tok(['admin'], 'admin-f');

    /** A request retried through the faults (same Idempotency-Key) until it gets an answer below 500. */
    async function call(token: string, method: string, p: string, body?: unknown, ok: (s: number) => boolean = (s) => s < 300): Promise<any> {
      const key = randomUUID();
      const until = Date.now() + 180_000;
      for (;;) {
        try {
          const res = await fetch(base + p, {
            method,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(30_000),
          });
          const text = await res.text();
          const parsed = text ? JSON.parse(text) : undefined;
          if (ok(res.status)) return parsed;
          // 409 idempotency.in_progress: the first attempt (its answer lost to the fault) is still executing; ask again.
          const inProgress = res.status === 409 && parsed?.rule === 'idempotency.in_progress';
          if (res.status < 500 && res.status !== 429 && !inProgress) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 300)}`);
        } catch (err) {
          if (err instanceof Error && err.message.startsWith(`${method} ${p}:`)) throw err;
        }
        if (Date.now() > until) throw new Error(`${method} ${p}: no answer through the fault`);
        await sleep(500);
      }
    }
    const until = async <T>(what: string, probe: () => Promise<T | undefined | false>, ms = 180_000): Promise<T> => {
      const end = Date.now() + ms;
      for (;;) {
        const v = await probe().catch(() => undefined);
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out: ${what}`);
        await sleep(500);
      }
    };

    // ---- setup ----
    await call(admin, 'PUT', `/api/units/${UNIT}/webhook`, { url: hookUrl, secret: SECRET });
    await call(head, 'PUT', '/api/reviewers/reviewer-f', { name: '审核员', lawDegree: true, legalWorkYears: 4, enforcementYears: 1, legalProfessionQualification: true, reviewedPenaltyBefore: true }, (s) => s < 300);
    let n = 0;
    const tag = Date.now() % 100_000;

    /** One review to its opinion and one decision served and paid: the work a fault hits. */
    async function review(): Promise<{ id: string; caseNumber: string }> {
      const caseNumber = `本医保罚〔2026〕F${tag}-${++n}号`;
      await call(handler, 'POST', '/api/cases', { caseNumber, title: '故障演练' });
      const created = await call(handler, 'POST', '/api/reviews', {
        caseNumber, title: '故障演练', decisionKind: 'penalty', procedure: 'general', scope: { majorRights: true },
        party: { kind: 'organisation', name: '本溪某药房' }, caseDeadline: '2099-12-31', caseDeadlineBasis: '演练', interestedPersons: [],
        materials: [{ kind: 'statement', ref: 'doc://s' }, { kind: 'draft_decision', ref: 'doc://d', sha256: 'd'.repeat(64) }],
      });
      await until('review started', async () => (await call(handler, 'GET', `/api/reviews/${created.id}`)).status === 'awaiting_assignment');
      await call(head, 'POST', `/api/reviews/${created.id}/assignment`, { reviewerId: 'reviewer-f' });
      await until('review clock started', async () => (await call(handler, 'GET', `/api/reviews/${created.id}`)).deadline);
      await call(reviewer, 'POST', `/api/reviews/${created.id}/opinion`, { kind: 'approve', checklist: cleanChecklist(), text: '' });
      return { id: created.id, caseNumber };
    }
    async function enforcement(): Promise<{ id: string; caseNumber: string }> {
      // Its own number: enforcements are made in parallel, `n` moves on while this one awaits.
      const k = ++n;
      const caseNumber = `本医保罚〔2026〕E${tag}-${k}号`;
      await call(handler, 'POST', '/api/cases', { caseNumber, title: '故障演练' });
      const decisionNumber = `FD-${tag}-${k}`;
      // A retry after an answer lost to the fault gets the stored first answer (api/idempotency.ts).
      const decision = await call(handler, 'POST', '/api/decisions', {
        caseNumber, decisionNumber, decidedAt: new Date(Date.now() - 3_600_000).toISOString(),
        classification: { decisionKind: 'penalty', procedure: 'simple', scope }, party: { kind: 'organisation', name: '本溪某药房' }, obligation: { kind: 'fine', amountFen: 100_000 },
      });
      if (!decision?.id) throw new Error(`decision ${decisionNumber}: ${JSON.stringify(decision)}`);
      const served = await call(handler, 'POST', `/api/decisions/${decision.id}/service`, { method: 'direct', servedAt: new Date(Date.now() - 1_800_000).toISOString(), proof: { signedBy: '代理人' } });
      const id = served.enforcementId;
      await until('enforcement started', async () => (await call(handler, 'GET', `/api/enforcements/${id}`)).performanceDeadline);
      // A retry whose first attempt ended the enforcement gets the first answer (stored), not 409 enforcement.ended.
      await call(handler, 'POST', `/api/enforcements/${id}/payments`, { amountFen: 100_000, paidAt: new Date().toISOString(), receipt: `R-${tag}-${k}` });
      return { id, caseNumber };
    }
    async function settled(reviews: Array<{ id: string; caseNumber: string }>, enforcements: Array<{ id: string; caseNumber: string }>, round: string) {
      for (const r of reviews) await until(`${round}: review ${r.caseNumber} passed`, async () => (await call(handler, 'GET', `/api/reviews/${r.id}`)).status === 'passed');
      for (const e of enforcements) await until(`${round}: enforcement ${e.caseNumber} performed`, async () => (await call(handler, 'GET', `/api/enforcements/${e.id}`)).stage === 'performed');
      for (const c of [...reviews, ...enforcements]) {
        const v = await call(handler, 'GET', `/api/cases/${encodeURIComponent(c.caseNumber)}/record/verify`);
        if (!v.valid) failures.push(`${round}: record of ${c.caseNumber} does not verify: ${JSON.stringify(v)}`);
      }
    }

    const rounds: Array<{ name: string; fault: () => Promise<void> }> = [
      ...[1, 2, 3].map((i) => ({
        name: `kill -9 worker #${i}`,
        fault: async () => {
          await sleep(400 + 300 * i);
          worker?.kill('SIGKILL');
        },
      })),
      {
        name: 'Postgres stopped and restarted',
        fault: async () => {
          await sleep(800);
          await pg.stop();
          await sleep(3000);
          pg = await startEmbeddedPostgres({ dataDir: path.join(work, 'postgres'), port: pgPort, log: () => undefined });
        },
      },
      {
        name: 'Temporal dev server stopped and restarted',
        fault: async () => {
          await sleep(800);
          await temporal.stop();
          await sleep(3000);
          temporal = await devServer();
        },
      },
      {
        name: 'webhook receiver fails, then recovers',
        fault: async () => {
          failing = true;
          await sleep(8000);
          failing = false;
        },
      },
    ];
    for (const round of rounds) {
      say(`round: ${round.name}`);
      const running = Promise.all([
        Promise.all(Array.from({ length: perRound }, () => review())),
        Promise.all(Array.from({ length: perRound }, () => enforcement())),
      ]);
      running.catch(() => undefined); // awaited below, after the fault
      await round.fault();
      const [reviews, enforcements] = await running;
      await settled(reviews, enforcements, round.name);
      say(`round done: ${reviews.length} reviews passed, ${enforcements.length} enforcements performed, records verify`);
    }

    // ---- the outbox drains; nothing reached the receiver twice ----
    await until('the webhook outbox drained', async () => (await owner.query(`SELECT count(*)::int AS n FROM notification_deliveries WHERE channel = 'webhook' AND status <> 'delivered' AND next_attempt_at IS NOT NULL`)).rows[0].n === 0, 600_000);
    const { rows: [counts] } = await owner.query(`SELECT count(*) FILTER (WHERE status = 'delivered')::int AS delivered, count(*) FILTER (WHERE status = 'failed' AND next_attempt_at IS NULL)::int AS failed FROM notification_deliveries WHERE channel = 'webhook'`);
    const twice = [...received].filter(([, c]) => c > 1);
    for (const [key, c] of twice) failures.push(`notification ${key} delivered ${c} times`);
    if (counts.failed > 0) {
      const { rows: gaveUp } = await owner.query(`SELECT attempts, last_error FROM notification_deliveries WHERE channel = 'webhook' AND status = 'failed' AND next_attempt_at IS NULL LIMIT 5`);
      failures.push(`${counts.failed} webhook deliveries gave up: ${JSON.stringify(gaveUp)}`);
    }
    say(`worker started ${workerStarts} times; webhook: ${received.size} notifications received, ${attempts} requests, ${counts.delivered} delivered per the outbox, ${twice.length} received twice`);
    if (received.size !== counts.delivered) failures.push(`the receiver got ${received.size} notifications, the outbox says ${counts.delivered} delivered`);
  } catch (err) {
    failures.push(err instanceof Error ? err.stack ?? err.message : String(err));
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (failures.length) {
    say(`FAILED:\n  ${failures.join('\n  ')}`);
    return 1;
  }
  say('all faults survived: every process reached its state, every record verifies, no notification delivered twice');
  return 0;
}

function run(cmd: string, argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${argv.join(' ')}: exit ${code}`))));
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
