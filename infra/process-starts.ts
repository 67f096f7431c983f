import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Pool, PoolClient } from 'pg';
import { initialSearchAttributes, type ProcessKind } from '../workflows/search-attributes';
import type { Logger } from './logger';

/**
 * The start outbox. Postgres, not Temporal retention, decides whether a process exists: the
 * business row (a review, a case, a published calendar year) and its `process_starts` row are
 * written in ONE transaction; the workflow is then started from the stored row, by the API right
 * after commit and, if that fails (Temporal away), by the reconciler in the worker with backoff.
 * A row marked started is never started again, so a re-POST after the workflow was deleted or
 * purged answers the stored business row and starts nothing.
 */

type Queryable = Pick<PoolClient, 'query'>;

export interface ProcessStartRequest {
  workflowId: string;
  /** a ProcessKind (search attributes are set at start) or another kind, e.g. 'calendar-publication' */
  kind: string;
  /** the workflow function's name */
  workflowType: string;
  taskQueue: string;
  /** the workflow's single argument, exactly as stored */
  input: unknown;
  unit?: string;
  caseNumber?: string;
  initialStatus?: string;
  summary?: string;
  details?: string;
}

export interface ProcessStartState {
  workflowId: string;
  kind: string;
  requestedAt: string;
  startedAt: string | null;
  runId: string | null;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
}

const PROCESS_KINDS: readonly string[] = ['legal-review', 'case-file', 'av-record', 'enforcement', 'disclosure', 'rollout', 'inspection', 'statistics', 'basis-change'] satisfies ProcessKind[];

const toState = (r: any): ProcessStartState => ({
  workflowId: r.workflow_id,
  kind: r.kind,
  requestedAt: new Date(r.requested_at).toISOString(),
  startedAt: r.started_at ? new Date(r.started_at).toISOString() : null,
  runId: r.run_id ?? null,
  attempts: r.attempts,
  lastError: r.last_error ?? null,
  nextAttemptAt: r.started_at ? null : new Date(r.next_attempt_at).toISOString(),
});

/** Writes the start request inside the caller's transaction; a second request for the same workflow changes nothing. */
export async function enqueueProcessStart(db: Queryable, req: ProcessStartRequest): Promise<{ created: boolean }> {
  const { rowCount } = await db.query(
    `INSERT INTO process_starts (workflow_id, kind, workflow_type, task_queue, input, unit_code, case_number, initial_status, summary, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (workflow_id) DO NOTHING`,
    [req.workflowId, req.kind, req.workflowType, req.taskQueue, JSON.stringify(req.input), req.unit ?? null, req.caseNumber ?? null, req.initialStatus ?? null, req.summary ?? null, req.details ?? null],
  );
  return { created: (rowCount ?? 0) > 0 };
}

export async function processStartState(db: Queryable, workflowId: string): Promise<ProcessStartState | undefined> {
  const { rows } = await db.query('SELECT * FROM process_starts WHERE workflow_id = $1', [workflowId]);
  return rows[0] ? toState(rows[0]) : undefined;
}

/** Seconds until the next attempt after `attempts` failures: 1, 2, 4, … at most 30. */
export const startBackoffSeconds = (attempts: number) => Math.min(30, 2 ** Math.max(0, attempts - 1));

export class ProcessStarter {
  constructor(
    private readonly pool: Pool,
    private readonly temporal: Client,
    private readonly log: Logger,
    private readonly opts: { startTimeoutMs?: number } = {},
  ) {}

  /**
   * Starts one stored request now, unless it is started already or another starter holds it.
   * Never throws for Temporal trouble: the failure is stored and the reconciler tries again.
   */
  async tryStart(workflowId: string): Promise<ProcessStartState | undefined> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query('SELECT * FROM process_starts WHERE workflow_id = $1 FOR UPDATE SKIP LOCKED', [workflowId]);
      const row = rows[0];
      const state = row && !row.started_at ? await this.startRow(client, row) : undefined;
      await client.query('COMMIT');
      return state ?? (await processStartState(this.pool, workflowId));
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** One reconciler pass: starts every due request (a few at a time, skipping rows another starter holds). */
  async drain(batch = 20): Promise<{ started: number; failed: number }> {
    let started = 0;
    let failed = 0;
    for (;;) {
      const client = await this.pool.connect();
      let n = 0;
      try {
        await client.query('BEGIN');
        const { rows } = await client.query(
          `SELECT * FROM process_starts WHERE started_at IS NULL AND next_attempt_at <= now()
            ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [batch],
        );
        n = rows.length;
        for (const row of rows) {
          const state = await this.startRow(client, row);
          if (state.startedAt) started += 1;
          else failed += 1;
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
      if (n < batch) return { started, failed };
    }
  }

  /** Runs `drain` every `intervalMs` until stopped (the worker process runs one). */
  run(intervalMs = 1_000): { stop: () => Promise<void> } {
    let stopped = false;
    let wake: (() => void) | undefined;
    const loop = (async () => {
      while (!stopped) {
        try {
          const { started, failed } = await this.drain();
          if (started || failed) this.log.info({ started, failed }, 'process start reconciler pass');
        } catch (err) {
          this.log.warn({ err }, 'process start reconciler pass failed');
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, intervalMs).unref();
        });
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        wake?.();
        await loop;
      },
    };
  }

  private async startRow(client: PoolClient, row: any): Promise<ProcessStartState> {
    const searchAttributes =
      PROCESS_KINDS.includes(row.kind) && row.unit_code && row.case_number
        ? [...initialSearchAttributes(row.kind as ProcessKind, row.unit_code, row.case_number, row.initial_status ?? 'started')]
        : undefined;
    let runId: string | null = null;
    let error: Error | undefined;
    try {
      const handle = await this.temporal.withDeadline(Date.now() + (this.opts.startTimeoutMs ?? 5_000), () =>
        this.temporal.workflow.start(row.workflow_type as string, {
          workflowId: row.workflow_id,
          taskQueue: row.task_queue,
          args: [row.input],
          // A running execution (an earlier attempt that started it but could not mark it) is the one;
          // a closed one still retained is never replaced.
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          ...(searchAttributes ? { typedSearchAttributes: searchAttributes } : {}),
          ...(row.summary ? { staticSummary: row.summary } : {}),
          ...(row.details ? { staticDetails: row.details } : {}),
        }),
      );
      runId = handle.firstExecutionRunId;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) error = err instanceof Error ? err : new Error(String(err));
    }
    if (error) {
      const attempts = row.attempts + 1;
      this.log.warn({ workflowId: row.workflow_id, attempts, err: error }, 'process start failed; the reconciler will try again');
      const { rows } = await client.query(
        `UPDATE process_starts SET attempts = $2, last_error = $3, next_attempt_at = now() + make_interval(secs => $4)
          WHERE workflow_id = $1 RETURNING *`,
        [row.workflow_id, attempts, error.message.slice(0, 1000), startBackoffSeconds(attempts)],
      );
      return toState(rows[0]);
    }
    const { rows } = await client.query(
      'UPDATE process_starts SET started_at = now(), run_id = $2, attempts = attempts + 1, last_error = NULL WHERE workflow_id = $1 RETURNING *',
      [row.workflow_id, runId],
    );
    return toState(rows[0]);
  }
}
