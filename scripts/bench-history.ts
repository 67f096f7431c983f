/**
 * Target 3 (issue 15): history per process-year, from real histories on the time-skipping test
 * server with the real workflows and activities on real Postgres. A legal review assigned and left
 * overdue for a year, and a fine's enforcement left unpaid a year past its performance deadline:
 * the events written after the deadline, over the whole chain of runs (continue-as-new), against
 * the events the same process wrote up to its deadline (the baseline). Target < 200 per overdue year.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { EnforcementInput } from '../domain/enforcement/types';
import { loadConfig } from '../infra/config';
import { createPool, migrate } from '../infra/db';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { logger } from '../infra/logger';
import { ReviewStore } from '../infra/review-store';
import { freePort } from '../infra/temporal-dev-server';
import { enforcementStateQuery, enforcementWorkflow, enforcementWorkflowId } from '../workflows/enforcement';
import { assignReviewerUpdate, legalReviewWorkflow, legalReviewWorkflowId, reviewStateQuery } from '../workflows/legal-review';
import { initialSearchAttributes } from '../workflows/search-attributes';
import { createTimeSkippingEnv } from '../test/helpers/temporal';
import { qualifiedProfile, saveProfile, submission } from '../test/review/helpers';
import { note, report, type BenchSection } from './benchkit';

const DAY = 86_400_000;
const YEAR = 365 * DAY;
const UNIT = 'benxi.ybj';
const REVIEWER = 'bench-reviewer';
const TARGET = 200;

async function until<T>(what: string, f: () => Promise<T | undefined | null>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Events of every run of the workflow (first to last), with their times in ms. */
async function chainEvents(handle: WorkflowHandle, firstRunId: string, client: { workflow: { getHandle(id: string, run?: string): WorkflowHandle } }): Promise<{ runs: number; times: number[] }> {
  const times: number[] = [];
  let runs = 0;
  let runId: string | undefined = firstRunId;
  while (runId) {
    const { events } = await client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    runs++;
    for (const e of events ?? []) times.push(Number(e.eventTime?.seconds ?? 0) * 1000);
    runId = events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return { runs, times };
}

async function run(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanxiang-bench-history-'));
  const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  const pool = createPool(pg.databaseUrl, 10);
  const env = await createTimeSkippingEnv();
  try {
    await migrate(pg.databaseUrl);
    const taskQueue = 'bench-history';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../workflows'),
      activities: createActivities({ pool, config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'error' }), log: logger.child({}, { level: 'error' }), temporal: env.client }),
    });
    await worker.runUntil(async () => {
      // Review: received, assigned, then nobody gives an opinion for a year after the deadline.
      await saveProfile(pool, qualifiedProfile(REVIEWER));
      const input = submission({ receivedAt: new Date(await env.currentTimeMs()).toISOString() });
      const workflowId = legalReviewWorkflowId(input.unit, input.caseNumber);
      await new ReviewStore(pool).saveSubmission(input, workflowId, input.receivedAt);
      const review = await env.client.workflow.start(legalReviewWorkflow, { taskQueue, workflowId, args: [input], typedSearchAttributes: [...initialSearchAttributes('legal-review', input.unit, input.caseNumber, 'submitted')] });
      const deadline = Date.parse(await until('the review clock', async () => (await review.query(reviewStateQuery)).deadline));
      await review.executeUpdate(assignReviewerUpdate, { args: [{ by: 'bench-head', reviewerId: REVIEWER, profile: qualifiedProfile(REVIEWER) }] });
      await env.sleep(deadline + YEAR - (await env.currentTimeMs()));
      const r = await chainEvents(review, review.firstExecutionRunId, env.client);
      const rAfter = r.times.filter((t) => t > deadline).length;
      const rBefore = r.times.length - rAfter;
      note(`  review: ${r.runs} runs, ${r.times.length} events; ${rBefore} up to the deadline, ${rAfter} in the overdue year`);
      report({ name: 'history review events per overdue year', value: rAfter, unit: 'events', baseline: rBefore, target: `< ${TARGET} events per overdue year (baseline: events up to the deadline)`, holds: rAfter < TARGET });

      // Enforcement of a fine: served, never paid, a year past the performance deadline.
      const caseNumber = `本医保罚〔2026〕bench-${Date.now()}号`;
      const served = new Date(await env.currentTimeMs()).toISOString();
      const obligation = { kind: 'fine', amountFen: 500_000 } as EnforcementInput['obligation'];
      const { rows: d } = await pool.query(
        `INSERT INTO decisions (unit_code, case_number, decision_number, decided_at, recorded_by, basis, basis_detail, kind, party, obligation, enforcement_power)
         VALUES ($1, $2, $3, $4, 'bench', 'review_not_required', 'bench', 'penalty', $5, $6, 'own') RETURNING id`,
        [UNIT, caseNumber, `D-${caseNumber}`, served, JSON.stringify({ kind: 'organisation', name: '本溪某诊所' }), JSON.stringify(obligation)],
      );
      const enfId = enforcementWorkflowId(UNIT, caseNumber);
      const { rows: e } = await pool.query('INSERT INTO enforcements (decision_id, unit_code, case_number, workflow_id) VALUES ($1, $2, $3, $4) RETURNING id', [d[0].id, UNIT, caseNumber, enfId]);
      const enfInput: EnforcementInput = { enforcementId: e[0].id, decisionId: d[0].id, unit: UNIT, caseNumber, decisionNumber: `D-${caseNumber}`, decisionKind: 'penalty', obligation, enforcementPower: 'own', servedAt: served, serviceMethod: 'direct', startedBy: 'bench' };
      const enf = await env.client.workflow.start(enforcementWorkflow, { taskQueue, workflowId: enfId, args: [enfInput], typedSearchAttributes: [...initialSearchAttributes('enforcement', UNIT, caseNumber, 'awaiting_performance')] });
      const lastDay = await until('the performance deadline', async () => (await enf.query(enforcementStateQuery)).performanceLastDay);
      const enfDeadline = Date.parse(`${lastDay}T23:59:59+08:00`);
      await env.sleep(enfDeadline + YEAR - (await env.currentTimeMs()));
      const x = await chainEvents(enf, enf.firstExecutionRunId, env.client);
      const xAfter = x.times.filter((t) => t > enfDeadline).length;
      const xBefore = x.times.length - xAfter;
      note(`  enforcement: ${x.runs} runs, ${x.times.length} events; ${xBefore} up to the performance deadline, ${xAfter} in the year after`);
      report({ name: 'history enforcement events per overdue year', value: xAfter, unit: 'events', baseline: xBefore, target: `< ${TARGET} events per overdue year (baseline: events up to the deadline)`, holds: xAfter < TARGET });
    });
  } finally {
    await env.teardown().catch(() => undefined);
    await pool.end();
    await pg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export const benchSection: BenchSection = {
  name: 'history',
  description: 'events per review and per enforcement for one overdue year, from real histories (time-skipping server)',
  run,
};
