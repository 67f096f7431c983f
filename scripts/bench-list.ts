/**
 * Target 5 (issue 15): read paths over 100,000 projected reviews. p95 of GET /api/reviews (a
 * handler's unit list, a status filter, a supervisor's list of every unit under it, and the
 * supervisor's overdue list) against p95 of the same SQL run directly on the same pool (the scope
 * query and the list query, without HTTP, JWT and JSON): target HTTP p95 < 50 ms. EXPLAIN names the
 * index each list uses. Rows are generated in SQL (generate_series) into `reviews`, as the
 * workflows' projection would leave them: ~85 % closed, the rest open, ~1 % overdue.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import { createApp } from '../api/app';
import { DEMO_PERSON_ID, signToken, type Role } from '../api/auth';
import { loadConfig } from '../infra/config';
import { createPool, migrate } from '../infra/db';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { logger } from '../infra/logger';
import { freePort } from '../infra/temporal-dev-server';
import { note, percentile, report, type BenchSection } from './benchkit';

const ROWS = Number(process.env.BENCH_LIST_ROWS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_LIST_SAMPLES ?? 200);
const WARMUP = 20;
const TARGET_MS = 50;

const GENERATE = `
INSERT INTO reviews (id, workflow_id, unit_code, case_number, title, decision_kind, procedure, submission, submitted_by, submitted_at,
                     status, reviewer_id, deadline, last_day, warning_level, overdue, opinion_kind, flagged, revision, run_id)
SELECT gen_random_uuid(), 'bench-review-' || g, u.code, 'bench-' || g, '重大行政执法决定 ' || g, 'penalty', 'general', '{}'::jsonb, 'bench', sub,
       st, CASE WHEN st IN ('submitted', 'awaiting_materials', 'awaiting_assignment') THEN NULL ELSE 'reviewer-' || (g % 20) END,
       CASE WHEN st IN ('submitted', 'awaiting_materials') THEN NULL ELSE sub + interval '14 days' END,
       CASE WHEN st IN ('submitted', 'awaiting_materials') THEN NULL ELSE (sub + interval '14 days')::date END,
       CASE WHEN od THEN 'red' WHEN st IN ('in_review', 'awaiting_assignment') AND g % 7 = 0 THEN 'yellow' ELSE 'none' END,
       od, CASE WHEN st IN ('passed', 'overruled') THEN 'pass' END, g % 97 = 0, 3, 'run-' || g
FROM (
  SELECT g, timestamptz '2019-01-01 09:00+08' + (g * interval '1 day' * 2900 / $1::int) AS sub,
         CASE WHEN g % 100 < 85 THEN (ARRAY['passed', 'passed', 'passed', 'overruled', 'withdrawn'])[1 + g % 5]
              ELSE (ARRAY['awaiting_assignment', 'in_review', 'in_review', 'returned', 'extension_requested', 'awaiting_materials', 'disputed'])[1 + g % 7] END AS st,
         g % 100 >= 85 AND g % 15 = 0 AS od,
         g % (SELECT count(*) FROM units WHERE code LIKE 'benxi.%' OR code LIKE 'jinzhou.%')::int AS k
  FROM generate_series(1, $1::int) AS g
) s JOIN LATERAL (SELECT code FROM units WHERE code LIKE 'benxi.%' OR code LIKE 'jinzhou.%' ORDER BY code OFFSET s.k LIMIT 1) u ON true`;

/** The statements GET /api/reviews runs (api/scope.ts visibleUnits, then the list), directly. */
async function directSql(pool: Pool, unit: string, supervisor: boolean, filter: { status?: string; overdue?: boolean }): Promise<number> {
  let units = [unit];
  if (supervisor) {
    const { rows } = await pool.query<{ code: string }>(
      `WITH RECURSIVE below(code) AS (SELECT $1::text UNION SELECT u.code FROM units u JOIN below b ON u.parent_code = b.code OR u.supervisor_code = b.code) SELECT code FROM below`,
      [unit],
    );
    units = rows.map((r) => r.code);
  }
  const { text, values } = listSql(units, filter);
  return (await pool.query(text, values)).rowCount ?? 0;
}

function listSql(units: string[], filter: { status?: string; overdue?: boolean }): { text: string; values: unknown[] } {
  const where = ['unit_code = ANY($1)'];
  const values: unknown[] = [units];
  if (filter.status) (values.push(filter.status), where.push(`status = $${values.length}`));
  if (filter.overdue !== undefined) (values.push(filter.overdue), where.push(`overdue = $${values.length}`));
  values.push(100, 0);
  return { text: `SELECT * FROM reviews WHERE ${where.join(' AND ')} ORDER BY deadline NULLS LAST, submitted_at LIMIT $${values.length - 1} OFFSET $${values.length}`, values };
}

