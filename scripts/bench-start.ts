/**
 * Targets 1 (issue 15): starting processes and acting on them, on one stack (embedded Postgres,
 * its own Temporal dev server, the real API and worker in this process).
 *
 *  start: POST /api/reviews at 64 concurrent clients against raw `client.workflow.start` of the
 *         same workflow type with the same input (copied from an API-started review, fresh ids) at
 *         64 concurrent on the same dev server in the same run. The raw starts go to a task queue
 *         no worker polls: the start call alone, which is what the API's start adds its work to
 *         (row + outbox in one transaction, the start, waiting for the first projection).
 *         Target: API starts/s ≥ 0.8× raw, API p99 < 250 ms.
 *  action: POST …/assignment and …/opinion at 16 concurrent, against a raw query of the same
 *         workflows at 16 concurrent (a worker round trip, no history write). Target p99 < 250 ms.
 */
import { randomUUID } from 'node:crypto';
import { CHECKLIST_ITEMS } from '../domain/review-rules';
import { initialSearchAttributes } from '../workflows/search-attributes';
import { reviewStateQuery } from '../workflows/legal-review-messages';
import { closedLoop, note, percentile, report, type BenchSection } from './benchkit';
import { startStack } from './benchenv';

const START_CLIENTS = 64;
const ACTION_CLIENTS = 16;
const STARTS = Number(process.env.BENCH_STARTS ?? 384);
const UNIT = 'benxi.ybj';
const REVIEWERS = 8;

const body = (caseNumber: string) => ({
  caseNumber,
  title: '某诊所串换药品骗取医保基金',
  decisionKind: 'penalty',
  procedure: 'general',
  scope: { majorRights: true },
  party: { kind: 'organisation', name: '本溪某诊所' },
  caseDeadline: '2099-12-31',
  caseDeadlineBasis: '承办机构填报（基准测试）',
  interestedPersons: [],
  materials: [
    { kind: 'statement', ref: 'doc://statement' },
    { kind: 'draft_decision', ref: 'doc://draft', sha256: 'd'.repeat(64) },
  ],
});
const checklist = () => Object.fromEntries(CHECKLIST_ITEMS.map((i) => [i, { result: 'pass', note: '' }]));
const fmt = (xs: number[]) => `p50 ${percentile(xs, 0.5).toFixed(0)} ms, p99 ${percentile(xs, 0.99).toFixed(0)} ms`;

