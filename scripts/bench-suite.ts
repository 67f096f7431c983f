/**
 * Target 6 (issue 15): the whole `npm test` under 5 minutes here, and where the time goes.
 *
 * Reads the jest results of the last full run, written with
 *   npm test -- --json --outputFile=scratch/jest-results.json
 * (BENCH_SUITE_RESULTS names another file), and the runner's timings (.data/test-timings.json:
 * type check beside jest, jest, total; test/helpers/run-suite.js). With `--run-suite` the section
 * runs exactly that first and also times the whole npm test (tools, chromium check, typecheck, jest).
 *
 * Figures: the npm test and jest wall times against the 300 s budget; jest's wall time against the
 * sum of its files' times (below 1: files ran side by side); the time outside the tests themselves
 * (global setup, and each file's beforeAll/afterAll: servers, workers) against jest's wall time.
 * Notes: the fixed costs, the slowest files and the time per test directory.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { flags, note, report, type BenchSection } from './benchkit';

const BUDGET_S = 300;
const ROOT = path.join(__dirname, '..');
const RESULTS = process.env.BENCH_SUITE_RESULTS ?? path.join(ROOT, 'scratch', 'jest-results.json');
const TIMINGS = path.join(ROOT, '.data', 'test-timings.json');
const SETUP = path.join(ROOT, '.data', 'test-global-setup.json');

interface JestResults {
  startTime: number;
  numTotalTests: number;
  numFailedTests: number;
  numTotalTestSuites: number;
  testResults: Array<{ name: string; startTime: number; endTime: number; status: string; assertionResults: Array<{ duration?: number | null }> }>;
}
interface Timings {
  at: string;
  totalS: number;
  jestS: number;
  typecheckS: number | null;
  workers: number;
}
interface SetupTimings {
  at: string;
  setupMs?: number;
  bundlesMs?: number;
}

/** A timings file written by the same run as the results (it began before jest's results and less than `withinS` earlier). */
function sameRun<T extends { at: string }>(file: string, resultsStart: number, withinS: (t: T) => number): T | undefined {
  if (!fs.existsSync(file)) return undefined;
  const t = JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  const at = Date.parse(t.at);
  return at <= resultsStart && resultsStart - at <= withinS(t) * 1000 ? t : undefined;
}

const s = (n: number) => `${n.toFixed(0)} s`;

async function run(): Promise<void> {
  let wallS: number | undefined;
  if (flags.has('--run-suite')) {
    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    const started = Date.now();
    const res = spawnSync('npm', ['test', '--', '--json', `--outputFile=${RESULTS}`], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    wallS = (Date.now() - started) / 1000;
    note(`  npm test exited ${res.status} after ${s(wallS)}`);
  }
  if (!fs.existsSync(RESULTS)) {
    note(`  no results at ${RESULTS}: run \`npm test -- --json --outputFile=scratch/jest-results.json\` (or \`npm run bench -- suite --run-suite\`)`);
    return;
  }
  const results = JSON.parse(fs.readFileSync(RESULTS, 'utf8')) as JestResults;
  const timings = sameRun<Timings>(TIMINGS, results.startTime, (t) => t.totalS);
  const setup = sameRun<SetupTimings>(SETUP, results.startTime, (t) => (t.setupMs ?? 0) / 1000 + 60);
  const files = results.testResults.map((t) => {
    const inTests = t.assertionResults.reduce((a, r) => a + (r.duration ?? 0), 0) / 1000;
    // A file with a failed test can come back with endTime = startTime: its tests' durations then bound it.
    const fileS = Math.max((t.endTime - t.startTime) / 1000, inTests);
    return { file: path.relative(ROOT, t.name), s: fileS, outsideTests: Math.max(0, fileS - inTests) };
  });
  const firstStart = Math.min(...results.testResults.map((t) => t.startTime));
  const end = Math.max(...results.testResults.map((t) => t.endTime));
  const jestS = (end - results.startTime) / 1000 + (setup?.setupMs ?? 0) / 1000;
  // jest's results begin after its global setup: that comes from the setup's own file.
  const setupS = (setup?.setupMs ?? 0) / 1000 + (firstStart - results.startTime) / 1000;
  const inFiles = files.reduce((a, f) => a + f.s, 0);
  const outsideTests = files.reduce((a, f) => a + f.outsideTests, 0);

  note(`  results of ${new Date(results.startTime).toISOString()}: ${results.numTotalTestSuites} files, ${results.numTotalTests} tests, ${results.numFailedTests} failed`);
  note(`  fixed costs: global setup (Postgres, migrations, dev server) ${setup ? s(setupS) : 'unknown (no .data/test-global-setup.json of this run)'}` +
      (setup?.bundlesMs ? `; workflow bundles ready ${s(setup.bundlesMs / 1000)} after its start (in the background)` : '') +
      (timings ? `; type check ${timings.typecheckS === null ? 'skipped' : s(timings.typecheckS)} beside jest (${timings.workers} worker(s)); runner total ${s(timings.totalS)} (${timings.at})` : ''));
  note(`  jest ${s(jestS)} wall, ${s(inFiles)} inside test files, of which ${s(outsideTests)} outside the tests themselves (beforeAll/afterAll: time-skipping servers, workers, services)`);
  const byDir = new Map<string, number>();
  for (const f of files) byDir.set(path.dirname(f.file), (byDir.get(path.dirname(f.file)) ?? 0) + f.s);
  note(`  by directory: ${[...byDir].sort((a, b) => b[1] - a[1]).map(([d, v]) => `${d} ${s(v)}`).join(', ')}`);
  note(`  slowest files (file s / of which outside tests):`);
  for (const f of [...files].sort((a, b) => b.s - a.s).slice(0, 10)) note(`    ${f.file.padEnd(58)} ${f.s.toFixed(1).padStart(6)} s  ${f.outsideTests.toFixed(1).padStart(5)} s`);

  if (wallS !== undefined) report({ name: 'suite npm test wall time', value: wallS, unit: 's', baseline: BUDGET_S, target: `npm test < ${BUDGET_S} s (tools + typecheck + jest; baseline: the budget)`, holds: wallS < BUDGET_S });
  else if (timings) report({ name: 'suite npm test wall time (runner)', value: timings.totalS, unit: 's', baseline: BUDGET_S, target: `typecheck + jest < ${BUDGET_S} s (baseline: the budget)`, holds: timings.totalS < BUDGET_S });
  report({ name: 'suite jest wall time', value: jestS, unit: 's', baseline: BUDGET_S, target: `jest < ${BUDGET_S} s (baseline: the budget)`, holds: jestS < BUDGET_S });
  report({ name: 'suite jest wall vs sum of file times', value: jestS, unit: 's', baseline: inFiles, target: 'informational: < 1 when files run side by side', holds: null });
  report({ name: 'suite time outside tests', value: setupS + outsideTests, unit: 's', baseline: inFiles, target: 'informational: global setup + beforeAll/afterAll over the files\' time', holds: null });
}

export const benchSection: BenchSection = {
  name: 'suite',
  description: 'the whole npm test: duration and where the time goes (last results file, or --run-suite)',
  run,
};
