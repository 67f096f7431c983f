/**
 * Target 2 (issue 15): open cases at city scale on one worker. N open legal reviews and N open
 * enforcements (fines, unpaid) with running clocks (N = 10,000 by default), on ONE worker process
 * run exactly as production runs it: `npm run build` output (tsc to plain JS + the prebuilt workflow
 * bundle of scripts/bundle-workflows.ts, passed as `workflowBundle`), `node <WORKER_NODE_OPTIONS>
 * dist/worker/main.js`, no tsx and no webpack at run time, with the worker settings of
 * infra/config.ts (any WORKER_* variable in the environment overrides them for an experiment).
 *
 * The processes are started as the start outbox starts them (their Postgres rows first, so every
 * activity finds its row, then client.workflow.start with the identifying search attributes), but
 * by this script directly (not through the HTTP API), 64 at a time. Their deadlines lie days ahead.
 *
 * Figures (RSS sampled from /proc every 250 ms; peak = the kernel's high-water mark VmHWM):
 *  open worker RSS peak / steady N+N: while the 2N processes start and after they all made their
 *      first projection and the worker has been quiet for 15 s. Baseline: the same worker idle
 *      (started, polling, no process yet). Target < 400 MB.
 *  open catch-up after restart: the worker is killed (SIGKILL) and a new one launched 10 s later;
 *      meanwhile clocks fell due and new reviews arrived (received 30 days ago: overdue at once).
 *      The time from the launch until every one of those is handled (its record entry / overdue
 *      projection in Postgres). Baseline: the idle worker's own start (launch to polling).
 *  open timer lateness after restart p50/p99/max: the legal clocks of reviews and enforcements run
 *      in whole Shanghai days (their milestones are at midnight), so the slice of clocks that falls
 *      due at chosen instants around the restart is made of 24-hour clocks of audio-video records
 *      (the same LegalDeadline of the process kit, 第三十二条), started before the kill: some due
 *      while no worker runs, some in the first minute after the restart. Lateness = the workflow
 *      time of the overdue record entry minus the instant the clock was due.
 *
 * N: `--open-count=<n>` or BENCH_OPEN=<n> (quick runs); `--small` = 1,000; see `named` below.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import type { EnforcementInput } from '../domain/enforcement/types';
import { workflowInput } from '../domain/legal-review/types';
import { WORKER_DEFAULTS } from '../infra/config';
import { createPool } from '../infra/db';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { logger } from '../infra/logger';
import { ReviewStore } from '../infra/review-store';
import { prepareBackingServices } from '../infra/runtime';
import { freePort, startTemporalDevServer } from '../infra/temporal-dev-server';
import { avRecordWorkflow, avRecordWorkflowId, type AvRecordInput } from '../workflows/av-record';
import { enforcementWorkflow, enforcementWorkflowId } from '../workflows/enforcement';
import { legalReviewWorkflow, legalReviewWorkflowId, reviewStateQuery } from '../workflows/legal-review';
import { initialSearchAttributes } from '../workflows/search-attributes';
import { submission } from '../test/review/helpers';
import { closedLoop, flags, note, percentile, report, type BenchSection } from './benchkit';

const countFlag = [...flags].find((f) => f.startsWith('--open-count='))?.split('=')[1];
/**
 * The issue's 10,000 + 10,000 when the section is named (`npm run bench -- open`). A plain
 * `npm run bench` runs 1,000 + 1,000 (still ten times the sticky cache, so the worker is in the same
 * steady state) to stay within its 20 minutes: 20,000 starts cost ~100 CPU-ms each (worker + dev
 * server), more than 15 minutes on two free cores.
 */
