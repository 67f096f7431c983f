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

/**
 * How long the reconciler leaves a new request to its starter. Every starter tries its start at once
 * after its commit (`startNow` in the API); the reconciler only takes a request whose own attempt
 * failed (its backoff) or that nobody tried within this time (the starter died between commit and
 * start), so it never races the starter's immediate attempt.
 */
export const STARTER_GRACE_SECONDS = 5;

/** A stored start request, as `SELECT *` returns it. */
export type StoredProcessStart = Record<string, any> & { workflow_id: string };

/**
 * Writes the start request inside the caller's transaction; a second request for the same workflow
 * changes nothing. `stored` is the row as written (for the starter's own attempt after commit).
 */
export async function enqueueProcessStart(db: Queryable, req: ProcessStartRequest): Promise<{ created: boolean; stored?: StoredProcessStart }> {
  const { rows } = await db.query(
    `INSERT INTO process_starts (workflow_id, kind, workflow_type, task_queue, input, unit_code, case_number, initial_status, summary, details, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now() + make_interval(secs => $11)) ON CONFLICT (workflow_id) DO NOTHING RETURNING *`,
    [req.workflowId, req.kind, req.workflowType, req.taskQueue, JSON.stringify(req.input), req.unit ?? null, req.caseNumber ?? null, req.initialStatus ?? null, req.summary ?? null, req.details ?? null, STARTER_GRACE_SECONDS],
  );
  return rows[0] ? { created: true, stored: rows[0] } : { created: false };
}

export async function processStartState(db: Queryable, workflowId: string): Promise<ProcessStartState | undefined> {
  const { rows } = await db.query('SELECT * FROM process_starts WHERE workflow_id = $1', [workflowId]);
  return rows[0] ? toState(rows[0]) : undefined;
}

/** Seconds until the next attempt after `attempts` failures: 1, 2, 4, … at most 30. */
export const startBackoffSeconds = (attempts: number) => Math.min(30, 2 ** Math.max(0, attempts - 1));

/**
 * Starts stored requests. No database connection or lock is held while Temporal is called: the
 * start is idempotent on its own (`USE_EXISTING` for a running execution, `REJECT_DUPLICATE` for a
 * closed one), and the row is marked started in one UPDATE that only a not-yet-started row matches,
 * so two starters meeting on one row (the API's retry and the reconciler) start one workflow.
 */
export class ProcessStarter {
  constructor(
    private readonly pool: Pool,
    private readonly temporal: Client,
    private readonly log: Logger,
    private readonly opts: { startTimeoutMs?: number } = {},
  ) {}

  private get startTimeoutMs(): number {
    return this.opts.startTimeoutMs ?? 5_000;
  }

  /**
   * Starts one stored request now, unless it is started already. `stored` is the row as the caller
   * just wrote it (saves reading it back). Never throws for Temporal trouble: the failure is stored
   * and the reconciler tries again.
   */
  async tryStart(workflowId: string, stored?: StoredProcessStart): Promise<ProcessStartState | undefined> {
    const row = stored?.workflow_id === workflowId ? stored : (await this.pool.query('SELECT * FROM process_starts WHERE workflow_id = $1', [workflowId])).rows[0];
    if (!row) return undefined;
    if (row.started_at) return toState(row);
    return this.startRow(row);
  }

  /**
   * One reconciler pass: claims due requests a batch at a time (a lease: another reconciler skips
   * them meanwhile, and they come back by themselves if this one dies) and starts them.
   */
  async drain(batch = 20): Promise<{ started: number; failed: number }> {
    let started = 0;
    let failed = 0;
    const claimSeconds = Math.ceil(this.startTimeoutMs / 1000) + 30;
    for (;;) {
      const { rows } = await this.pool.query(
        `UPDATE process_starts SET next_attempt_at = now() + make_interval(secs => $2)
          WHERE workflow_id IN (SELECT workflow_id FROM process_starts WHERE started_at IS NULL AND next_attempt_at <= now()
                                 ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
          RETURNING *`,
        [batch, claimSeconds],
      );
      const states = await Promise.all(rows.map((row) => this.startRow(row)));
      for (const state of states) {
        if (state.startedAt) started += 1;
        else failed += 1;
      }
      if (rows.length < batch) return { started, failed };
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

  private async startRow(row: StoredProcessStart): Promise<ProcessStartState> {
    const searchAttributes =
      PROCESS_KINDS.includes(row.kind) && row.unit_code && row.case_number
        ? [...initialSearchAttributes(row.kind as ProcessKind, row.unit_code, row.case_number, row.initial_status ?? 'started')]
        : undefined;
    let runId: string | null = null;
    let error: Error | undefined;
    try {
      const handle = await this.temporal.withDeadline(Date.now() + this.startTimeoutMs, () =>
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
    // Only a row not started yet is updated: whoever marks it first wins, the other reads it back.
    const { rows } = error
      ? await this.pool.query(
          `UPDATE process_starts SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + make_interval(secs => $3)
            WHERE workflow_id = $1 AND started_at IS NULL RETURNING *`,
          [row.workflow_id, error.message.slice(0, 1000), startBackoffSeconds(row.attempts + 1)],
        )
      : await this.pool.query(
          'UPDATE process_starts SET started_at = now(), run_id = $2, attempts = attempts + 1, last_error = NULL WHERE workflow_id = $1 AND started_at IS NULL RETURNING *',
          [row.workflow_id, runId],
        );
    if (error) this.log.warn({ workflowId: row.workflow_id, attempts: rows[0]?.attempts, err: error }, 'process start failed; the reconciler will try again');
    return rows[0] ? toState(rows[0]) : (await processStartState(this.pool, row.workflow_id))!;
  }
}
