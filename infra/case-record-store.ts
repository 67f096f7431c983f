import { createHash } from 'node:crypto';
import { inTransaction } from './db';
import type { Pool, PoolClient } from 'pg';
import { canonicalJson } from './canonical-json';
import { RECORD_STAGES, type RecordStage } from '../domain/case-record';

export { RECORD_STAGES };
export type RecordStageName = RecordStage;

/** The previous hash of a case's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export interface RecordDocumentRef {
  documentId: string;
  sha256: string;
  kind: string;
}

export interface NewRecordEntry {
  unit: string;
  caseNumber: string;
  stage: RecordStageName;
  actor: string;
  action: string;
  summary: string;
  occurredAt: string;
  documents?: RecordDocumentRef[];
  payload?: Record<string, unknown>;
  idempotencyKey: string;
}

/** An entry as stored: every field below except `hash` is covered by `hash`. */
export interface RecordEntry {
  unit: string;
  caseNumber: string;
  seq: number;
  stage: RecordStageName;
  actor: string;
  action: string;
  summary: string;
  occurredAt: string;
  recordedAt: string;
  documents: RecordDocumentRef[];
  payload: Record<string, unknown>;
  idempotencyKey: string;
  prevHash: string;
  hash: string;
}

export type ChainProblem = 'seq_gap' | 'prev_hash_mismatch' | 'hash_mismatch';

export interface ChainVerification {
  unit: string;
  caseNumber: string;
  entries: number;
  valid: boolean;
  /** The hash of the last entry: quote it elsewhere to detect a removed tail. */
  headHash: string;
  firstBroken?: { seq: number; problem: ChainProblem; expected: string; actual: string };
}

