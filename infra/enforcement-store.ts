import type { Pool } from 'pg';
import type { EnforcementProjection } from '../domain/enforcement/types';

/**
 * The `enforcements` table: the API inserts the row with its start request; the enforcement workflow
 * keeps `view` and the list columns current (the API reads the row, never Temporal).
 */
export class EnforcementStore {
  constructor(private readonly pool: Pick<Pool, 'query'>) {}

  /** Writes the view if newer (workflow time, then revision): the newest run wins after continue-as-new or a reset. */
  async project(p: EnforcementProjection): Promise<{ applied: boolean }> {
    const v = p.view;
    const { rowCount } = await this.pool.query(
      `UPDATE enforcements AS e SET stage = $2, view = $3, revision = $4, run_id = $5, run_started_at = $6, as_of = $7,
              deadline = $8, warning_level = $9, overdue = $10, updated_at = now()
        WHERE e.workflow_id = $1 AND (COALESCE(e.as_of, '-infinity'::timestamptz), e.revision) < ($7::timestamptz, $4::integer)`,
      [p.workflowId, v.stage, JSON.stringify(v), v.revision, p.runId, p.runStartedAt, p.asOf, v.clock?.deadline ?? null, v.clock?.level ?? 'none', v.overdue],
    );
    return { applied: (rowCount ?? 0) > 0 };
  }
}
