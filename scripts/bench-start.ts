/**
 * Target 1 (issue 15), the starts: each process start through the API at 64 concurrent clients
 * against raw `client.workflow.start` of the same workflow at 64 concurrent, on one stack (embedded
 * Postgres, its own Temporal dev server, the real API in this process), same run.
 *
 *   reviews       POST /api/reviews (review row + start request in one transaction, the start)
 *   enforcements  POST /api/decisions/:id/service, the first successful service of a decision with
 *                 an obligation (service row + enforcement row + start request, the start)
 *   disclosures   POST /api/decisions of a decision that needs no review (decision row, its record
 *                 entry, the disclosure item + start request, the start)
 *
 * The raw side starts the same workflow type with the same input (copied from the start request
 * the API stored, fresh ids and case number), search attributes and summary, on a task queue no
 * worker polls: the start call alone, which is what the API's start adds its work to. The API side
 * is measured the same way: no worker polls while it runs (the API, the clients and a worker would
 * share one Node.js process here, and the workflows' own first steps, ~7 activities per review,
 * would be measured as start cost). Afterwards a worker is started and every review started
 * through the API must report its first steps (status, deadline): the starts are real. Last, an
 * informative note: POST /api/reviews again with that worker running in this process. The two
 * sides run in interleaved rounds (the machine's load changes; both sides should meet the same),
 * and between the parts the stack settles (no database writes for 2 s).
 *
 * Target: API starts/s ≥ 0.8× raw, API p99 < 250 ms. Actions: scripts/bench-action.ts.
 */
import { randomUUID } from 'node:crypto';
import { logger } from '../infra/logger';
import { runService, type RunningService } from '../infra/runtime';
import { apiSubmissionBody } from '../test/review/helpers';
import { closedLoop, note, percentile, report, type BenchSection } from './benchkit';
import { startStack, type BenchStack } from './benchenv';

const CLIENTS = 64;
const STARTS = Number(process.env.BENCH_STARTS ?? 384);
const WARMUP = 16;
const ROUNDS = 4;
const UNIT = 'benxi.ybj';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

const tag = () => randomUUID().slice(0, 10);
const fmt = (xs: number[]) => `p50 ${percentile(xs, 0.5).toFixed(0)} ms, p99 ${percentile(xs, 0.99).toFixed(0)} ms`;

/** A decision that needs no legal review (simple procedure), with a fine: recorded → disclosure; served → enforcement. */
const decisionBody = (caseNumber: string) => ({
  caseNumber,
  decisionNumber: `本医保罚决〔2026〕${caseNumber.slice(-12)}`,
  decidedAt: new Date(Date.now() - 86_400_000).toISOString(),
  classification: { decisionKind: 'penalty', procedure: 'simple', scope: {} },
  party: { kind: 'organisation', name: '本溪某药房' },
  obligation: { kind: 'fine', amountFen: 50_000 },
  enforcementPower: 'own',
});

