import type { BasisChangeState } from '../domain/basis-change/process';
import type { StatisticsRecipients, StatisticsTaskState } from '../domain/statistics/process';
import { computeAnnualFigures, publishStatistics } from '../infra/portal-store';
import type { ActivityDeps } from './index';
import { permanentUnlessTransient } from './records';

export interface ProjectionStamp {
  workflowId: string;
  runId: string;
}

/**
 * Annual statistics (the figures come from infra/portal-store.ts computeAnnualFigures, the same
 * code the API's preview uses) and the basis change clock's projection.
 */
export function createStatisticsActivities(deps: ActivityDeps) {
  const { pool } = deps;
  return {
    /** The units that publish annual figures: the law-enforcement departments and institutions. */
    async statisticsUnits(): Promise<string[]> {
      const { rows } = await pool.query<{ code: string }>(`SELECT code FROM units WHERE kind IN ('department', 'institution') ORDER BY code`);
      return rows.map((r) => r.code);
    },

    /**
     * Where the published figures go: the jurisdiction's 人民政府 unit (kind government, no parent);
     * if none is seeded, the jurisdiction's 司法局 (the supervising unit); and the superior department
     * (the unit's supervisor).
     */
    async statisticsRecipients(unit: string): Promise<StatisticsRecipients> {
      const { rows } = await pool.query<{ supervisor_code: string | null; jurisdiction: string }>('SELECT supervisor_code, jurisdiction FROM units WHERE code = $1', [unit]);
      const u = rows[0];
      if (!u) return { government: null, governmentIs: 'none', superior: null };
      const gov = await pool.query<{ code: string }>(`SELECT code FROM units WHERE kind = 'government' AND parent_code IS NULL AND jurisdiction = $1 ORDER BY code LIMIT 1`, [u.jurisdiction]);
      if (gov.rows[0]) return { government: gov.rows[0].code, governmentIs: 'government', superior: u.supervisor_code };
      const sfj = await pool.query<{ code: string }>(`SELECT code FROM units WHERE jurisdiction = $1 AND code LIKE '%.sfj' ORDER BY code LIMIT 1`, [u.jurisdiction]);
      return { government: sfj.rows[0]?.code ?? null, governmentIs: sfj.rows[0] ? 'justice-bureau' : 'none', superior: u.supervisor_code };
    },

    /** The unit checked the figures: computed again from the data now and published on the portal (same year again: replaced). */
    async publishAnnualStatistics(input: { unit: string; year: number; by: string }): Promise<{ publishedAt: string }> {
      try {
        const figures = await computeAnnualFigures(pool, input.unit, input.year);
        const published = await publishStatistics(pool, figures, input.by);
        return { publishedAt: published.publishedAt };
      } catch (err) {
        return permanentUnlessTransient(err);
      }
    },

    /** The task's row (statistics_tasks); the newest revision wins. */
    async projectStatisticsTask(input: ProjectionStamp & { state: StatisticsTaskState }): Promise<void> {
      const s = input.state;
      try {
        await pool.query(
          `INSERT INTO statistics_tasks (unit_code, year, workflow_id, status, deadline, last_day, warning_level, overdue, escalations, published_at, published_by, published_late, sent_to, revision, run_id, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now())
           ON CONFLICT (unit_code, year) DO UPDATE SET status = EXCLUDED.status, deadline = coalesce(EXCLUDED.deadline, statistics_tasks.deadline),
             last_day = coalesce(EXCLUDED.last_day, statistics_tasks.last_day), warning_level = EXCLUDED.warning_level, overdue = EXCLUDED.overdue,
             escalations = EXCLUDED.escalations, published_at = EXCLUDED.published_at, published_by = EXCLUDED.published_by, published_late = EXCLUDED.published_late,
             sent_to = EXCLUDED.sent_to, revision = EXCLUDED.revision, run_id = EXCLUDED.run_id, updated_at = now()
           WHERE statistics_tasks.revision <= EXCLUDED.revision`,
          [
            s.unit,
            s.year,
            input.workflowId,
            s.status,
            s.clock?.deadline ?? null,
            s.clock?.lastDay ?? null,
            s.clock?.level ?? 'none',
            s.overdue,
            s.escalations,
            s.publishedAt ?? null,
            s.publishedBy ?? null,
            s.publishedLate ?? null,
            s.sentTo,
            s.revision,
            input.runId,
          ],
        );
      } catch (err) {
        permanentUnlessTransient(err);
      }
    },

    /** The basis change's row: warning level, escalations, completion (the newest revision wins). */
    async projectBasisChange(input: ProjectionStamp & { state: BasisChangeState }): Promise<void> {
      const s = input.state;
      try {
        await pool.query(
          `UPDATE unit_basis_changes SET workflow_id = coalesce(workflow_id, $3), warning_level = $4, escalations = $5, revision = $6,
                  completed_at = coalesce(completed_at, $7), completed_by = coalesce(completed_by, $8)
            WHERE id = $1 AND unit_code = $2 AND revision <= $6`,
          [s.changeId, s.unit, input.workflowId, s.clock?.level ?? 'none', s.escalations, s.revision, s.completedAt ?? null, s.completedBy ?? null],
        );
      } catch (err) {
        permanentUnlessTransient(err);
      }
    },
  };
}
