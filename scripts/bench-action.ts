/**
 * Target 1 (issue 15), the actions: POST /api/reviews/:id/assignment and …/opinion at 16 concurrent
 * clients, p99 under 250 ms, on one stack (embedded Postgres, its own Temporal dev server, the real
 * API and worker in this process).
 *
 * Baseline, same server, same worker, same run: a bare Update (`ping`: one workflow task, no
 * activity, no lock) on the same review workflows at 16 concurrent, straight from a Temporal client.
 * What an action adds to it is the API (token, row, start check, the action's own reads) and the
 * workflow's step (the lock, the case record, the projection, the documents).
 *
 * The reviews acted on are created first through the API (BENCH_ACTION_REVIEWS, default 160) and
 * waited for until every one awaits its reviewer.
 */
import { apiSubmissionBody, cleanChecklist } from '../test/review/helpers';
import { pingUpdate } from '../workflows/legal-review-messages';
import { closedLoop, note, percentile, report, type BenchSection } from './benchkit';
import { startStack } from './benchenv';

const CLIENTS = 16;
const REVIEWS = Number(process.env.BENCH_ACTION_REVIEWS ?? 160);
const UNIT = 'benxi.ybj';
const REVIEWERS = 8;
const TARGET_MS = 250;

const p = (xs: number[], q: number) => percentile(xs, q);
const fmt = (xs: number[]) => `p50 ${p(xs, 0.5).toFixed(0)} ms, p99 ${p(xs, 0.99).toFixed(0)} ms`;

async function run(): Promise<void> {
  const stack = await startStack();
  try {
    const handler = await stack.token(UNIT, ['handler'], 'bench-handler');
    const head = await stack.token(UNIT, ['head'], 'bench-head');
    for (let r = 0; r < REVIEWERS; r++) {
      const res = await stack.call(head, 'PUT', `/api/reviewers/bench-reviewer-${r}`, { name: `审核员${r}`, lawDegree: true, legalWorkYears: 4, enforcementYears: 1, legalProfessionQualification: true, reviewedPenaltyBefore: true });
      if (res.status >= 300) throw new Error(`reviewer profile: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const reviewerTokens = await Promise.all(Array.from({ length: REVIEWERS }, (_, r) => stack.token(UNIT, ['reviewer'], `bench-reviewer-${r}`)));

    // The reviews to act on (+ a few for the warm-up), created through the API, then waited for.
    const WARM = CLIENTS;
    const reviews: Array<{ id: string; workflowId: string }> = [];
    await closedLoop(REVIEWS + WARM, 8, async () => {
      const res = await stack.call(handler, 'POST', '/api/reviews', apiSubmissionBody('d'.repeat(64)));
      if (res.status !== 201 && res.status !== 202) throw new Error(`POST /api/reviews: ${res.status} ${JSON.stringify(res.body)}`);
      reviews.push({ id: res.body.id, workflowId: res.body.workflowId });
    });
    const until = Date.now() + 120_000;
    const waiting = async () => (await stack.service.pool.query(`SELECT count(*)::int AS n FROM reviews WHERE status <> 'awaiting_assignment'`)).rows[0].n as number;
    while ((await waiting()) > 0) {
      if (Date.now() > until) throw new Error('reviews did not reach awaiting_assignment within 2 minutes');
      await new Promise((r) => setTimeout(r, 200));
    }
    const warm = reviews.slice(0, WARM);
    const targets = reviews.slice(WARM);

    const assign = (review: { id: string }, i: number) => async () => {
      const res = await stack.call(head, 'POST', `/api/reviews/${review.id}/assignment`, { reviewerId: `bench-reviewer-${i % REVIEWERS}` });
      if (res.status !== 200) throw new Error(`assignment: ${res.status} ${JSON.stringify(res.body)}`);
    };
    const opine = (review: { id: string }, i: number) => async () => {
      const res = await stack.call(reviewerTokens[i % REVIEWERS], 'POST', `/api/reviews/${review.id}/opinion`, { kind: 'approve', checklist: cleanChecklist(), text: '同意。' });
      if (res.status !== 200) throw new Error(`opinion: ${res.status} ${JSON.stringify(res.body)}`);
    };
    const ping = (review: { workflowId: string }) => async () => {
      await stack.service.temporal.workflow.getHandle(review.workflowId).executeUpdate(pingUpdate, { args: [] });
    };

    // Warm-up: connections, JIT, the workflows in the worker's cache, each kind of request once per client.
    await closedLoop(WARM, CLIENTS, (i) => ping(warm[i]!)());
    await closedLoop(WARM, CLIENTS, (i) => assign(warm[i]!, i)());
    await closedLoop(WARM, CLIENTS, (i) => opine(warm[i]!, i)());

    const pingedBefore = await closedLoop(targets.length, CLIENTS, (i) => ping(targets[i]!)());
    note(`  bare Update (ping) ×${targets.length} at ${CLIENTS}: ${pingedBefore.perSecond.toFixed(1)}/s, ${fmt(pingedBefore.latencies)}`);
    const assigned = await closedLoop(targets.length, CLIENTS, (i) => assign(targets[i]!, i)());
    note(`  POST …/assignment ×${targets.length} at ${CLIENTS}: ${assigned.perSecond.toFixed(1)}/s, ${fmt(assigned.latencies)}`);
    const opinions = await closedLoop(targets.length, CLIENTS, (i) => opine(targets[i]!, i)());
    note(`  POST …/opinion ×${targets.length} at ${CLIENTS}: ${opinions.perSecond.toFixed(1)}/s, ${fmt(opinions.latencies)}`);
    // The baseline again after the actions (the machine is shared: load drifts); the baseline is both runs' samples.
    const pingedAfter = await closedLoop(targets.length, CLIENTS, (i) => ping(targets[i]!)());
    note(`  bare Update (ping) again ×${targets.length} at ${CLIENTS}: ${fmt(pingedAfter.latencies)}`);
    const baseline = [...pingedBefore.latencies, ...pingedAfter.latencies];

    for (const [what, xs] of [
      ['assignment', assigned.latencies],
      ['opinion', opinions.latencies],
    ] as const) {
      report({ name: `action ${what} p99`, value: p(xs, 0.99), unit: 'ms', baseline: p(baseline, 0.99), target: `p99 < ${TARGET_MS} ms, ${CLIENTS} clients (baseline: bare Update p99)`, holds: p(xs, 0.99) < TARGET_MS });
      report({ name: `action ${what} p50`, value: p(xs, 0.5), unit: 'ms', baseline: p(baseline, 0.5), target: 'informative (baseline: bare Update p50)', holds: null });
    }
  } finally {
    await stack.stop();
  }
}

export const benchSection: BenchSection = {
  name: 'action',
  description: `POST …/assignment and …/opinion p99 at ${CLIENTS} clients vs a bare Update on the same workflows`,
  run,
};
