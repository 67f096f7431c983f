import { CaseRecordStore, entryHash } from '../../infra/case-record-store';
import { merkleRoot } from '../../infra/anchor-store';
import { eventually } from '../helpers/eventually';
import { startTestService, type TestService } from '../helpers/service';

/**
 * Issue 14, tamper evidence anchored outside the database: the daily anchor (a Merkle root over
 * every case record head, draw and disclosure publication) is published on the portal and sent to
 * the supervising units; `verify` checks a case against it. A superuser who switches the append-only
 * triggers off and removes a record's tail, or rewrites a chain so that it links again, is caught.
 */
describe('daily anchors and verify against the last published root', () => {
  let svc: TestService;
  let handler: string;
  const UNIT = 'benxi.ybj';
  const tag = `${Date.now() % 1_000_000}`;
  const A = `本医保罚〔2026〕AN${tag}号`;
  const B = `本医保罚〔2026〕AR${tag}号`;

  beforeAll(async () => {
    svc = await startTestService();
    handler = await svc.token(UNIT, ['handler'], 'handler-anchor');
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const verify = async (caseNumber: string) => (await svc.call(handler, 'GET', `/api/cases/${encodeURIComponent(caseNumber)}/record/verify`)).body;
  const runAnchor = (at: string) =>
    svc.service.temporal.workflow.execute('anchorWorkflow', { taskQueue: svc.config.TASK_QUEUE, workflowId: `anchor-test-${tag}-${at}`, args: [{ at }] }) as Promise<{ date: string; root: string; leafCount: number; told: string[]; discrepancies: number }>;
  /** As the superuser: the triggers off, `sql`, the triggers on (what an insider with the owner's password could do). */
  const tamper = async (sql: string, params: unknown[]) => {
    const c = await svc.service.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('ALTER TABLE case_record DISABLE TRIGGER case_record_append_only');
      await c.query(sql, params);
      await c.query('ALTER TABLE case_record ENABLE TRIGGER case_record_append_only');
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  };

  it('merkle root: order-independent, changes with any leaf', () => {
    const leaves = [1, 2, 3].map((i) => ({ kind: 'case' as const, key: `u|c${i}`, seq: i, value: String(i).repeat(64) }));
    expect(merkleRoot(leaves)).toBe(merkleRoot([...leaves].reverse()));
    expect(merkleRoot(leaves)).not.toBe(merkleRoot([leaves[0]!, leaves[1]!, { ...leaves[2]!, seq: 2 }]));
    expect(merkleRoot(leaves)).not.toBe(merkleRoot(leaves.slice(0, 2)));
    expect(merkleRoot([])).toMatch(/^[0-9a-f]{64}$/);
  });

  it('publishes the root on the portal and to the supervising units; a removed tail and a rewritten chain fail verify against it', async () => {
    for (const caseNumber of [A, B]) expect((await svc.call(handler, 'POST', '/api/cases', { caseNumber, title: '存证测试' })).status).toBe(201);
    const records = new CaseRecordStore(svc.service.pool);
    for (const caseNumber of [A, B]) {
      await eventually(async () => (await records.list(UNIT, caseNumber)).length > 0, 'the opening entry', 20_000);
      for (const n of [1, 2]) {
        await records.append({ unit: UNIT, caseNumber, stage: 'investigation', actor: 'handler-anchor', action: 'test.step', summary: `调查步骤 ${n}`, occurredAt: new Date().toISOString(), idempotencyKey: `anchor-test:${caseNumber}:${n}` });
      }
    }
    const before = await verify(A);
    expect(before).toMatchObject({ valid: true, anchor: { anchored: false } });

    const today = new Date().toISOString();
    const published = await runAnchor(today);
    expect(published.root).toMatch(/^[0-9a-f]{64}$/);
    expect(published.leafCount).toBeGreaterThanOrEqual(2);
    expect(published.told).toEqual(expect.arrayContaining(['benxi.sfj']));
    // Idempotent per date: the same root again.
    expect((await runAnchor(new Date(Date.parse(today) + 1).toISOString())).root).toBe(published.root);

    // The portal shows it without login; the stored leaves recompute to it.
    const list = await svc.call(undefined, 'GET', '/public/anchors');
    expect(list.status).toBe(200);
    expect(list.body.items[0]).toMatchObject({ date: published.date, root: published.root, leafCount: published.leafCount });
    expect((await svc.call(undefined, 'GET', `/public/anchors/${published.date}`)).body).toMatchObject({ root: published.root, recomputedRoot: published.root, holds: true });
    expect((await svc.call(undefined, 'GET', '/public/anchors/1999-01-01')).status).toBe(404);
    // Every supervising unit was told the root (once).
    const { rows: told } = await svc.service.pool.query(`SELECT unit_code, subject FROM notifications WHERE idempotency_key LIKE $1`, [`anchor:${published.date}:%`]);
    expect(told.map((t) => t.unit_code).sort()).toEqual([...published.told].sort());
    expect(told[0].subject).toContain(published.root);

    expect(await verify(A)).toMatchObject({ valid: true, chainValid: true, anchor: { anchored: true, holds: true, anchoredSeq: 3, anchor: { root: published.root } } });

    // 1. The tail of A removed by someone who can switch the triggers off: the chain that remains still links.
    await tamper('DELETE FROM case_record WHERE unit_code = $1 AND case_number = $2 AND seq = 3', [UNIT, A]);
    const cut = await verify(A);
    expect(cut).toMatchObject({ chainValid: true, valid: false, entries: 2, anchor: { anchored: true, holds: false, problem: 'tail_deleted', anchoredSeq: 3, currentSeq: 2 } });

    // 2. B's last entry rewritten and its hash recomputed: the chain links again, the anchor does not agree.
    const last = (await records.list(UNIT, B)).at(-1)!;
    const forged = { ...last, summary: '调查步骤 2（改写）' };
    const { hash: _old, ...body } = forged;
    await tamper('UPDATE case_record SET summary = $3, hash = $4 WHERE unit_code = $1 AND case_number = $2 AND seq = $5', [UNIT, B, forged.summary, entryHash(body), last.seq]);
    const rewritten = await verify(B);
    expect(rewritten).toMatchObject({ chainValid: true, valid: false, anchor: { holds: false, problem: 'rewritten' } });

    // The next day's anchor names the shortened record to the supervisors (an escalation).
    const next = await runAnchor(new Date(Date.parse(today) + 86_400_000).toISOString());
    expect(next.discrepancies).toBe(2);
    const { rows: escalated } = await svc.service.pool.query(`SELECT kind, body FROM notifications WHERE idempotency_key = $1`, [`anchor:${next.date}:benxi.sfj`]);
    expect(escalated[0]).toMatchObject({ kind: 'escalation' });
    expect(escalated[0].body).toContain(A);
    expect(escalated[0].body).toContain(B);
    // The anchor never adopts the tampered records: both are still reported after the next anchor.
    expect(await verify(A)).toMatchObject({ valid: false, anchor: { problem: 'tail_deleted', anchoredSeq: 3 } });
    expect(await verify(B)).toMatchObject({ valid: false, anchor: { problem: 'rewritten' } });
    expect((await svc.call(undefined, 'GET', `/public/anchors/${next.date}`)).body).toMatchObject({ holds: true, discrepancies: expect.arrayContaining([expect.objectContaining({ problem: 'tail_deleted' }), expect.objectContaining({ problem: 'rewritten' })]) });
  });
});