async function run(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanxiang-bench-list-'));
  const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  const pool = createPool(pg.databaseUrl, 10);
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  try {
    await migrate(pg.databaseUrl);
    const t = Date.now();
    await pool.query(GENERATE, [ROWS]);
    await pool.query('VACUUM ANALYZE reviews');
    const { rows: counts } = await pool.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE overdue)::int AS overdue, pg_size_pretty(pg_total_relation_size('reviews')) AS size FROM reviews`);
    note(`generated ${counts[0].n.toLocaleString('en')} reviews (${counts[0].overdue} overdue) in ${((Date.now() - t) / 1000).toFixed(0)} s; reviews with indexes ${counts[0].size}`);

    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const app = createApp({ config, pool, temporal: new Client({ connection }), log: logger.child({}, { level: 'silent' }) });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const token = (unit: string, roles: Role[]) => signToken(config.JWT_SECRET, { personId: DEMO_PERSON_ID, unit, roles });

    const cases = [
      { name: 'list reviews, handler unit', unit: 'benxi.ybj', roles: ['handler'] as Role[], supervisor: false, filter: {} },
      { name: 'list reviews, handler in_review', unit: 'benxi.ybj', roles: ['handler'] as Role[], supervisor: false, filter: { status: 'in_review' } },
      { name: 'list reviews, supervisor all', unit: 'benxi.sfj', roles: ['supervisor'] as Role[], supervisor: true, filter: {} },
      { name: 'list overdue, supervisor', unit: 'benxi.sfj', roles: ['supervisor'] as Role[], supervisor: true, filter: { overdue: true } },
    ];
    for (const c of cases) {
      const bearer = await token(c.unit, c.roles);
      const qs = new URLSearchParams({ ...(c.filter.status ? { status: c.filter.status } : {}), ...(c.filter.overdue !== undefined ? { overdue: String(c.filter.overdue) } : {}) });
      const url = `${base}/api/reviews${qs.size ? `?${qs}` : ''}`;
      const http: number[] = [];
      let items = 0;
      for (let i = 0; i < WARMUP + SAMPLES; i++) {
        const started = performance.now();
        const res = await fetch(url, { headers: { authorization: `Bearer ${bearer}` } });
        const body = (await res.json()) as { items: unknown[] };
        if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
        if (i >= WARMUP) http.push(performance.now() - started);
        items = body.items.length;
      }
      const sql: number[] = [];
      for (let i = 0; i < WARMUP + SAMPLES; i++) {
        const started = performance.now();
        await directSql(pool, c.unit, c.supervisor, c.filter);
        if (i >= WARMUP) sql.push(performance.now() - started);
      }
      const units = c.supervisor
        ? (await pool.query<{ code: string }>(`WITH RECURSIVE below(code) AS (SELECT $1::text UNION SELECT u.code FROM units u JOIN below b ON u.parent_code = b.code OR u.supervisor_code = b.code) SELECT code FROM below`, [c.unit])).rows.map((r) => r.code)
        : [c.unit];
      const { text, values } = listSql(units, c.filter);
      const plan = (await pool.query(`EXPLAIN ${text}`, values)).rows.map((r: Record<string, string>) => Object.values(r)[0]!).join('\n');
      const indexes = [...new Set([...plan.matchAll(/(?:Index|Index Only) Scan(?: Backward)? using (\w+)|Bitmap Index Scan on (\w+)/g)].map((m) => m[1] ?? m[2]))];
      const h = percentile(http, 0.95);
      const s = percentile(sql, 0.95);
      note(`  ${c.name}: ${items} items; HTTP p95 ${h.toFixed(1)} ms, SQL p95 ${s.toFixed(1)} ms; plan uses ${indexes.length ? indexes.join(', ') : 'no index (sequential scan)'}`);
      report({ name: c.name.replace(/ /g, '_').replace(/,/g, ''), value: h, unit: 'ms p95', baseline: s, target: `HTTP p95 < ${TARGET_MS} ms (baseline: same SQL direct)`, holds: h < TARGET_MS });
    }
    await new Promise((r) => server.close(r));
  } finally {
    await connection.close().catch(() => undefined);
    await pool.end();
    await pg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export const benchSection: BenchSection = {
  name: 'list',
  description: `GET /api/reviews over ${ROWS.toLocaleString('en')} projected reviews: HTTP p95 vs the same SQL directly`,
  run,
};
