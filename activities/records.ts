import { ApplicationFailure } from '@temporalio/common';
import type { RecordFact, RecordStage } from '../domain/case-record';
import { CaseRecordStore, IdempotencyKeyReusedError } from '../infra/case-record-store';
import type { ActivityDeps } from './index';

export type { RecordStage };

export interface CaseRecordInput extends RecordFact {
  unit: string;
  caseNumber: string;
  /** unique per side effect; a retry with the same key and content returns the same entry */
  idempotencyKey: string;
}

/** A value the caller sent that no retry can fix (e.g. a field the process should have refused). */
export class ValidationError extends Error {
  override name = 'ValidationError';
}

/** SQLSTATE classes no retry can fix: 22 data exception (e.g. 22021 a NUL in text, 22P05 in jsonb), 23 integrity constraint. */
const PERMANENT_SQLSTATE = /^(22|23)/;

/** Whether retrying cannot help: bad data, a constraint, a reused key, a validation error. */
export function isPermanent(err: unknown): boolean {
  if (err instanceof RangeError || err instanceof IdempotencyKeyReusedError || err instanceof ValidationError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && PERMANENT_SQLSTATE.test(code);
}

/**
 * Errors no retry can fix fail the activity for good (type = the error's name, or `SQLSTATE-<code>`),
 * so a process is never wedged retrying them; anything else (the database briefly away) is
 * retried by Temporal within the activity's schedule-to-close limit.
 */
export function permanentUnlessTransient(err: unknown): never {
  if (isPermanent(err)) {
    const e = err as Error & { code?: string };
    const type = e instanceof RangeError || e instanceof IdempotencyKeyReusedError || e instanceof ValidationError ? e.name : `SQLSTATE-${e.code}`;
    throw ApplicationFailure.nonRetryable(e.message, type);
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
