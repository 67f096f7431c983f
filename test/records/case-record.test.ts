import { createActivities } from '../../activities';
import { loadConfig } from '../../infra/config';
import { canonicalJson } from '../../infra/canonical-json';
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

  it('parallel appends to one case still form one chain without gaps', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => activities.appendCaseRecord({ ...entry('c3', 1), idempotencyKey: `test:c3:parallel:${i}` })));
    expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(await new CaseRecordStore(db.pool).verify(unit, 'c3')).toMatchObject({ valid: true, entries: 30 });
  });

  it('verify names the first entry after a deleted one, and an entry whose link to its predecessor was rewritten', async () => {
    const store = new CaseRecordStore(db.pool);
    for (const n of [1, 2, 3, 4]) await activities.appendCaseRecord(entry('c4', n));
    const client = await db.pool.connect();
    try {
      await client.query('ALTER TABLE case_record DISABLE TRIGGER case_record_append_only');
      await client.query(`DELETE FROM case_record WHERE unit_code = $1 AND case_number = 'c4' AND seq = 2`, [unit]);
      // Rewriting an entry and recomputing its own hash still breaks the link from its successor.
      const [e3, e4] = (await store.list(unit, 'c4')).slice(1);
      const { hash: _old, ...forged } = { ...e3!, summary: '改写后的笔录' };
      await client.query(`UPDATE case_record SET summary = $3, hash = $4 WHERE unit_code = $1 AND case_number = 'c4' AND seq = $2`, [unit, e3!.seq, forged.summary, entryHash(forged)]);
      expect(e4!.seq).toBe(4);
    } finally {
      await client.query('ALTER TABLE case_record ENABLE TRIGGER case_record_append_only');
      client.release();
    }
    expect((await store.verify(unit, 'c4')).firstBroken).toMatchObject({ seq: 3, problem: 'seq_gap' });
    // The same rewrite without the deletion: the successor's prevHash no longer matches.
    for (const n of [1, 2, 3]) await activities.appendCaseRecord(entry('c5', n));
    const client2 = await db.pool.connect();
    try {
      await client2.query('SET session_replication_role = replica');
      const e2 = (await store.list(unit, 'c5'))[1]!;
      const { hash: _h, ...forged } = { ...e2, summary: '改写' };
      await client2.query(`UPDATE case_record SET summary = $2, hash = $3 WHERE unit_code = $1 AND case_number = 'c5' AND seq = 2`, [unit, forged.summary, entryHash(forged)]);
    } finally {
      await client2.query('SET session_replication_role = origin');
      client2.release();
    }
    expect((await store.verify(unit, 'c5')).firstBroken).toMatchObject({ seq: 3, problem: 'prev_hash_mismatch' });
  });

  it('the canonical form ignores key order and jsonb round trips', async () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: null }], c: 'é' }, u: undefined })).toBe('{"a":{"c":"é","d":[1,{"x":null,"y":2}]},"b":1}');
    const { rows } = await db.pool.query(`SELECT $1::jsonb AS v`, [JSON.stringify({ z: 1.5, a: [true, 'x'], m: { k: 2, b: 1 } })]);
    expect(canonicalJson(rows[0].v)).toBe(canonicalJson({ a: [true, 'x'], m: { b: 1, k: 2 }, z: 1.5 }));
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/no JSON form/);
  });

  it('a malformed entry fails for good instead of being retried', async () => {
    await expect(activities.appendCaseRecord({ ...entry('c6', 1), stage: 'nonsense' as never })).rejects.toMatchObject({ nonRetryable: true });
    await expect(activities.appendCaseRecord({ ...entry('c6', 1), occurredAt: 'soon' })).rejects.toMatchObject({ nonRetryable: true });
    await activities.appendCaseRecord(entry('c6', 1));
    // The same key for another case is a caller's bug, not a retry.
    await expect(activities.appendCaseRecord({ ...entry('c7', 1), idempotencyKey: entry('c6', 1).idempotencyKey })).rejects.toMatchObject({ nonRetryable: true, type: 'IdempotencyKeyReusedError' });
  });
});
