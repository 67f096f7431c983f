import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ReviewStore } from '../infra/review-store';
import type { ProjectedReview } from '../domain/legal-review/types';
import type { ActivityDeps } from './index';
import { permanentUnlessTransient } from './records';

/** Activities of the legal-review workflow that only it uses. */
export function createReviewActivities({ pool, temporal }: Pick<ActivityDeps, 'pool' | 'temporal'>) {
  const store = new ReviewStore(pool);
  return {
    /** Who supervises the unit (its 司法局 gets the escalations) and the names documents show. */
    async loadReviewContext(input: { unit: string }): Promise<{ unitName: string; supervisorUnit: string | null }> {
      const { rows } = await pool.query<{ name: string; supervisor_code: string | null }>('SELECT name, supervisor_code FROM units WHERE code = $1', [input.unit]);
      if (!rows[0]) throw ApplicationFailure.nonRetryable(`unit ${input.unit} does not exist`, 'UnknownUnit');
      return { unitName: rows[0].name, supervisorUnit: rows[0].supervisor_code };
    },

    /** Called on every change of a review: the `reviews` row follows the workflow. */
    async projectReview(view: ProjectedReview): Promise<{ applied: boolean }> {
      try {
        const { workflowId, runId } = activityInfo().workflowExecution!;
        const first = await store.project(view, { runId, current: false });
        if (first.applied || !first.otherRun) return { applied: first.applied };
        // Another run wrote the row: this report wins only if its run is the workflow's current one
        // (a reset's new run, a continued run), never a superseded run reporting late.
        const current = temporal ? (await temporal.workflow.getHandle(workflowId).describe()).runId === runId : true;
        return { applied: current && (await store.project(view, { runId, current })).applied };
      } catch (err) {
        return permanentUnlessTransient(err);
      }
    },

    /** After a first penalty review, the reviewer is no longer a first-time penalty reviewer. */
    async notePenaltyReviewed(input: { personId: string }): Promise<void> {
      await pool.query('UPDATE reviewer_profiles SET reviewed_penalty_before = true WHERE person_id = $1 AND NOT reviewed_penalty_before', [input.personId]);
    },
  };
}
