import type { Pool } from 'pg';
import type { ReviewerProfile } from '../domain/review-rules';
import type { LegalReviewInput, ProjectedReview } from '../workflows/legal-review-messages';

/** The `reviews` table: the submission (written before the workflow starts) and its projection. */
export class ReviewStore {
  constructor(private readonly pool: Pick<Pool, 'query'>) {}

  /**
   * Stores a submission of a case. While the case's latest submission is open, passed or overruled
   * a second POST returns it (created false); after a withdrawal with `resubmit` (or when `remake` asks for the
   * review of a remade decision, 重新作出, and the latest review has ended) the next submission is
   * stored with the next number and its own workflow. Earlier submissions are kept. Run inside a
   * transaction: the case is locked while its submissions are counted.
   */
  async saveSubmission(
    input: LegalReviewInput,
    workflowIdOf: string | ((submissionNo: number) => string),
    submittedAt: string,
    options: { remake?: boolean; resubmit?: boolean } = {},
  ): Promise<{ id: string; created: boolean; submissionNo: number; input: LegalReviewInput; workflowId: string; previous?: { id: string; status: string } }> {
    await this.pool.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`review-submission:${input.unit}:${input.caseNumber}`]);
    const { rows: latest } = await this.pool.query<{ id: string; status: string; submission_no: number; workflow_id: string }>(
      'SELECT id, status, submission_no, workflow_id FROM reviews WHERE unit_code = $1 AND case_number = $2 ORDER BY submission_no DESC LIMIT 1',
      [input.unit, input.caseNumber],
    );
    const last = latest[0];
    // Only an explicit request starts a new submission: a retried POST of the same case answers the existing one.
    const again = last && ((options.resubmit === true && last.status === 'withdrawn') || (options.remake === true && (last.status === 'passed' || last.status === 'overruled')));
    if (last && !again) return { id: last.id, created: false, submissionNo: last.submission_no, input, workflowId: last.workflow_id };
    const submissionNo = last ? last.submission_no + 1 : 1;
    const stored: LegalReviewInput = { ...input, submissionNo };
    const workflowId = typeof workflowIdOf === 'string' ? workflowIdOf : workflowIdOf(submissionNo);
    const inserted = await this.pool.query<{ id: string }>(
      `INSERT INTO reviews (id, workflow_id, unit_code, case_number, title, decision_kind, procedure, submission, submitted_by, submitted_at, submission_no)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [stored.reviewId, workflowId, stored.unit, stored.caseNumber, stored.title, stored.decisionKind, stored.procedure, JSON.stringify(stored), stored.submittedBy, submittedAt, submissionNo],
    );
    return { id: inserted.rows[0]!.id, created: true, submissionNo, input: stored, workflowId, ...(last ? { previous: { id: last.id, status: last.status } } : {}) };
  }

  /**
   * Keeps the row at the newest state the workflow reported. Within one run the higher revision
   * wins; a report from another run than the stored one (after a reset or continue-as-new) wins
   * only when the caller has established that its run is the workflow's current one
   * (`run.current`). Otherwise nothing changes and `otherRun` says why.
   */
  async project(view: ProjectedReview, run: { runId: string; current: boolean }): Promise<{ applied: boolean; otherRun: boolean }> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO reviews AS r (id, workflow_id, unit_code, case_number, title, decision_kind, procedure, submission, submitted_by, submitted_at,
                                 status, round, reviewer_id, deadline, last_day, warning_level, overdue, extended, opinion_kind, flagged, flag_reason, view, revision, run_id, updated_at, submission_no)
       -- Normally the API stored the submission first; a workflow started another way still gets its row.
       VALUES ($1, $2, $3, $4, $5, $6, $7, '{}'::jsonb, $8, now(),
               $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, now(), $24)
       ON CONFLICT (workflow_id) DO UPDATE SET
         status = EXCLUDED.status, round = EXCLUDED.round, reviewer_id = EXCLUDED.reviewer_id, deadline = EXCLUDED.deadline,
         last_day = EXCLUDED.last_day, warning_level = EXCLUDED.warning_level, overdue = EXCLUDED.overdue, extended = EXCLUDED.extended,
         opinion_kind = EXCLUDED.opinion_kind, flagged = EXCLUDED.flagged, flag_reason = EXCLUDED.flag_reason, view = EXCLUDED.view,
         revision = EXCLUDED.revision, run_id = EXCLUDED.run_id, updated_at = now()
       WHERE (r.run_id IS NOT DISTINCT FROM EXCLUDED.run_id AND r.revision < EXCLUDED.revision)
          OR (r.run_id IS DISTINCT FROM EXCLUDED.run_id AND $23::boolean)`,
      [
        view.id,
        view.workflowId,
        view.unit,
        view.caseNumber,
        view.title,
        view.decisionKind,
        view.procedure,
        view.submittedBy,
        view.status,
        view.round,
        view.reviewer,
        view.deadline,
        view.lastDay,
        view.warningLevel,
        view.overdue,
        view.extended,
        view.opinion?.kind ?? null,
        view.flagged,
        view.flagReason,
        JSON.stringify(view),
        view.revision,
        run.runId,
        run.current,
        view.submissionNo ?? 1,
      ],
    );
    if ((rowCount ?? 0) > 0) return { applied: true, otherRun: false };
    const { rows } = await this.pool.query<{ run_id: string | null }>('SELECT run_id FROM reviews WHERE workflow_id = $1', [view.workflowId]);
    return { applied: false, otherRun: rows[0]?.run_id !== run.runId };
  }
}

/** Reads a stored profile (API and tests); numeric columns come back as numbers. */
export async function loadReviewerProfile(pool: Pick<Pool, 'query'>, personId: string): Promise<ReviewerProfile | null> {
  const { rows } = await pool.query(
    `SELECT person_id, unit_code, name, law_degree, legal_work_years::float8 AS legal_work_years, enforcement_years::float8 AS enforcement_years,
            legal_profession_qualification, reviewed_penalty_before
       FROM reviewer_profiles WHERE person_id = $1`,
    [personId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    personId: r.person_id,
    unit: r.unit_code,
    name: r.name,
    lawDegree: r.law_degree,
    legalWorkYears: r.legal_work_years,
    enforcementYears: r.enforcement_years,
    legalProfessionQualification: r.legal_profession_qualification,
    reviewedPenaltyBefore: r.reviewed_penalty_before,
  };
}
