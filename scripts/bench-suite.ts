/**
 * Target 6 (issue 15): the whole `npm test` under 5 minutes here, and where the time goes.
 *
 * Reads the jest results of the last full run, written with
 *   npm test -- --json --outputFile=scratch/jest-results.json
 * (BENCH_SUITE_RESULTS names another file). With `--run-suite` the section runs exactly that
 * first and also reports the wall-clock time of the whole npm test (tools, typecheck, jest).
 * Figures: jest's wall time, against the 300 s budget as baseline (ratio = share of the budget);
 * the slowest files and the time per test directory are printed as notes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { flags, note, report, type BenchSection } from './benchkit';

const BUDGET_S = 300;
const RESULTS = process.env.BENCH_SUITE_RESULTS ?? path.join(__dirname, '..', 'scratch', 'jest-results.json');

interface JestResults {
  startTime: number;
  numTotalTests: number;
  numFailedTests: number;
  numTotalTestSuites: number;
  testResults: Array<{ name: string; startTime: number; endTime: number; status: string }>;
}

async function run(): Promise<void> {
  let wallS: number | undefined;
  if (flags.has('--run-suite')) {
    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    const started = Date.now();
    const res = spawnSync('npm', ['test', '--', '--json', `--outputFile=${RESULTS}`], { cwd: path.join(__dirname, '..'), stdio: ['ignore', 'ignore', 'inherit'] });
    wallS = (Date.now() - started) / 1000;
    note(`  npm test exited ${res.status} after ${wallS.toFixed(0)} s`);
  }
  if (!fs.existsSync(RESULTS)) {
    note(`  no results at ${RESULTS}: run \`npm test -- --json --outputFile=scratch/jest-results.json\` (or \`npm run bench -- suite --run-suite\`)`);
    return;
  }
  const results = JSON.parse(fs.readFileSync(RESULTS, 'utf8')) as JestResults;
  const files = results.testResults.map((t) => ({ file: path.relative(path.join(__dirname, '..'), t.name), s: (t.endTime - t.startTime) / 1000 }));
  const end = Math.max(...results.testResults.map((t) => t.endTime));
  const jestS = (end - results.startTime) / 1000;
  const inFiles = files.reduce((a, f) => a + f.s, 0);
  note(`  results of ${new Date(results.startTime).toISOString()}: ${results.numTotalTestSuites} files, ${results.numTotalTests} tests, ${results.numFailedTests} failed; jest ${jestS.toFixed(0)} s, ${inFiles.toFixed(0)} s inside test files (the rest: global setup — Postgres, dev server — and teardown)`);
  const byDir = new Map<string, number>();
  for (const f of files) byDir.set(path.dirname(f.file), (byDir.get(path.dirname(f.file)) ?? 0) + f.s);
  note(`  by directory: ${[...byDir].sort((a, b) => b[1] - a[1]).map(([d, s]) => `${d} ${s.toFixed(0)} s`).join(', ')}`);
  note(`  slowest files: ${files.sort((a, b) => b.s - a.s).slice(0, 8).map((f) => `${f.file} ${f.s.toFixed(0)} s`).join(', ')}`);
  report({ name: 'suite jest wall time', value: jestS, unit: 's', baseline: BUDGET_S, target: `npm test < ${BUDGET_S} s (baseline: the budget)`, holds: jestS < BUDGET_S });
  if (wallS !== undefined) report({ name: 'suite npm test wall time', value: wallS, unit: 's', baseline: BUDGET_S, target: `npm test < ${BUDGET_S} s (tools + typecheck + jest)`, holds: wallS < BUDGET_S });
}

export const benchSection: BenchSection = {
  name: 'suite',
  description: 'the whole npm test: duration and where the time goes (last results file, or --run-suite)',
  run,
};