async function run(): Promise<void> {
  const stack = await startStack();
  try {
    const handler = await stack.token(UNIT, ['handler'], 'bench-handler');
    const head = await stack.token(UNIT, ['head'], 'bench-head');
    for (let r = 0; r < REVIEWERS; r++) {
      const res = await stack.call(head, 'PUT', `/api/reviewers/bench-reviewer-${r}`, { name: `审核员${r}`, lawDegree: true, legalWorkYears: 4, enforcementYears: 1, legalProfessionQualification: true, reviewedPenaltyBefore: true });
      if (res.status >= 300) throw new Error(`reviewer profile: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const created: Array<{ id: string; workflowId: string }> = [];
    let pendingStarts = 0;
    const post = async () => {
      const res = await stack.call(handler, 'POST', '/api/reviews', body(`本医保罚〔2026〕b${randomUUID().slice(0, 10)}号`));
      // 202: stored, started later by the reconciler (counted: under load the API can find its row held by the reconciler).
      if (res.status === 202) pendingStarts++;
      else if (res.status !== 201) throw new Error(`POST /api/reviews: ${res.status} ${JSON.stringify(res.body)}`);
      created.push({ id: res.body.id, workflowId: res.body.workflowId });
    };
    // Warm-up: bundling, connections, JIT.
    await closedLoop(START_CLIENTS, 16, post);

    // Raw side: the same workflow type and input, fresh ids, on a task queue without a worker.
    const { rows } = await stack.service.pool.query(`SELECT workflow_type, input FROM process_starts WHERE workflow_id = $1`, [created[0]!.workflowId]);
    const { workflow_type: workflowType, input } = rows[0] as { workflow_type: string; input: Record<string, unknown> };
    const rawQueue = `bench-raw-${randomUUID().slice(0, 6)}`;
    const rawStart = async () => {
      const caseNumber = `本医保罚〔2026〕r${randomUUID().slice(0, 10)}号`;
      await stack.service.temporal.workflow.start(workflowType, {
        workflowId: `review-${UNIT}-${caseNumber}-s1`,
        taskQueue: rawQueue,
        args: [{ ...input, reviewId: randomUUID(), caseNumber }],
        typedSearchAttributes: [...initialSearchAttributes('legal-review', UNIT, caseNumber, 'submitted')],
        staticSummary: `法制审核 ${caseNumber}`,
      });
    };
    await closedLoop(START_CLIENTS, 16, rawStart);
    const raw = await closedLoop(STARTS, START_CLIENTS, rawStart);
    note(`  raw client.workflow.start ×${STARTS} at ${START_CLIENTS}: ${raw.perSecond.toFixed(1)}/s, ${fmt(raw.latencies)}`);
    created.length = 0;
    pendingStarts = 0;
    const api = await closedLoop(STARTS, START_CLIENTS, post);
    note(`  POST /api/reviews ×${STARTS} at ${START_CLIENTS}: ${api.perSecond.toFixed(1)}/s, ${fmt(api.latencies)}; ${pendingStarts} answered 202 (start left to the reconciler)`);
    report({ name: 'start reviews per second', value: api.perSecond, unit: 'starts/s', baseline: raw.perSecond, target: '≥ 0.8× raw client.workflow.start, 64 clients', holds: api.perSecond / raw.perSecond >= 0.8 });
    report({ name: 'start review p50', value: percentile(api.latencies, 0.5), unit: 'ms', baseline: percentile(raw.latencies, 0.5), target: 'informative (raw start p50 as baseline)', holds: null });
    report({ name: 'start review p99', value: percentile(api.latencies, 0.99), unit: 'ms', baseline: percentile(raw.latencies, 0.99), target: 'p99 < 250 ms, 64 clients', holds: percentile(api.latencies, 0.99) < 250 });

    // Actions on the reviews just created (awaiting assignment), 16 at a time.
    // Every review started and projected (a 202's start comes from the reconciler) before acting on it.
    const until = Date.now() + 60_000;
    while ((await stack.service.pool.query(`SELECT count(*)::int AS n FROM reviews WHERE status = 'submitted'`)).rows[0].n > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    const targets = created.slice(0, Math.min(created.length, 160));
    const queried = await closedLoop(targets.length, ACTION_CLIENTS, async (i) => {
      await stack.service.temporal.workflow.getHandle(targets[i]!.workflowId).query(reviewStateQuery);
    });
    note(`  raw query ×${targets.length} at ${ACTION_CLIENTS}: ${fmt(queried.latencies)}`);
    const assigned = await closedLoop(targets.length, ACTION_CLIENTS, async (i) => {
      const res = await stack.call(head, 'POST', `/api/reviews/${targets[i]!.id}/assignment`, { reviewerId: `bench-reviewer-${i % REVIEWERS}` });
      if (res.status !== 200) throw new Error(`assignment: ${res.status} ${JSON.stringify(res.body)}`);
    });
    note(`  POST …/assignment ×${targets.length} at ${ACTION_CLIENTS}: ${assigned.perSecond.toFixed(1)}/s, ${fmt(assigned.latencies)}`);
    const reviewerTokens = await Promise.all(Array.from({ length: REVIEWERS }, (_, r) => stack.token(UNIT, ['reviewer'], `bench-reviewer-${r}`)));
    const opinions = await closedLoop(targets.length, ACTION_CLIENTS, async (i) => {
      const res = await stack.call(reviewerTokens[i % REVIEWERS], 'POST', `/api/reviews/${targets[i]!.id}/opinion`, { kind: 'approve', checklist: checklist(), text: '同意。' });
      if (res.status !== 200) throw new Error(`opinion: ${res.status} ${JSON.stringify(res.body)}`);
    });
    note(`  POST …/opinion ×${targets.length} at ${ACTION_CLIENTS}: ${opinions.perSecond.toFixed(1)}/s, ${fmt(opinions.latencies)}`);
    const qp99 = percentile(queried.latencies, 0.99);
    report({ name: 'action assignment p99', value: percentile(assigned.latencies, 0.99), unit: 'ms', baseline: qp99, target: 'p99 < 250 ms, 16 clients (baseline: raw query p99)', holds: percentile(assigned.latencies, 0.99) < 250 });
    report({ name: 'action opinion p99', value: percentile(opinions.latencies, 0.99), unit: 'ms', baseline: qp99, target: 'p99 < 250 ms, 16 clients (baseline: raw query p99)', holds: percentile(opinions.latencies, 0.99) < 250 });
  } finally {
    await stack.stop();
  }
}

export const benchSection: BenchSection = {
  name: 'start',
  description: `POST /api/reviews at ${START_CLIENTS} clients vs raw client.workflow.start; assignment and opinion p99 at ${ACTION_CLIENTS}`,
  run,
};