const named = process.argv.slice(2).includes('open');
const N = Number(countFlag ?? process.env.BENCH_OPEN ?? process.env.BENCH_OPEN_N ?? (flags.has('--small') || !named ? 1_000 : 10_000));
const LATE = Math.max(10, Math.round(N / 100));
const AV_DOWN = Math.max(10, Math.round(N / 100));
const AV_AFTER = Math.max(10, Math.round(N / 100));
const DOWNTIME_MS = 10_000;
const UNIT = 'benxi.ybj';
const RSS_TARGET_MB = 400;
const ROOT = path.resolve(__dirname, '..');
const WORKER_LOG = path.join(os.tmpdir(), 'sanxiang-bench-open-worker.log');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const procStatus = (pid: number, field: 'VmRSS' | 'VmHWM') => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** CPU seconds of the processes whose command line contains `marker`, with their live descendants and reaped children. */
function cpuSeconds(marker: string): number {
  const stats = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return [{ pid: Number(pid), ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]), cmd: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') }];
      } catch {
        return [];
      }
    });
  const roots = new Set(stats.filter((p) => p.cmd.includes(marker)).map((p) => p.pid));
  let ticks = 0;
  for (const p of stats) if (roots.has(p.pid)) ticks += p.own + p.children;
  const inTree = (p: (typeof stats)[number]): boolean => roots.has(p.ppid) || (stats.find((q) => q.pid === p.ppid) ? inTree(stats.find((q) => q.pid === p.ppid)!) : false);
  for (const p of stats) if (!roots.has(p.pid) && inTree(p)) ticks += p.own;
  return ticks / 100;
}