/** Waits until the database has seen no row written for 2 s (the worker is done with what was started), at most 90 s. */
async function settle(stack: BenchStack): Promise<void> {
  const written = async () =>
    Number((await stack.service.pool.query(`SELECT tup_inserted + tup_updated + tup_deleted AS n FROM pg_stat_database WHERE datname = current_database()`)).rows[0].n);
  const until = Date.now() + 90_000;
  let last = await written();
  let quiet = 0;
  while (quiet < 4 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await written();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}

/**
 * Raw starts like the one the API stored for `workflowId`: same type, input, search attributes and
 * summary, every id in the input fresh and another case number, on a task queue without a worker.
 */
async function rawStarterLike(stack: BenchStack, workflowId: string, caseNumber: string): Promise<() => Promise<void>> {
  const { rows } = await stack.service.pool.query(`SELECT * FROM process_starts WHERE workflow_id = $1`, [workflowId]);
  const row = rows[0];
  if (!row?.started_at) throw new Error(`no started process_starts row for ${workflowId}`);
  const { initialSearchAttributes } = await import('../workflows/search-attributes');
  const taskQueue = `bench-raw-${tag()}`;
  const template = JSON.stringify(row.input);
  return async () => {
    const fresh = `R${tag()}`;
    const swap = (text: string) => text.split(caseNumber).join(fresh);
    const input = JSON.parse(swap(template).replace(UUID, () => randomUUID()));
    await stack.service.temporal.workflow.start(row.workflow_type, {
      workflowId: swap(row.workflow_id),
      taskQueue,
      args: [input],
      typedSearchAttributes: [...initialSearchAttributes(row.kind, row.unit_code, fresh, row.initial_status ?? 'started')],
      ...(row.summary ? { staticSummary: swap(row.summary) } : {}),
      ...(row.details ? { staticDetails: row.details } : {}),
    });
  };
}

/**
 * Requests of `kind` since `since` whose start did not come from the API's own attempt (it failed,
 * e.g. answered 202, and the reconciler started it later or has not yet).
 */
async function leftToReconciler(stack: BenchStack, kind: string, since: Date): Promise<number> {
  const { rows } = await stack.service.pool.query(
    `SELECT count(*)::int AS n FROM process_starts WHERE kind = $1 AND requested_at >= $2 AND NOT (attempts = 1 AND started_at IS NOT NULL AND last_error IS NULL)`,
    [kind, since],
  );
  return rows[0].n;
}

/**
 * One start measured both ways; reports `start <plural> per second`, `start <singular> p50`, `… p99`.
 * `apiStart` makes the i-th request and returns its case number and how to find its workflow ID
 * (looked up after the request, outside its timing).
 */
async function compare(
  stack: BenchStack,
  names: { plural: string; singular: string; api: string; kind: string },
  apiStart: (i: number) => Promise<{ caseNumber: string; workflowId: () => Promise<string> }>,
  prepare: (total: number) => Promise<void> = async () => undefined,
): Promise<void> {
  await prepare(WARMUP + Math.ceil(STARTS / ROUNDS) * ROUNDS);
  // Warm-up: connections, JIT, the workflow type's first runs.
  const warm: Array<{ caseNumber: string; workflowId: () => Promise<string> }> = [];
  await closedLoop(WARMUP, WARMUP, async (i) => void warm.push(await apiStart(i)));
  const model = warm[0]!;
  const rawStart = await rawStarterLike(stack, await model.workflowId(), model.caseNumber);
  await closedLoop(WARMUP, WARMUP, rawStart);
  await settle(stack);
  // Interleaved rounds, the side going first alternating: on a machine shared with other work the
  // load changes from minute to minute, and both sides should meet the same load.
  const raw = { latencies: [] as number[], ms: 0, perSecond: 0 };
  const measured = { latencies: [] as number[], ms: 0, perSecond: 0 };
  const since = new Date();
  const perRound = Math.ceil(STARTS / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? (['raw', 'api'] as const) : (['api', 'raw'] as const)) {
      const into = side === 'raw' ? raw : measured;
      const t = performance.now();
      const r = await closedLoop(perRound, CLIENTS, side === 'raw' ? rawStart : async (i) => void (await apiStart(WARMUP + round * perRound + i)));
      into.ms += performance.now() - t;
      into.latencies.push(...r.latencies);
    }
  }
  raw.perSecond = raw.latencies.length / (raw.ms / 1000);
  measured.perSecond = measured.latencies.length / (measured.ms / 1000);
  const n = perRound * ROUNDS;
  note(`  raw client.workflow.start ×${n} at ${CLIENTS} (${ROUNDS} rounds interleaved with the API's): ${raw.perSecond.toFixed(1)}/s, ${fmt(raw.latencies)}`);
  const pending = await leftToReconciler(stack, names.kind, since);
  note(`  ${names.api} ×${n} at ${CLIENTS}: ${measured.perSecond.toFixed(1)}/s, ${fmt(measured.latencies)}; ${pending} not started by the API's own attempt (left to the reconciler)`);
  const p99 = percentile(measured.latencies, 0.99);
  report({ name: `start ${names.plural} per second`, value: measured.perSecond, unit: 'starts/s', baseline: raw.perSecond, target: `≥ 0.8× raw client.workflow.start, ${CLIENTS} clients`, holds: measured.perSecond / raw.perSecond >= 0.8 });
  report({ name: `start ${names.singular} p50`, value: percentile(measured.latencies, 0.5), unit: 'ms', baseline: percentile(raw.latencies, 0.5), target: 'informative (raw start p50 as baseline)', holds: null });
  report({ name: `start ${names.singular} p99`, value: p99, unit: 'ms', baseline: percentile(raw.latencies, 0.99), target: `p99 < 250 ms, ${CLIENTS} clients`, holds: p99 < 250 });
  await settle(stack);
}

