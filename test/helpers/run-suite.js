#!/usr/bin/env node
/**
 * `npm test` after the tools: the type check (tsc --noEmit, incremental) and jest run side by side
 * instead of one after the other; the type check takes a minute on this machine and jest waits on
 * servers most of its time. Arguments go to jest (`npm test -- test/review --json --outputFile=x`).
 * The exit code is non-zero when either fails; tsc's errors are printed after jest's output, and the
 * closing line is still jest's plain summary (test/helpers/plain-summary-reporter.js), repeated.
 * Timings go to .data/test-timings.json (scripts/bench-suite.ts reads them).
 *
 * SANXIANG_TEST_WORKERS: jest workers (default 1 = --runInBand: with 2, a time-skipping test's workflow
 * sometimes never reported its result after its last Update, and in band took 281 s vs 301–311 s);
 * SANXIANG_SKIP_TYPECHECK=1: jest only.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const dataDir = path.join(root, '.data');
fs.mkdirSync(dataDir, { recursive: true });
const started = Date.now();

function run(args, { capture }) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, args, { cwd: root, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let out = '';
    if (capture) {
      child.stdout.on('data', (b) => (out += b));
      child.stderr.on('data', (b) => (out += b));
    }
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out, seconds: (Date.now() - t0) / 1000 }));
  });
}

async function main() {
  const workers = process.env.SANXIANG_TEST_WORKERS ?? '1';
  const jestArgs = [require.resolve('jest/bin/jest'), ...(workers === '1' ? ['--runInBand'] : [`--maxWorkers=${workers}`]), ...process.argv.slice(2)];
  const typecheck =
    process.env.SANXIANG_SKIP_TYPECHECK === '1'
      ? Promise.resolve(undefined)
      : run([require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit', '--incremental', '--tsBuildInfoFile', path.join(dataDir, 'typecheck.tsbuildinfo')], { capture: true });
  const jest = await run(jestArgs, { capture: false });
  const tsc = await typecheck;
  const totalS = (Date.now() - started) / 1000;
  fs.writeFileSync(path.join(dataDir, 'test-timings.json'), `${JSON.stringify({ at: new Date(started).toISOString(), totalS, jestS: jest.seconds, typecheckS: tsc?.seconds ?? null, workers: Number(workers), jestExit: jest.code, typecheckExit: tsc?.code ?? null })}\n`);
  if (tsc && tsc.code !== 0) process.stdout.write(`\n${tsc.out}\ntypecheck: FAILED (tsc exit ${tsc.code})\n`);
  process.stdout.write(`[test] typecheck ${tsc ? `${tsc.seconds.toFixed(0)} s (beside jest)` : 'skipped'}, jest ${jest.seconds.toFixed(0)} s with ${workers} worker(s), total ${totalS.toFixed(0)} s\n`);
  // The closing line stays jest's plain summary.
  const summary = path.join(dataDir, 'test-summary.txt');
  if (fs.existsSync(summary)) process.stdout.write(fs.readFileSync(summary, 'utf8'));
  process.exitCode = jest.code !== 0 ? jest.code : tsc && tsc.code !== 0 ? tsc.code : 0;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
