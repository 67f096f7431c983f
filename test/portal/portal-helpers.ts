/** The API alone (no worker, Temporal never reached) on a fresh database, with disclosure items seeded in SQL. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import { createApp } from '../../api/app';
import { DEMO_PERSON_ID, signToken, type Role } from '../../api/auth';
import { loadConfig } from '../../infra/config';
import { logger } from '../../infra/logger';
import { freshDatabase } from '../helpers/database';

export interface PortalApp {
  baseUrl: string;
  pool: Pool;
  token(unit: string, roles: Role[]): Promise<string>;
  call(token: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startPortalApp(): Promise<PortalApp> {
  const db = await freshDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: db.url });
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  const app = createApp({ config, pool: db.pool, temporal: new Client({ connection }), log: logger.child({}, { level: 'silent' }) });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    pool: db.pool,
    token: (unit, roles) => signToken(config.JWT_SECRET, { personId: DEMO_PERSON_ID, unit, roles }),
    call: async (token, method, path, body) => {
      const res = await fetch(baseUrl + path, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    stop: async () => {
      await new Promise((r) => server.close(r));
      await connection.close().catch(() => undefined);
      await db.drop();
    },
  };
}

export interface SeedItem {
  unit?: string;
  kind?: string;
  status?: 'pending_check' | 'returned' | 'published' | 'taken_down';
  publishedAt?: string | null;
  view: Record<string, unknown>;
  takedownReason?: string;
  takedownExplanation?: string;
}

let seq = 0;
export async function seedItem(pool: Pool, item: SeedItem): Promise<string> {
  seq += 1;
  const unit = item.unit ?? 'benxi.ybj';
  const status = item.status ?? 'published';
  const publishedAt = item.publishedAt === undefined ? (status === 'published' || status === 'taken_down' ? new Date(Date.UTC(2026, 0, 1) + seq * 60_000).toISOString() : null) : item.publishedAt;
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO disclosures (workflow_id, unit_code, jurisdiction, case_number, decision_number, source, kind, status, deadline, published_at,
                              taken_down_at, takedown_reason, takedown_explanation, public_view)
     VALUES ($1, $2, (SELECT jurisdiction FROM units WHERE code = $2), $3, $4, 'decision', $5, $6, now() + interval '7 days', $7,
             CASE WHEN $6 = 'taken_down' THEN now() END, $8, $9, $10) RETURNING id`,
    [`disclosure-test-${seq}-${Math.random()}`, unit, `case-${seq}`, item.view.decisionNumber ?? `本医保罚〔2026〕${seq}号`, item.kind ?? 'penalty', status, publishedAt, item.takedownReason ?? null, item.takedownExplanation ?? null, item.view],
  );
  return rows[0]!.id;
}

export const view = (party: string, content: string, extra: Record<string, unknown> = {}) => ({
  party,
  partyKind: party.includes('**') ? 'person' : 'organisation',
  actionKind: '行政处罚',
  content,
  result: '罚款人民币5000元',
  unitName: '本溪市医疗保障局',
  decisionNumber: `本医保罚〔2026〕${Math.floor(Math.random() * 1e6)}号`,
  decisionDate: '2026-01-05',
  ...extra,
});