/** A retry under the same key for another case: a bug in the caller, never retried. */
export class IdempotencyKeyReusedError extends Error {
  override name = 'IdempotencyKeyReusedError';
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The one rule for an entry's hash: SHA-256 over the canonical JSON of all its other fields. */
export function entryHash(entry: Omit<RecordEntry, 'hash'>): string {
  const { unit, caseNumber, seq, stage, actor, action, summary, occurredAt, recordedAt, documents, payload, idempotencyKey, prevHash } = entry;
  const canonical = canonicalJson({ unit, caseNumber, seq, stage, actor, action, summary, occurredAt, recordedAt, documents, payload, idempotencyKey, prevHash });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** What an idempotency key stands for: the content of the entry, not where or when it was stored. */
function contentHash(e: Pick<RecordEntry, 'stage' | 'actor' | 'action' | 'summary' | 'occurredAt' | 'documents' | 'payload'>): string {
  const { stage, actor, action, summary, occurredAt, documents, payload } = e;
  return createHash('sha256').update(canonicalJson({ stage, actor, action, summary, occurredAt, documents, payload }), 'utf8').digest('hex');
}

const isoInstant = (value: string, field: string): string => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`${field}: not an ISO-8601 instant: ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
};

/** What the database gives back for a JSON value (jsonb keeps no undefined members). */
const asStoredJson = <T>(value: T): T => JSON.parse(JSON.stringify(value));

const SELECT_ENTRY = `SELECT unit_code, case_number, seq, stage, actor, action, summary, occurred_at, recorded_at, documents, payload, idempotency_key, prev_hash, hash FROM case_record`;

function toEntry(row: any): RecordEntry {
  return {
    unit: row.unit_code,
    caseNumber: row.case_number,
    seq: row.seq,
    stage: row.stage,
    actor: row.actor,
    action: row.action,
    summary: row.summary,
    occurredAt: new Date(row.occurred_at).toISOString(),
    recordedAt: new Date(row.recorded_at).toISOString(),
    documents: row.documents,
    payload: row.payload,
    idempotencyKey: row.idempotency_key,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The append-only, hash-chained case record (本政办发〔2019〕33号 第三十二、三十七条). */
export class CaseRecordStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Appends an entry; the same idempotency key with the same content returns the entry it made the
   * first time, with other content it throws IdempotencyKeyReusedError.
   */
  async append(input: NewRecordEntry): Promise<RecordEntry> {
    if (!RECORD_STAGES.includes(input.stage)) throw new RangeError(`stage: unknown stage ${JSON.stringify(input.stage)}`);
    for (const [field, value] of Object.entries({ unit: input.unit, caseNumber: input.caseNumber, actor: input.actor, action: input.action, summary: input.summary, idempotencyKey: input.idempotencyKey })) {
      if (typeof value !== 'string' || value.trim() === '') throw new RangeError(`${field}: required`);
    }
    const documents = (input.documents ?? []).map(({ documentId, sha256, kind }) => {
      if (!SHA256_HEX.test(sha256)) throw new RangeError(`documents: sha256 of ${documentId} must be 64 lowercase hex digits`);
      return { documentId, sha256, kind };
    });
    const occurredAt = isoInstant(input.occurredAt, 'occurredAt');
    const payload = asStoredJson(input.payload ?? {});

    return inTransaction(this.pool, async (client) => {
      // One appender per case at a time: the chain has exactly one successor per entry.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`case-record/${input.unit}/${input.caseNumber}`]);
      const existing = await this.byKey(client, input.idempotencyKey);
      if (existing) {
        if (existing.unit !== input.unit || existing.caseNumber !== input.caseNumber) {
          throw new IdempotencyKeyReusedError(`idempotency key ${input.idempotencyKey} already recorded for case ${existing.unit}/${existing.caseNumber}`);
        }
        // A retry of the same fact returns the entry; another fact under the same key is never swallowed.
        if (contentHash(existing) !== contentHash({ ...input, occurredAt, documents, payload })) {
          throw new IdempotencyKeyReusedError(`idempotency key ${input.idempotencyKey} already recorded entry ${existing.seq} with other content (${existing.action})`);
        }
        return existing;
      }
      const last = await client.query<{ seq: number; hash: string }>(
        'SELECT seq, hash FROM case_record WHERE unit_code = $1 AND case_number = $2 ORDER BY seq DESC LIMIT 1',
        [input.unit, input.caseNumber],
      );
      const unsigned: Omit<RecordEntry, 'hash'> = {
        unit: input.unit,
        caseNumber: input.caseNumber,
        seq: (last.rows[0]?.seq ?? 0) + 1,
        stage: input.stage,
        actor: input.actor,
        action: input.action,
        summary: input.summary,
        occurredAt,
        recordedAt: new Date().toISOString(),
        documents,
        payload,
        idempotencyKey: input.idempotencyKey,
        prevHash: last.rows[0]?.hash ?? GENESIS_HASH,
      };
      const entry: RecordEntry = { ...unsigned, hash: entryHash(unsigned) };
      await client.query(
        `INSERT INTO case_record (unit_code, case_number, seq, stage, actor, action, summary, occurred_at, recorded_at, documents, payload, idempotency_key, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [entry.unit, entry.caseNumber, entry.seq, entry.stage, entry.actor, entry.action, entry.summary, entry.occurredAt, entry.recordedAt, JSON.stringify(entry.documents), JSON.stringify(entry.payload), entry.idempotencyKey, entry.prevHash, entry.hash],
      );
      return entry;
    });
  }

  async list(unit: string, caseNumber: string): Promise<RecordEntry[]> {
    const { rows } = await this.pool.query(`${SELECT_ENTRY} WHERE unit_code = $1 AND case_number = $2 ORDER BY seq`, [unit, caseNumber]);
    return rows.map(toEntry);
  }

  /** Recomputes the chain from the stored rows and names the first entry that does not hold. */
  async verify(unit: string, caseNumber: string): Promise<ChainVerification> {
    const entries = await this.list(unit, caseNumber);
    let prevHash = GENESIS_HASH;
    for (const [i, entry] of entries.entries()) {
      const broken = (problem: ChainProblem, expected: string, actual: string): ChainVerification => ({
        unit,
        caseNumber,
        entries: entries.length,
        valid: false,
        headHash: entries.at(-1)!.hash,
        firstBroken: { seq: entry.seq, problem, expected, actual },
      });
      if (entry.seq !== i + 1) return broken('seq_gap', String(i + 1), String(entry.seq));
      if (entry.prevHash !== prevHash) return broken('prev_hash_mismatch', prevHash, entry.prevHash);
      const { hash, ...unsigned } = entry;
      const recomputed = entryHash(unsigned);
      if (recomputed !== hash) return broken('hash_mismatch', recomputed, hash);
      prevHash = hash;
    }
    return { unit, caseNumber, entries: entries.length, valid: true, headHash: prevHash };
  }

  private async byKey(client: PoolClient, idempotencyKey: string): Promise<RecordEntry | undefined> {
    const { rows } = await client.query(`${SELECT_ENTRY} WHERE idempotency_key = $1`, [idempotencyKey]);
    return rows[0] ? toEntry(rows[0]) : undefined;
  }
}
