// A reused idempotency key: the same content is a retry (the first row comes back), other content
// is a bug or a reset run's new fact, and is refused, never silently answered with the old row.
import { CaseRecordStore, IdempotencyKeyReusedError } from '../../infra/case-record-store';
import { DocumentStore } from '../../infra/document-store';
import { freshDatabase } from '../helpers/database';

describe('stores compare content when an idempotency key is reused', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const entry = (summary: string) => ({
    unit: 'benxi.ybj',
    caseNumber: '本医保罚〔2026〕key号',
    stage: 'review' as const,
    actor: 'reviewer-1',
    action: 'review.opinion',
    summary,
    occurredAt: '2026-03-02T09:00:00+08:00',
    payload: { kind: 'approve' },
    idempotencyKey: 'review-x:run-1:7:review.opinion',
  });

  it('case record: same content returns the entry, other content throws IdempotencyKeyReusedError', async () => {
    const store = new CaseRecordStore(db.pool);
    const first = await store.append(entry('同意'));
    expect(await store.append(entry('同意'))).toEqual(first);
    await expect(store.append(entry('不同意'))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(await store.list('benxi.ybj', '本医保罚〔2026〕key号')).toHaveLength(1);
  });

  it('documents: same content returns the document, other content throws IdempotencyKeyReusedError', async () => {
    const store = new DocumentStore(db.pool);
    const doc = (content: string) => ({ unit: 'benxi.ybj', caseNumber: '本医保罚〔2026〕key号', kind: 'review_opinion', title: '意见书', contentType: 'text/html', content, idempotencyKey: 'review-x:run-1:8:doc' });
    const first = await store.store(doc('<p>同意</p>'));
    expect(await store.store(doc('<p>同意</p>'))).toEqual(first);
    await expect(store.store(doc('<p>不同意</p>'))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });
});
