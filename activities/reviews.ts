import { activityInfo, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ReviewStore } from '../infra/review-store';
import { DocumentStore } from '../infra/document-store';
import { renderOpinionDocument, type OpinionDocumentInput } from '../domain/legal-review/opinion-document';
import type { Party, ProjectedReview } from '../domain/legal-review/types';
import type { ActivityDeps } from './index';
import { CaseRecordStore } from '../infra/case-record-store';
import { createNotificationActivities, type NotifyInput } from './notifications';
import { isPermanent, permanentUnlessTransient, type CaseRecordInput } from './records';

/** Activities of the legal-review workflow that only it uses. */
export function createReviewActivities(deps: ActivityDeps) {
  const { pool, temporal } = deps;
  const store = new ReviewStore(pool);
  const record = new CaseRecordStore(pool);
  const { notify } = createNotificationActivities(deps);

  /** The `reviews` row follows the workflow (see projectReview). */
  async function project(view: ProjectedReview): Promise<{ applied: boolean }> {
    const { workflowId, runId } = activityInfo().workflowExecution!;
    const first = await store.project(view, { runId, current: false });
    if (first.applied || !first.otherRun) return { applied: first.applied };
    // Another run wrote the row: this report wins only if its run is the workflow's current one
    // (a reset's new run, a continued run), never a superseded run reporting late.
    const current = temporal ? (await temporal.workflow.getHandle(workflowId).describe()).runId === runId : true;
    return { applied: current && (await store.project(view, { runId, current })).applied };
  }

  async function notePenaltyReviewed(personId: string): Promise<void> {
    await pool.query('UPDATE reviewer_profiles SET reviewed_penalty_before = true WHERE person_id = $1 AND NOT reviewed_penalty_before', [personId]);
  }

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
        return await project(view);
      } catch (err) {
        return permanentUnlessTransient(err);
      }
    },

    /**
     * Renders and stores the 审核意见书 with the party read here from Postgres (the submission): the
     * workflow carries no personal data (issue 14), so neither its input nor this activity's input
     * names the party. Idempotent by key, like storeDocument.
     */
    async storeOpinionDocument(input: Omit<OpinionDocumentInput, 'party'> & { reviewId: string; idempotencyKey: string }): Promise<{ documentId: string; sha256: string }> {
      try {
        const { rows } = await pool.query<{ party: Party | null }>(`SELECT submission->'party' AS party FROM reviews WHERE id = $1::uuid`, [input.reviewId]);
        const party: Party = rows[0]?.party && rows[0].party.name ? rows[0].party : { kind: rows[0]?.party?.kind ?? 'organisation', name: '（当事人）' };
        const { reviewId: _id, idempotencyKey, ...facts } = input;
        const rendered = renderOpinionDocument({ ...facts, party });
        const doc = await new DocumentStore(pool).store({ unit: input.unit, caseNumber: input.caseNumber, kind: 'review_opinion', title: rendered.title, contentType: 'text/html; charset=utf-8', content: rendered.html, idempotencyKey });
        return { documentId: doc.id, sha256: doc.sha256 };
      } catch (err) {
        return permanentUnlessTransient(err);
      }
    },

    /** After a first penalty review, the reviewer is no longer a first-time penalty reviewer. */
    async notePenaltyReviewed(input: { personId: string }): Promise<void> {
      await notePenaltyReviewed(input.personId);
    },

    /**
     * One step of a caller's action in one activity (issue 15, actions p99): its case-record
     * entries in order (each idempotent by its key, as appendCaseRecord), the projection, the
     * reviewer's first-penalty flag, then its notices stored as `notify` stores them (inbox copy
     * and delivery outbox; the dispatcher delivers later, so no channel holds the action). A retry
     * after a partial run finds the written entries and notices by their keys and the projection
     * by its revision, so the whole step can be tried again. A notice refused for good (e.g. an
     * unknown recipient unit) is logged and dropped, as a started `notify` that failed was: a notice
     * never fails the action it tells about.
     */
    async commitReviewStep(input: { records: CaseRecordInput[]; projection?: ProjectedReview; penaltyReviewedBy?: string; notices?: NotifyInput[] }): Promise<{ records: Array<{ seq: number; hash: string }>; applied?: boolean; notices: number }> {
      const records: Array<{ seq: number; hash: string }> = [];
      let applied: boolean | undefined;
      try {
        for (const entry of input.records) {
          const written = await record.append(entry);
          records.push({ seq: written.seq, hash: written.hash });
        }
        if (input.projection) applied = (await project(input.projection)).applied;
        if (input.penaltyReviewedBy) await notePenaltyReviewed(input.penaltyReviewedBy);
      } catch (err) {
        return permanentUnlessTransient(err);
      }
      let notices = 0;
      for (const notice of input.notices ?? []) {
        try {
          await notify(notice);
          notices += 1;
        } catch (err) {
          if (!(err instanceof ApplicationFailure && err.nonRetryable) && !isPermanent(err)) throw err;
          log.warn('notification not stored', { idempotencyKey: notice.idempotencyKey, error: (err as Error).message });
        }
      }
      return { records, applied, notices };
    },
  };
}
