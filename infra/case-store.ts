import type { Pool } from 'pg';
import { caseListColumns } from '../domain/case-file/projection';
import type { CaseFileProjection } from '../domain/case-file/types';

/**
 * The `cases` table: the API inserts the row (the business key, what to start), the case-file
 * workflow keeps it current (the API reads `view`, never Temporal).
 */
export class CaseStore {
  constructor(private readonly pool: Pick<Pool, 'query'>) {}

  /**
   * Writes the workflow's view if it is newer than the stored one: by workflow time, then revision,
   * so the newest run wins after a continue-as-new or a reset, and a late retry of an older
   * report changes nothing. A workflow started without a row (tests, an operator) gets one.
   */
  async project(p: CaseFileProjection): Promise<{ applied: boolean }> {
    const v = p.view;
    const c = caseListColumns(v);
    const { rowCount } = await this.pool.query(
      `INSERT INTO cases AS c (unit_code, case_number, title, urgent, opened_by, opened_at, workflow_id,
                               status, view, revision, run_id, run_started_at, as_of, updated_at,
                               deadline, deadline_kind, warning_level, overdue, av_pending, av_overdue, archived_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now(), $14, $15, $16, $17, $18, $19, $20)
       ON CONFLICT (unit_code, case_number) DO UPDATE SET
         status = EXCLUDED.status, view = EXCLUDED.view, revision = EXCLUDED.revision, run_id = EXCLUDED.run_id,
         run_started_at = EXCLUDED.run_started_at, as_of = EXCLUDED.as_of, updated_at = now(),
         deadline = EXCLUDED.deadline, deadline_kind = EXCLUDED.deadline_kind, warning_level = EXCLUDED.warning_level,
         overdue = EXCLUDED.overdue, av_pending = EXCLUDED.av_pending, av_overdue = EXCLUDED.av_overdue, archived_at = EXCLUDED.archived_at
       WHERE c.workflow_id = EXCLUDED.workflow_id
         AND (COALESCE(c.as_of, '-infinity'::timestamptz), c.revision) < (EXCLUDED.as_of, EXCLUDED.revision)`,
      [
        v.unit,
        v.caseNumber,
        v.title,
        v.urgent,
        v.openedBy,
        v.openedAt,
        p.workflowId,
        c.status,
        JSON.stringify(v),
        v.revision,
        p.runId,
        p.runStartedAt,
        p.asOf,
        c.deadline,
        c.deadlineKind,
        c.warningLevel,
        c.overdue,
        c.avPending,
        c.avOverdue,
        c.archivedAt,
      ],
    );
    return { applied: (rowCount ?? 0) > 0 };
  }
}
