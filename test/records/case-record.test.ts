import { createActivities } from '../../activities';
import { loadConfig } from '../../infra/config';
import { CaseRecordStore, entryHash, GENESIS_HASH } from '../../infra/case-record-store';
import { logger } from '../../infra/logger';
import { freshDatabase } from '../helpers/database';

describe('case record: append-only, hash-chained (Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let activities: ReturnType<typeof createActivities>;
  const unit = 'benxi.ybj';

  beforeAll(async () => {
    db = await freshDatabase();
    activities = createActivities({ pool: db.pool, config: loadConfig({ NODE_ENV: 'test' }), log: logger });
  });
  afterAll(async () => {
    await db?.drop();
  });

  const entry = (caseNumber: string, n: number) => ({
    unit,
    caseNumber,
    stage: 'investigation' as const,
    actor: 'p-1',
    action: 'investigation.note',
    summary: `第${n}次调查笔录`,
    occurredAt: `2026-11-0${n}T10:00:00+08:00`,
    payload: { n, nested: { b: 2, a: [1, 'x'] } },
    idempotencyKey: `test:${caseNumber}:${n}`,
  });

  it('chains entries, and a retry with the same key returns the same entry', async () => {
    const first = await activities.appendCaseRecord(entry('c1', 1));
    const second = await activities.appendCaseRecord(entry('c1', 2));
    expect(first.seq).toBe(1);
    expect(second.seq).toBe(2);
    expect(await activities.appendCaseRecord(entry('c1', 2))).toEqual(second);
    const entries = await new CaseRecordStore(db.pool).list(unit, 'c1');
    expect(entries).toHaveLength(2);
    expect(entries[0]!.prevHash).toBe(GENESIS_HASH);
    expect(entries[1]!.prevHash).toBe(first.hash);
    const { hash, ...unsigned } = entries[1]!;
    expect(entryHash(unsigned)).toBe(hash);
    expect(entries[0]!.occurredAt).toBe('2026-11-01T02:00:00.000Z');
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    await activities.appendCaseRecord(entry('c2', 1));
    await expect(db.pool.query(`UPDATE case_record SET summary = 'x' WHERE case_number = 'c2'`)).rejects.toThrow(/不得删除、修改/);
    await expect(db.pool.query(`DELETE FROM case_record WHERE case_number = 'c2'`)).rejects.toThrow(/DELETE on case_record refused/);
    await expect(db.pool.query(`TRUNCATE case_record`)).rejects.toThrow(/TRUNCATE on case_record refused/);
    const doc = await activities.storeDocument({ unit, caseNumber: 'c2', kind: 'review-opinion', title: '审核意见书', contentType: 'text/plain; charset=utf-8', content: '同意', idempotencyKey: 'test:c2:doc' });
    await expect(db.pool.query(`UPDATE case_documents SET content = 'x' WHERE id = $1`, [doc.documentId])).rejects.toThrow(/UPDATE on case_documents refused/);
    await expect(db.pool.query(`DELETE FROM case_documents WHERE id = $1`, [doc.documentId])).rejects.toThrow(/DELETE on case_documents refused/);
  });
});