/** `npm run build` into `dir`: tsc (tsconfig.build.json) and the prebuilt workflow bundle, as the Dockerfile does. */
async function buildAsProduction(dir: string): Promise<{ main: string; bundle: string }> {
  // BENCH_OPEN_BUILD_DIR: a build made earlier by this function (it is kept there), for repeated runs.
  const kept = process.env.BENCH_OPEN_BUILD_DIR;
  if (kept && fs.existsSync(path.join(kept, 'dist', 'worker', 'main.js'))) return { main: path.join(kept, 'dist', 'worker', 'main.js'), bundle: path.join(kept, 'dist', 'workflow-bundle.js') };
  if (kept) dir = kept;
  const outDir = path.join(dir, 'dist');
  const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
    new Promise<number>((resolve) => {
      const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.resume();
      child.on('exit', (code) => resolve(code ?? 1));
    });
  const bundle = path.join(outDir, 'workflow-bundle.js');
  const [tscCode, bundleCode] = await Promise.all([
    // tsc emits even when a file another engineer is editing has a type error; the run needs the JS.
    run(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json', '--outDir', outDir]),
    run(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/bundle-workflows.ts'], { ...process.env, WORKFLOW_BUNDLE_PATH: bundle }),
  ]);
  const main = path.join(outDir, 'worker', 'main.js');
  if (!fs.existsSync(main) || bundleCode !== 0) throw new Error(`build failed (tsc ${tscCode}, bundle ${bundleCode})`);
  if (tscCode !== 0) note(`  (tsc reported type errors, JS emitted anyway)`);
  // As the image: plans/ next to dist/ (infra/plan-store.ts finds ../../plans), node_modules of the clone.
  if (!fs.existsSync(path.join(dir, 'plans'))) fs.symlinkSync(path.join(ROOT, 'plans'), path.join(dir, 'plans'));
  return { main, bundle };
}

interface WorkerProc {
  child: ChildProcess;
  launchedAt: number;
  /** launch → "worker running" (the worker polls). */
  readyMs: number;
}

async function launchWorker(main: string, env: NodeJS.ProcessEnv, nodeOptions: string[]): Promise<WorkerProc> {
  const out = fs.openSync(WORKER_LOG, 'a');
  const launchedAt = Date.now();
  const child = spawn(process.execPath, [...nodeOptions, main], { env, stdio: ['ignore', 'pipe', out] });
  let buffered = '';
  const ready = new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      fs.writeSync(out, b);
      if (buffered !== null) {
        buffered += b.toString();
        if (buffered.includes('"worker running"')) resolve(Date.now() - launchedAt);
        if (buffered.length > 1e6) buffered = buffered.slice(-1000);
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited before polling (${code ?? signal}); log: ${WORKER_LOG}`)));
  });
  const readyMs = await Promise.race([ready, sleep(120_000).then(() => Promise.reject(new Error(`worker not polling after 120 s; log: ${WORKER_LOG}`)))]);
  child.once('exit', (code, signal) => {
    if (signal !== 'SIGKILL' && signal !== 'SIGTERM') note(`  worker ${child.pid} exited (${code ?? signal}); log: ${WORKER_LOG}`);
  });
  return { child, launchedAt, readyMs };
}

/** Samples a process's RSS every 250 ms. */
function rssSampler(pid: number) {
  const samples: { at: number; mb: number }[] = [];
  const timer = setInterval(() => {
    try {
      samples.push({ at: Date.now(), mb: procStatus(pid, 'VmRSS') });
    } catch {
      // the process is gone
    }
  }, 250);
  return {
    samples,
    stop: () => clearInterval(timer),
    /** The median of the samples taken since `from`. */
    medianSince: (from: number) => percentile(samples.filter((s) => s.at >= from).map((s) => s.mb), 0.5),
    hwm: () => procStatus(pid, 'VmHWM'),
  };
}

async function waitFor(what: string, deadlineMs: number, check: () => Promise<boolean>, everyMs = 250): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  note(`  gave up waiting for ${what} after ${(deadlineMs / 1000).toFixed(0)} s`);
  return false;
}

async function run(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanxiang-bench-open-'));
  fs.writeFileSync(WORKER_LOG, '');
  const t0 = Date.now();
  const [build, pg, dev] = await Promise.all([buildAsProduction(dataDir), startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port: await freePort(), persistent: false }), startTemporalDevServer({ port: await freePort(), namespace: 'default' })]);
  const log = logger.child({}, { level: 'error' });
  await prepareBackingServices({ databaseUrl: pg.databaseUrl, temporalAddress: dev.address, namespace: 'default', log });
  note(`  built as production and backing services up in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const pool: Pool = createPool(pg.databaseUrl, 24);
  const connection = await Connection.connect({ address: dev.address });
  const client = new Client({ connection, namespace: 'default' });
  const taskQueue = 'bench-open';
  const nodeOptions = (process.env.BENCH_OPEN_NODE_OPTIONS ?? WORKER_DEFAULTS.nodeOptions).split(/\s+/).filter(Boolean);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NODE_PATH: path.join(ROOT, 'node_modules'),
    LOG_LEVEL: 'info',
    DATABASE_URL: pg.databaseUrl,
    TEMPORAL_ADDRESS: dev.address,
    TASK_QUEUE: taskQueue,
    WORKFLOW_BUNDLE_PATH: build.bundle,
    JWT_SECRET: randomBytes(32).toString('hex'),
  };
  // The worker settings, passed explicitly (a kept build may predate a change of the defaults).
  const setting = (name: string, fallback: number | boolean) => (env[name] = process.env[name] || String(fallback));
  const settings = `cache ${setting('WORKER_MAX_CACHED_WORKFLOWS', WORKER_DEFAULTS.maxCachedWorkflows)}, workflow tasks ${setting('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', WORKER_DEFAULTS.maxConcurrentWorkflowTasks)}, activities ${setting('WORKER_MAX_CONCURRENT_ACTIVITIES', WORKER_DEFAULTS.maxConcurrentActivities)}, reuseV8Context ${setting('WORKER_REUSE_V8_CONTEXT', WORKER_DEFAULTS.reuseV8Context)}, sticky timeout ${setting('WORKER_STICKY_TIMEOUT_MS', WORKER_DEFAULTS.stickyTimeoutMs)} ms, node ${nodeOptions.join(' ') || '(no flags)'}`;
  note(`  worker: ${settings}`);

  let worker = await launchWorker(build.main, env, nodeOptions);
  let sampler = rssSampler(worker.child.pid!);
  try {
    await sleep(5_000);
    const idle = procStatus(worker.child.pid!, 'VmRSS');
    const idleStartS = worker.readyMs / 1000;
    note(`  idle worker: RSS ${idle.toFixed(0)} MB, polling ${idleStartS.toFixed(1)} s after launch`);

    const store = new ReviewStore(pool);
    const reviews: string[] = [];
    const enforcements: string[] = [];
    const review = async (receivedAt: string): Promise<string> => {
      const input = submission({ receivedAt, caseNumber: `本医保罚〔2026〕o${randomUUID().slice(0, 12)}号` });
      const saved = await store.saveSubmission(input, (n) => legalReviewWorkflowId(input.unit, input.caseNumber, n), receivedAt);
      await client.workflow.start(legalReviewWorkflow, { taskQueue, workflowId: saved.workflowId, args: [workflowInput(saved.input)], typedSearchAttributes: [...initialSearchAttributes('legal-review', input.unit, input.caseNumber, 'submitted')] });
      return saved.workflowId;
    };
    const enforcement = async (): Promise<string> => {
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
      return workflowId;
    };
    /** A 24-hour AV-record clock due (overdue escalation) at `dueAt`; started now. */
    const avClock = async (dueAt: number): Promise<{ workflowId: string; caseNumber: string; dueAt: number }> => {
      const caseNumber = `本医保罚〔2026〕a${randomUUID().slice(0, 12)}号`;
      // The clock escalates at deadline + 1 s; the deadline is madeAt + 24 h to the second.
      const madeAt = new Date(Math.floor((dueAt - 1000 - 24 * 3_600_000) / 1000) * 1000);
      const input: AvRecordInput = { unit: UNIT, caseNumber, caseWorkflowId: `case-${UNIT}-${caseNumber}`, n: 1, ref: 'av://bench', stage: 'investigation', madeAt: madeAt.toISOString() };
      const workflowId = avRecordWorkflowId(UNIT, caseNumber, 1);
      await client.workflow.start(avRecordWorkflow, { taskQueue, workflowId, args: [input], typedSearchAttributes: [...initialSearchAttributes('av-record', UNIT, caseNumber, 'av-pending')] });
      return { workflowId, caseNumber, dueAt: madeAt.getTime() + 24 * 3_600_000 + 1000 };
    };

    // ---- load: N reviews + N enforcements, interleaved ----
    const cpuMarkers = { worker: build.main, temporal: `--port\0${dev.address.split(':')[1]}\0`, postgres: path.join(dataDir, 'pg') };
    const cpuOf = () => ({ ...Object.fromEntries(Object.entries(cpuMarkers).map(([k, m]) => [k, cpuSeconds(m)])), bench: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6 }) as Record<string, number>;
    const cpuBefore = cpuOf();
    const loadFrom = Date.now();
    const started = await closedLoop(2 * N, 64, async (i) => {
      if (i % 2 === 0) reviews.push(await review(new Date().toISOString()));
      else enforcements.push(await enforcement());
    });
    note(`  ${2 * N} processes started in ${((Date.now() - loadFrom) / 1000).toFixed(0)} s (${started.perSecond.toFixed(0)}/s)`);
    // Every process has made its first projection: no review still 'submitted', every enforcement has its view.
    let progressAt = Date.now();
    const projected = async () => {
      const { rows } = await pool.query(`SELECT (SELECT count(*) FROM reviews WHERE status = 'submitted')::int AS r, (SELECT count(*) FROM enforcements WHERE view IS NULL)::int AS e`);
      if (Date.now() - progressAt >= 60_000) {
        progressAt = Date.now();
        note(`    ${((Date.now() - loadFrom) / 1000).toFixed(0)} s: ${2 * N - rows[0].r - rows[0].e}/${2 * N} projected, RSS ${procStatus(worker.child.pid!, 'VmRSS').toFixed(0)} MB (high-water ${sampler.hwm().toFixed(0)} MB), load ${os.loadavg()[0]!.toFixed(1)}`);
      }
      return rows[0].r === 0 && rows[0].e === 0;
    };
    await waitFor('the first projections', 900_000 + N * 200, projected, 1000);
    const loadedAt = Date.now();
    const cpuAfter = cpuOf();
    note(`  all ${2 * N} projected ${((loadedAt - loadFrom) / 1000).toFixed(0)} s after the first start; CPU seconds used meanwhile: ${Object.keys(cpuAfter).map((k) => `${k} ${(cpuAfter[k]! - cpuBefore[k]!).toFixed(0)}`).join(', ')} (machine load ${os.loadavg()[0]!.toFixed(1)})`);
    const peak = sampler.hwm();
    await sleep(15_000);
    const steadyFrom = Date.now();
    await sleep(10_000);
    const steady = sampler.medianSince(steadyFrom);
    report({ name: `open worker RSS peak ${N}+${N}`, value: peak, unit: 'MB', baseline: idle, target: `< ${RSS_TARGET_MB} MB (baseline: the idle worker; kernel high-water mark)`, holds: peak < RSS_TARGET_MB });
    report({ name: `open worker RSS steady ${N}+${N}`, value: steady, unit: 'MB', baseline: idle, target: `< ${RSS_TARGET_MB} MB (median over 10 s, all open and quiet)`, holds: steady < RSS_TARGET_MB });

    // ---- the clocks due around the restart, started on the running worker ----
    const killAt = Date.now() + 15_000;
    const relaunchAt = killAt + DOWNTIME_MS;
    const dueDuringDowntime = await Promise.all(Array.from({ length: AV_DOWN }, (_, i) => avClock(killAt + 1_000 + Math.round(((DOWNTIME_MS - 2_000) * i) / AV_DOWN))));
    // After the relaunch: from 15 s (the worker polls) to 60 s.
    const dueAfterRestart = await Promise.all(Array.from({ length: AV_AFTER }, (_, i) => avClock(relaunchAt + 15_000 + Math.round((45_000 * i) / AV_AFTER))));
    const avs = [...dueDuringDowntime, ...dueAfterRestart];
    // Their first task done on the old worker (the 24 hours are running, the timers are set).
    await waitFor('the AV clocks to start', 60_000, async () => {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM notifications WHERE unit_code = $1 AND subject LIKE '%须于%前存储'`, [UNIT]);
      return rows[0].n >= avs.length;
    }).catch(() => false);
    if (Date.now() > killAt) note(`  (the AV clocks started late: ${((Date.now() - killAt) / 1000).toFixed(1)} s after the planned kill)`);
    await sleep(Math.max(0, killAt - Date.now()));

    // ---- crash, arrivals while down, relaunch ----
    sampler.stop();
    worker.child.kill('SIGKILL');
    await new Promise((r) => (worker.child.exitCode !== null || worker.child.signalCode !== null ? r(null) : worker.child.once('exit', r)));
    const late: string[] = [];
    const thirtyDaysAgo = new Date(Date.now() - 30 * 86_400_000).toISOString();
    await closedLoop(LATE, 8, async () => void late.push(await review(thirtyDaysAgo)));
    await sleep(Math.max(0, relaunchAt - Date.now()));
    worker = await launchWorker(build.main, env, nodeOptions);
    sampler = rssSampler(worker.child.pid!);
    const launched = worker.launchedAt;
    const firedAt = async (list: typeof avs) => {
      const { rows } = await pool.query<{ case_number: string; occurred_at: Date; recorded_at: Date }>(
        `SELECT case_number, occurred_at, recorded_at FROM case_record WHERE unit_code = $1 AND action = 'av.overdue' AND case_number = ANY($2)`,
        [UNIT, list.map((a) => a.caseNumber)],
      );
      return new Map(rows.map((r) => [r.case_number, r]));
    };
    const lateOverdue = async () => (await pool.query(`SELECT count(*)::int AS n FROM reviews WHERE workflow_id = ANY($1) AND overdue`, [late])).rows[0].n as number;
    // Catch-up: everything that fell due or arrived while no worker ran, handled.
    await waitFor('the catch-up', 600_000, async () => (await firedAt(dueDuringDowntime)).size === dueDuringDowntime.length && (await lateOverdue()) === late.length);
    const caughtUpAt = Date.now();
    const catchUpS = (caughtUpAt - launched) / 1000;
    // The clocks due after the relaunch: wait until their time has passed (+30 s).
    const lastDue = Math.max(...dueAfterRestart.map((a) => a.dueAt));
    await waitFor('the clocks due after the restart', Math.max(0, lastDue - Date.now()) + 30_000, async () => (await firedAt(dueAfterRestart)).size === dueAfterRestart.length);
    const fired = await firedAt(avs);
    const lateness = (list: typeof avs) => list.filter((a) => fired.has(a.caseNumber)).map((a) => (fired.get(a.caseNumber)!.occurred_at.getTime() - a.dueAt) / 1000);
    const afterL = lateness(dueAfterRestart);
    note(`  lateness of the clocks due after the relaunch (s): ${afterL.map((l) => l.toFixed(2)).join(' ')}`);
    const downL = lateness(dueDuringDowntime);
    const firedCount = avs.filter((a) => fired.has(a.caseNumber)).length;
    const lateCount = await lateOverdue();
    note(`  after the SIGKILL (${DOWNTIME_MS / 1000} s down): the new worker polled ${(worker.readyMs / 1000).toFixed(1)} s after its launch; ${lateCount}/${late.length} reviews received 30 days ago overdue and ${downL.length}/${dueDuringDowntime.length} clocks due while down fired, all by ${catchUpS.toFixed(1)} s after the launch`);
    note(`  clocks due while down: fired ${downL.length ? `${percentile(downL, 0.5).toFixed(1)} s (p50) / ${Math.max(...downL).toFixed(1)} s (max)` : '–'} after their due time; due after the relaunch: ${afterL.length}/${dueAfterRestart.length} fired`);
    report({ name: 'open timers fired after restart', value: firedCount + lateCount, unit: 'processes', baseline: avs.length + late.length, target: 'every clock due during or after the restart fires, every arrival handled', holds: firedCount + lateCount === avs.length + late.length });
    report({ name: 'open catch-up after restart', value: catchUpS, unit: 's', baseline: idleStartS, target: `informative: launch to every clock due while down (${DOWNTIME_MS / 1000} s) fired; baseline: the idle worker's launch to polling`, holds: null });
    const p = (q: number) => (afterL.length ? percentile(afterL, q / 100) : NaN);
    const onTime = 2;
    report({ name: 'open timer lateness after restart p50', value: p(50), unit: 's', baseline: null, target: `due after the relaunch; ≤ ${onTime} s`, holds: afterL.length === dueAfterRestart.length && p(50) <= onTime });
    report({ name: 'open timer lateness after restart p99', value: p(99), unit: 's', baseline: null, target: `≤ ${onTime} s`, holds: afterL.length === dueAfterRestart.length && p(99) <= onTime });
    report({ name: 'open timer lateness after restart max', value: afterL.length ? Math.max(...afterL) : NaN, unit: 's', baseline: null, target: `informative (≤ ${onTime} s is on time)`, holds: null });

    // ---- replays: a sample of the open processes queried on the fresh worker (each rebuilt from its history) ----
    const sample = Array.from({ length: Math.min(1_000, reviews.length) }, (_, i) => reviews[Math.floor((i * reviews.length) / Math.min(1_000, reviews.length))]!);
    let failed = 0;
    const cold = await closedLoop(sample.length, 16, async (i) => {
      await client.workflow
        .getHandle(sample[i]!)
        .query(reviewStateQuery)
        .catch(() => void failed++);
    });
    const afterReplay = procStatus(worker.child.pid!, 'VmRSS');
    note(`  ${sample.length} reviews queried on the restarted worker (replayed): ${cold.perSecond.toFixed(0)}/s, p99 ${percentile(cold.latencies, 0.99).toFixed(0)} ms, ${failed} failed; RSS ${afterReplay.toFixed(0)} MB after`);
    report({ name: 'open worker RSS after restart and replays', value: afterReplay, unit: 'MB', baseline: idle, target: `< ${RSS_TARGET_MB} MB`, holds: afterReplay < RSS_TARGET_MB });
  } finally {
    sampler.stop();
    worker.child.kill('SIGTERM');
    await connection.close().catch(() => undefined);
    await pool.end();
    await dev.stop().catch(() => undefined);
    await pg.stop().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export const benchSection: BenchSection = {
  name: 'open',
  description: `${N.toLocaleString('en')} open reviews + ${N.toLocaleString('en')} open enforcements on one production-built worker: RSS, timers after a SIGKILL and restart, catch-up`,
  run,
};
