/**
 * Target 2 (issue 15): open cases at city scale on one worker. N open legal reviews and N open
 * enforcements (fines, unpaid) with running clocks, started as the outbox starts them (rows first,
 * then client.workflow.start with the identifying search attributes), on one standalone worker
 * process (worker/main.ts, as deployed) with the sticky cache and concurrency of
 * worker/create-worker.ts workerTuning (WORKER_MAX_CACHED_WORKFLOWS / _TASKS override), and the
 * workflows bundled ahead of time as in production (WORKFLOW_BUNDLE_PATH; without it the worker
 * runs webpack at start, and the idle worker alone was ~400 MB).
 *
 *  open worker RSS: the worker's resident memory once every process has made its first projection
 *      (baseline: the same worker's RSS idle, before any process). Target < 400 MB.
 *  open catch-up: the worker is killed (SIGKILL); while it is down, K reviews received 30 days ago
 *      are started (their deadlines have passed: the overdue escalation is due at once); a new
 *      worker starts: the time until every one of them is marked overdue in Postgres, and the time
 *      until the new worker has answered a query on every open process (each replayed from its
 *      history, the cache being empty). Baseline: the same queries on the warm worker before the kill.
 *
 * N = 10,000 by default (BENCH_OPEN_N); `--small` runs 1,000 + 1,000.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { EnforcementInput } from '../domain/enforcement/types';
import { createPool } from '../infra/db';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { logger } from '../infra/logger';
import { ReviewStore } from '../infra/review-store';
import { prepareBackingServices } from '../infra/runtime';
import { freePort, startTemporalDevServer } from '../infra/temporal-dev-server';
import { enforcementStateQuery, enforcementWorkflow, enforcementWorkflowId } from '../workflows/enforcement';
import { legalReviewWorkflow, legalReviewWorkflowId, reviewStateQuery } from '../workflows/legal-review';
import { initialSearchAttributes } from '../workflows/search-attributes';
import { submission } from '../test/review/helpers';
import { closedLoop, flags, note, report, type BenchSection } from './benchkit';

const N = flags.has('--small') ? 1_000 : Number(process.env.BENCH_OPEN_N ?? 10_000);
const LATE = Math.max(20, Math.round(N / 50));
const UNIT = 'benxi.ybj';
const RSS_TARGET_MB = 400;
const WORKER_LOG = path.join(os.tmpdir(), 'sanxiang-bench-open-worker.log');

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function run(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanxiang-bench-open-'));
  const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  const dev = await startTemporalDevServer({ port: await freePort(), namespace: 'default' });
  const log = logger.child({}, { level: 'error' });
  await prepareBackingServices({ databaseUrl: pg.databaseUrl, temporalAddress: dev.address, namespace: 'default', log });
  const pool = createPool(pg.databaseUrl, 20);
  const connection = await Connection.connect({ address: dev.address });
  const client = new Client({ connection, namespace: 'default' });
  const taskQueue = 'bench-open';
  // As deployed: the workflows bundled ahead of time (npm run build), so the worker runs no webpack.
  const bundlePath = path.join(dataDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('ERROR') })).code);
  const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: pg.databaseUrl, TEMPORAL_ADDRESS: dev.address, TASK_QUEUE: taskQueue, WORKFLOW_BUNDLE_PATH: bundlePath, JWT_SECRET: randomBytes(32).toString('hex') };
  const startWorker = async (): Promise<ChildProcess> => {
    const out = fs.openSync(WORKER_LOG, 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'worker', 'main.ts')], { env, stdio: ['ignore', out, out] });
    child.once('exit', (code, signal) => note(`  worker ${child.pid} exited (${code ?? signal}); its log: ${WORKER_LOG}`));
    await new Promise((r) => setTimeout(r, 8_000)); // bundling the workflows
    return child;
  };
  const settings = `maxCachedWorkflows ${process.env.WORKER_MAX_CACHED_WORKFLOWS ?? 500}, maxConcurrentWorkflowTaskExecutions ${process.env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS ?? 20}`;
  let worker = await startWorker();
  try {
    const idle = rssMb(worker.pid!);
    const store = new ReviewStore(pool);
    const reviews: string[] = [];
    const enforcements: string[] = [];
    const startReview = async (receivedAt: string) => {
      const input = submission({ receivedAt, caseNumber: `本医保罚〔2026〕o${randomUUID().slice(0, 12)}号` });
      const workflowId = legalReviewWorkflowId(input.unit, input.caseNumber);
      await store.saveSubmission(input, workflowId, receivedAt);
      await client.workflow.start(legalReviewWorkflow, { taskQueue, workflowId, args: [input], typedSearchAttributes: [...initialSearchAttributes('legal-review', input.unit, input.caseNumber, 'submitted')] });
      return workflowId;
    };
    const t0 = Date.now();
    await closedLoop(N, 16, async () => void reviews.push(await startReview(new Date().toISOString())));
    await closedLoop(N, 16, async () => {
      const caseNumber = `本医保罚〔2026〕e${randomUUID().slice(0, 12)}号`;
      const served = new Date().toISOString();
      const obligation = { kind: 'fine', amountFen: 200_000 } as EnforcementInput['obligation'];
      const { rows: d } = await pool.query(
        `INSERT INTO decisions (unit_code, case_number, decision_number, decided_at, recorded_by, basis, basis_detail, kind, party, obligation, enforcement_power)
         VALUES ($1, $2, $3, $4, 'bench', 'review_not_required', 'bench', 'penalty', $5, $6, 'own') RETURNING id`,
        [UNIT, caseNumber, `D-${caseNumber}`, served, JSON.stringify({ kind: 'organisation', name: '本溪某诊所' }), JSON.stringify(obligation)],
      );
      const workflowId = enforcementWorkflowId(UNIT, caseNumber);
      const { rows: e } = await pool.query('INSERT INTO enforcements (decision_id, unit_code, case_number, workflow_id) VALUES ($1, $2, $3, $4) RETURNING id', [d[0].id, UNIT, caseNumber, workflowId]);
      const input: EnforcementInput = { enforcementId: e[0].id, decisionId: d[0].id, unit: UNIT, caseNumber, decisionNumber: `D-${caseNumber}`, decisionKind: 'penalty', obligation, enforcementPower: 'own', servedAt: served, serviceMethod: 'direct', startedBy: 'bench' };
      await client.workflow.start(enforcementWorkflow, { taskQueue, workflowId, args: [input], typedSearchAttributes: [...initialSearchAttributes('enforcement', UNIT, caseNumber, 'awaiting_performance')] });
      enforcements.push(workflowId);
    });
    // Every process has reported (its clock is running) when no review is still 'submitted' and every enforcement has its deadline.
    for (;;) {
      const { rows } = await pool.query(`SELECT (SELECT count(*) FROM reviews WHERE status = 'submitted')::int AS r`);
      if (rows[0].r === 0 || Date.now() - t0 > 1_500_000) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    note(`  ${N} reviews + ${N} enforcements started and projected in ${((Date.now() - t0) / 1000).toFixed(0)} s (${settings})`);
    await new Promise((r) => setTimeout(r, 5_000));
    const loaded = rssMb(worker.pid!);
    report({ name: `open worker RSS ${N}+${N}`, value: loaded, unit: 'MB', baseline: idle, target: `< ${RSS_TARGET_MB} MB (baseline: the idle worker)`, holds: loaded < RSS_TARGET_MB });

    let failedQueries = 0;
    let firstFailure = '';
    const queryAll = async () =>
      closedLoop(reviews.length + enforcements.length, 16, async (i) => {
        try {
          if (i < reviews.length) await client.workflow.getHandle(reviews[i]!).query(reviewStateQuery);
          else await client.workflow.getHandle(enforcements[i - reviews.length]!).query(enforcementStateQuery);
        } catch (err) {
          failedQueries++;
          firstFailure ||= String((err as Error).message ?? err).slice(0, 200);
        }
      });
    const warm = await queryAll();
    const warmS = (reviews.length + enforcements.length) / warm.perSecond;
    const peak = rssMb(worker.pid!);

    // Crash, start late processes while no worker runs, restart.
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    const late: string[] = [];
    const thirtyDaysAgo = new Date(Date.now() - 30 * 86_400_000).toISOString();
    await closedLoop(LATE, 8, async () => void late.push(await startReview(thirtyDaysAgo)));
    const restartedAt = Date.now();
    worker = await startWorker();
    for (;;) {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM reviews WHERE workflow_id = ANY($1) AND overdue`, [late]);
      if (rows[0].n === late.length || Date.now() - restartedAt > 600_000) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const lateS = (Date.now() - restartedAt) / 1000;
    const { rows: lateRows } = await pool.query(`SELECT count(*)::int AS n FROM reviews WHERE workflow_id = ANY($1) AND overdue`, [late]);
    note(`  after a SIGKILL: ${lateRows[0].n}/${late.length} reviews started 30 days late were overdue ${lateS.toFixed(1)} s after the new worker was launched (8 s of it the fixed wait for bundling)`);
    note(`  warm queries: ${failedQueries} failed${firstFailure ? ` (first: ${firstFailure})` : ''}`);
    failedQueries = 0;
    const cold = await queryAll();
    note(`  cold queries: ${failedQueries} failed${firstFailure ? ` (first: ${firstFailure})` : ''}`);
    const coldS = (reviews.length + enforcements.length) / cold.perSecond;
    const after = rssMb(worker.pid!);
    note(`  queries on all ${2 * N} open processes: ${warmS.toFixed(1)} s on the warm worker, ${coldS.toFixed(1)} s after the restart (replays); RSS ${peak.toFixed(0)} MB warm, ${after.toFixed(0)} MB after the replays`);
    report({ name: 'open late timers fired after restart', value: lateRows[0].n, unit: 'processes', baseline: late.length, target: 'all due escalations fire after a restart', holds: lateRows[0].n === late.length });
    report({ name: 'open catch-up due timers', value: lateS, unit: 's', baseline: null, target: 'informative: launch to every due timer handled', holds: null });
    report({ name: `open catch-up replay all ${2 * N}`, value: coldS, unit: 's', baseline: warmS, target: 'informative: a query on every open process, cold vs warm', holds: null });
    report({ name: `open worker RSS after replays`, value: after, unit: 'MB', baseline: idle, target: `< ${RSS_TARGET_MB} MB`, holds: after < RSS_TARGET_MB });
  } finally {
    worker.kill('SIGTERM');
    await connection.close().catch(() => undefined);
    await pool.end();
    await dev.stop().catch(() => undefined);
    await pg.stop().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export const benchSection: BenchSection = {
  name: 'open',
  description: `${N.toLocaleString('en')} open reviews + ${N.toLocaleString('en')} open enforcements on one worker: RSS, due timers after a restart, catch-up`,
  onlyByName: !flags.has('--small') && !process.env.BENCH_OPEN_N,
  run,
};
