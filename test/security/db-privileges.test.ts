import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { signToken } from '../../api/auth';
import { APP_ROLE, appendOnlyTables, ensureAppRole } from '../../infra/db';
import { loadConfig } from '../../infra/config';
import { logger } from '../../infra/logger';
import { runService } from '../../infra/runtime';
import { freePort } from '../../infra/temporal-dev-server';
import { freshDatabase } from '../helpers/database';
import { uniqueTaskQueue } from '../helpers/temporal';

/**
 * Issue 14, the database: migrations run as the owner, the service as `sanxiang_app`, which may
 * read and write rows but can neither change nor remove the case record, nor switch its triggers
 * off. Proven on a migrated database with the role `ensureAppRole` makes (what `npm start` runs
 * with on the embedded Postgres); then the real API and worker run as that role.
 */
describe('least-privileged database role', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let appUrl: string;
  let app: Client;
  const UNIT = 'benxi.ybj';
  const CASE = `本医保罚〔2026〕DB${Date.now() % 1_000_000}号`;

  beforeAll(async () => {
    db = await freshDatabase();
    appUrl = await ensureAppRole(db.url);
    // Idempotent: a second start changes nothing and still works.
    expect(await ensureAppRole(db.url)).toBe(appUrl);
    app = new Client({ connectionString: appUrl });
    await app.connect();
  });
  afterAll(async () => {
    await app?.end();
    await db?.drop();
  });

  /** The SQLSTATE an app statement fails with (undefined: it succeeded). */
  const sqlstate = async (sql: string, params: unknown[] = []): Promise<string | undefined> => {
    try {
      await app.query(sql, params);
      return undefined;
    } catch (err) {
      return (err as { code?: string }).code;
    }
  };

  it('is a plain login role (no superuser, no CREATEROLE/CREATEDB/BYPASSRLS) that owns nothing', async () => {
    const { rows } = await app.query('SELECT current_user AS u, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = current_user');
    expect(rows[0]).toEqual({ u: APP_ROLE, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false });
    const owned = await app.query(`SELECT count(*)::int AS n FROM pg_class c WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)`);
    expect(owned.rows[0].n).toBe(0);
    expect(await appendOnlyTables(app)).toEqual(expect.arrayContaining(['case_record', 'case_documents']));
  });

  it('appends to the case record and reads it, but cannot UPDATE, DELETE or TRUNCATE it, nor disable a trigger, nor create or drop tables', async () => {
    // Appending works (the service's one write to the record), through the owner-made schema.
    await db.pool.query("INSERT INTO cases (unit_code, case_number, title, opened_by, opened_at, workflow_id) VALUES ($1, $2, '权限测试', 'test', now(), $3)", [UNIT, CASE, `case-${UNIT}-${CASE}`]);
    const { CaseRecordStore } = await import('../../infra/case-record-store');
    const { createPool } = await import('../../infra/db');
    const appPool = createPool(appUrl, 2);
    try {
      const entry = await new CaseRecordStore(appPool).append({
        unit: UNIT,
        caseNumber: CASE,
        stage: 'other',
        actor: 'test',
        action: 'test.entry',
        summary: '权限测试',
        occurredAt: new Date().toISOString(),
        idempotencyKey: `db-privileges:${CASE}`,
      } as never);
      expect(entry.seq).toBe(1);
    } finally {
      await appPool.end();
    }
    expect((await app.query('SELECT count(*)::int AS n FROM case_record WHERE case_number = $1', [CASE])).rows[0].n).toBe(1);

    // 42501 insufficient_privilege: refused by the privileges themselves, before any trigger runs.
    expect(await sqlstate("UPDATE case_record SET summary = 'rewritten' WHERE case_number = $1", [CASE])).toBe('42501');
    expect(await sqlstate('DELETE FROM case_record WHERE case_number = $1', [CASE])).toBe('42501');
    expect(await sqlstate('TRUNCATE case_record')).toBe('42501');
    expect(await sqlstate('UPDATE case_documents SET title = title')).toBe('42501');
    expect(await sqlstate('DELETE FROM case_documents')).toBe('42501');
    expect(await sqlstate('TRUNCATE case_documents')).toBe('42501');
    // Switching the guards off needs the owner (42501 "must be owner of table").
    expect(await sqlstate('ALTER TABLE case_record DISABLE TRIGGER case_record_append_only')).toBe('42501');
    expect(await sqlstate('ALTER TABLE case_record DISABLE TRIGGER ALL')).toBe('42501');
    expect(await sqlstate('DROP TRIGGER case_record_append_only ON case_record')).toBe('42501');
    expect(await sqlstate("SET session_replication_role = 'replica'")).toBe('42501');
    expect(await sqlstate('CREATE OR REPLACE FUNCTION refuse_record_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$')).toBe('42501');
    // No DDL at all.
    expect(await sqlstate('CREATE TABLE probe (x int)')).toBe('42501');
    expect(await sqlstate('DROP TABLE case_record')).toBe('42501');
    expect(await sqlstate('DELETE FROM pgmigrations')).toBe('42501');
    // The entry is still there, unchanged.
    expect((await app.query('SELECT summary FROM case_record WHERE case_number = $1', [CASE])).rows).toEqual([{ summary: '权限测试' }]);
  });

  it('the real API and worker run as that role: a case opens, its record is written and verifies', async () => {
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: appUrl,
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
      TASK_QUEUE: uniqueTaskQueue('dbrole'),
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      JWT_SECRET: randomBytes(32).toString('base64url'),
    });
    const service = await runService({ config, log: logger.child({}, { level: 'warn' }), databaseUrl: appUrl, temporalAddress: config.TEMPORAL_ADDRESS!, api: true, worker: true });
    try {
      const base = `http://127.0.0.1:${((service.server as Server).address() as AddressInfo).port}`;
      const token = await signToken(config.JWT_SECRET, { personId: 'handler-db', unit: UNIT, roles: ['handler'] });
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
        return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
      };
      const caseNumber = `本医保罚〔2026〕DBS${Date.now() % 1_000_000}号`;
      expect((await call('POST', '/api/cases', { caseNumber, title: '以最小权限运行' })).status).toBe(201);
      const deadline = Date.now() + 20_000;
      let verified: any;
      for (;;) {
        const record = await call('GET', `/api/cases/${encodeURIComponent(caseNumber)}/record`);
        if (record.status === 200 && record.body.entries.length > 0) {
          verified = await call('GET', `/api/cases/${encodeURIComponent(caseNumber)}/record/verify`);
          break;
        }
        if (Date.now() > deadline) throw new Error(`no record entry: ${JSON.stringify(record)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(verified.status).toBe(200);
      expect(verified.body).toMatchObject({ valid: true });
    } finally {
      await service.stop();
    }
  });
});