async function run(): Promise<void> {
  const stack = await startStack({ worker: false });
  let worker: RunningService | undefined;
  try {
    const handler = await stack.token(UNIT, ['handler'], 'bench-handler');
    const expect = (what: string, res: { status: number; body: any }, ...ok: number[]) => {
      if (!ok.includes(res.status)) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
      return res;
    };

    const postReview = async () => {
      const caseNumber = `本医保罚〔2026〕b${tag()}号`;
      const res = expect('POST /api/reviews', await stack.call(handler, 'POST', '/api/reviews', apiSubmissionBody('d'.repeat(64), { caseNumber })), 201, 202);
      return { caseNumber, workflowId: async () => res.body.workflowId as string };
    };
    await compare(stack, { plural: 'reviews', singular: 'review', api: 'POST /api/reviews', kind: 'legal-review' }, postReview);

    // Enforcements: decisions recorded first (not measured), then their first successful service.
    const decisions: Array<{ id: string; caseNumber: string }> = [];
    await compare(
      stack,
      { plural: 'enforcements', singular: 'enforcement', api: 'POST /api/decisions/:id/service', kind: 'enforcement' },
      async (i) => {
        const d = decisions[i]!;
        const res = expect('POST …/service', await stack.call(handler, 'POST', `/api/decisions/${d.id}/service`, { method: 'direct', servedAt: new Date().toISOString(), proof: { signedBy: '药房负责人' } }), 201, 202);
        if (!res.body.enforcementId) throw new Error(`POST …/service started no enforcement: ${JSON.stringify(res.body)}`);
        return {
          caseNumber: d.caseNumber,
          workflowId: async () => (await stack.service.pool.query('SELECT workflow_id FROM enforcements WHERE id = $1', [res.body.enforcementId])).rows[0].workflow_id,
        };
      },
      async (total) => {
        await closedLoop(total, CLIENTS, async (i) => {
          const caseNumber = `本医保罚〔2026〕e${tag()}号`;
          const res = expect('POST /api/decisions', await stack.call(handler, 'POST', '/api/decisions', decisionBody(caseNumber)), 201);
          decisions[i] = { id: res.body.id, caseNumber };
        });
        await settle(stack);
      },
    );

    await compare(stack, { plural: 'disclosures', singular: 'disclosure', api: 'POST /api/decisions', kind: 'disclosure' }, async () => {
      const caseNumber = `本医保罚〔2026〕d${tag()}号`;
      const res = expect('POST /api/decisions', await stack.call(handler, 'POST', '/api/decisions', decisionBody(caseNumber)), 201);
      return { caseNumber, workflowId: async () => (await stack.service.pool.query('SELECT workflow_id FROM disclosures WHERE decision_id = $1', [res.body.id])).rows[0].workflow_id };
    });

    // The starts are real: a worker now runs what was started, and every review reports its first steps.
    const t0 = Date.now();
    worker = await runService({ config: stack.config, log: logger.child({}, { level: 'error' }), databaseUrl: stack.databaseUrl, temporalAddress: stack.temporalAddress, api: false, worker: true });
    const unreported = async () =>
      Number((await stack.service.pool.query(`SELECT count(*)::int AS n FROM reviews WHERE deadline IS NULL AND status <> 'awaiting_materials'`)).rows[0].n);
    const total = Number((await stack.service.pool.query('SELECT count(*)::int AS n FROM reviews')).rows[0].n);
    let left = await unreported();
    while (left > 0 && Date.now() - t0 < 240_000) {
      await new Promise((r) => setTimeout(r, 1_000));
      left = await unreported();
    }
    note(`  worker started afterwards: ${total - left} of ${total} reviews started through the API reported by their workflows after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    if (left > 0) throw new Error(`${left} reviews started through the API never reported`);

    // Informative: the same POST /api/reviews with the worker running in this process (its workflows' first steps compete for this one thread).
    await settle(stack);
    const busy = await closedLoop(STARTS, CLIENTS, async () => void (await postReview()));
    note(`  informative: POST /api/reviews ×${STARTS} at ${CLIENTS} with the worker in this process: ${busy.perSecond.toFixed(1)}/s, ${fmt(busy.latencies)}`);
  } finally {
    await worker?.stop();
    await stack.stop();
  }
}

export const benchSection: BenchSection = {
  name: 'start',
  description: `reviews, enforcements, disclosures started through the API at ${CLIENTS} clients vs raw client.workflow.start of the same workflow`,
  run,
};
