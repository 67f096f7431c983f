import { ApplicationFailure } from '@temporalio/common';
import { CaseRecordStore, IdempotencyKeyReusedError, type RecordStageName } from '../infra/case-record-store';
import type { ActivityDeps } from './index';

export type RecordStage = 'start' | 'investigation' | 'review' | 'decision' | 'service' | 'performance' | 'enforcement' | 'archive' | 'other';

export interface CaseRecordInput {
  unit: string;
  caseNumber: string;
  stage: RecordStage;
  /** person id, or 'system' */
  actor: string;
  /** short code, e.g. 'review.opinion' */
  action: string;
  /** human-readable (Chinese) */
  summary: string;
  /** ISO-8601 */
  occurredAt: string;
  documents?: { documentId: string; sha256: string; kind: string }[];
  payload?: Record<string, unknown>;
  /** unique per side effect; a retry with the same key returns the same entry */
  idempotencyKey: string;
}

// The two stage lists must stay the same; this line fails to compile if they drift.
const sameStages: [RecordStage, RecordStageName] extends [RecordStageName, RecordStage] ? true : never = true;
void sameStages;

/**
 * Errors no retry can fix (a malformed entry, a key reused for another case) fail the activity for
 * good; anything else (the database briefly away) is retried by Temporal.
 */
export function permanentUnlessTransient(err: unknown): never {
  if (err instanceof RangeError || err instanceof IdempotencyKeyReusedError) {
    throw ApplicationFailure.nonRetryable(err.message, err.name);
  }
  throw err;
}

export function createRecordActivities(deps: ActivityDeps) {
  const store = new CaseRecordStore(deps.pool);
  return {
    /** Appends to the case's tamper-evident record (本政办发〔2019〕33号 全过程记录). */
    async appendCaseRecord(input: CaseRecordInput): Promise<{ seq: number; hash: string }> {
      try {
        const entry = await store.append(input);
        return { seq: entry.seq, hash: entry.hash };
      } catch (err) {
        return permanentUnlessTransient(err);
      }
    },
  };
}
