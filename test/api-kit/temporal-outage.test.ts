import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { signToken } from '../../api/auth';
import { loadConfig } from '../../infra/config';
import { logger } from '../../infra/logger';
import { runService, type RunningService } from '../../infra/runtime';
import { connectTemporal, registerSearchAttributes } from '../../infra/temporal';
import { freePort, startTemporalDevServer, type DevServerHandle } from '../../infra/temporal-dev-server';
import { freshDatabase } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { uniqueTaskQueue } from '../helpers/temporal';
import { prebuiltBundlePath } from '../helpers/workflow-bundle';

const UNIT = 'benxi.ybj';

/**
 * The Temporal server goes away and comes back (its own dev server, same port, same db file):
 * submissions made meanwhile are stored, answered 202, and started by the reconciler afterwards
 * from the stored row, with their original receipt / opening time. Actions meanwhile answer 503.
 */
describe('a submission made while the Temporal server is stopped is started after it returns', () => {
  jest.setTimeout(240_000);
  let dir: string;
  let port: number;
  let dev: DevServerHandle | undefined;
  let service: RunningService | undefined;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let baseUrl: string;
  let secret: string;

  const startDev = async () => {
    dev = await startTemporalDevServer({ port, namespace: 'default', dbFile: path.join(dir, 'temporal.db') });
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanxiang-outage-'));
    port = await freePort();
    await startDev();
    const connection = await connectTemporal(dev!.address);
    await registerSearchAttributes(connection, 'default');
    await connection.close();
    db = await freshDatabase();
    const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: db.url, TEMPORAL_ADDRESS: dev!.address, TASK_QUEUE: uniqueTaskQueue('outage'), PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'error', JWT_SECRET: 'outage-test-secret-0123456789-abcdefghij', WORKFLOW_BUNDLE_PATH: await prebuiltBundlePath() });
    secret = config.JWT_SECRET;
    service = await runService({ config, log: logger.child({}, { level: 'error' }), databaseUrl: db.url, temporalAddress: dev!.address, api: true, worker: true });
    baseUrl = `http://127.0.0.1:${((service.server as Server).address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await service?.stop();
    await dev?.stop();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const call = async (roles: string[], method: string, p: string, body?: unknown) => {
    const token = await signToken(secret, { personId: 'outage-handler', unit: UNIT, roles: roles as any });
    const res = await fetch(baseUrl + p, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any, headers: res.headers };
  };

  it('review and case stored during the outage (202), actions 503 with Retry-After, both started afterwards with their original times', async () => {
    // Warm: the worker and the API work.
    const warm = await call(['handler'], 'POST', '/api/cases', { caseNumber: `WARM-${randomUUID().slice(0, 6)}`, title: '预热' });
    expect(warm.status).toBe(201);

    await dev!.stop();
    dev = undefined;

    const receivedAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const caseNumber = `本医保罚〔2026〕O${randomUUID().slice(0, 6)}号`;
    const t0 = Date.now();
    const submitted = await call(['handler'], 'POST', '/api/reviews', {
      caseNumber,
      title: '停机期间送审',
      decisionKind: 'penalty',
      procedure: 'general',
      scope: { majorRights: true },
      party: { kind: 'organisation', name: '某单位' },
      caseDeadline: '2099-12-31',
      caseDeadlineBasis: '承办机构填报（测试）',
      materials: [
        { kind: 'statement', ref: 'doc://s' },
        { kind: 'draft_decision', ref: 'doc://d', sha256: 'dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd' },
      ],
      receivedAt,
      receivedAtReason: '纸质材料收到后补录（34号第十二条：收到完整材料之日起计算）',
    });
    const took = Date.now() - t0;
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({ status: 'submitted', receivedAt, start: { pending: true, lastError: expect.any(String) } });
    expect(took).toBeLessThan(10_000);
    console.log(`POST /api/reviews with Temporal stopped answered 202 in ${took} ms`);

    const openedAt = new Date(Date.now() - 3_600_000).toISOString();
    const caseNo = `OUT-${randomUUID().slice(0, 6)}`;
    const opened = await call(['handler'], 'POST', '/api/cases', { caseNumber: caseNo, title: '停机期间立案', urgent: true, openedAt });
    expect(opened.status).toBe(202);
    expect(opened.body).toMatchObject({ openedAt, start: { pending: true } });

    // Reads work from Postgres; an action on the not-yet-started review answers 503 with Retry-After.
    expect((await call(['handler'], 'GET', `/api/reviews/${submitted.body.id}`)).body).toMatchObject({ status: 'submitted' });
    expect((await call(['handler'], 'GET', `/api/cases/${encodeURIComponent(caseNo)}`)).body).toMatchObject({ status: 'open', openedAt });
    const early = await call(['handler'], 'POST', `/api/reviews/${submitted.body.id}/withdrawal`, { reason: '撤回' });
    expect(early.status).toBe(503);
    expect(Number(early.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(early.body).toMatchObject({ rule: 'start_pending' });

    // Operators see what waits, and why.
    const pending = await call(['admin'], 'GET', '/api/process-starts?pending=true');
    expect(pending.body.map((r: any) => r.workflowId).sort()).toEqual([submitted.body.workflowId, opened.body.workflowId].sort());
    expect(pending.body[0]).toMatchObject({ attempts: expect.any(Number), lastError: expect.any(String) });

    // The server returns on the same port and db: the reconciler starts both from the stored rows.
    await startDev();
    const started = await eventually(
      async () => {
        const { rows } = await service!.pool.query('SELECT workflow_id, started_at, run_id FROM process_starts WHERE started_at IS NOT NULL AND workflow_id = ANY($1)', [
          [submitted.body.workflowId, opened.body.workflowId],
        ]);
        return rows.length === 2 && rows;
      },
      'both started by the reconciler',
      120_000,
    );
    expect(started).toHaveLength(2);
    const review = await eventually(async () => {
      const r = await call(['handler'], 'GET', `/api/reviews/${submitted.body.id}`);
      return r.body.status !== 'submitted' && r.body;
    }, 'the review reported by its workflow', 60_000);
    expect(review.status).toBe('awaiting_assignment');
    const history = await service!.temporal.workflow.getHandle(submitted.body.workflowId).fetchHistory();
    const startInput = history.events![0]!.workflowExecutionStartedEventAttributes!;
    const { defaultPayloadConverter } = await import('@temporalio/common');
    const arg = defaultPayloadConverter.fromPayload<{ receivedAt: string; reviewId: string }>(startInput.input!.payloads![0]!);
    expect(arg).toMatchObject({ receivedAt, reviewId: submitted.body.id });
    const caseArg = defaultPayloadConverter.fromPayload<{ openedAt: string }>(
      (await service!.temporal.workflow.getHandle(opened.body.workflowId).fetchHistory()).events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!,
    );
    expect(caseArg.openedAt).toBe(openedAt);
    // And the search attributes were set at start.
    const described = await service!.temporal.workflow.getHandle(submitted.body.workflowId).describe();
    expect(described.typedSearchAttributes.getAll().map((p) => p.key.name)).toEqual(expect.arrayContaining(['Unit', 'CaseNumber', 'ProcessKind', 'Status']));

    // Now the action goes through.
    expect((await call(['handler'], 'POST', `/api/reviews/${submitted.body.id}/withdrawal`, { reason: '撤回' })).status).toBe(200);
  });
});
