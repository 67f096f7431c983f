import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/activity';
import type { ContentCorrections, CorrectionState, DisclosureProjection } from '../domain/disclosure/types';
import { DisclosureStore } from '../infra/disclosure-store';
import { disclosureUpdates } from '../workflows/disclosure-messages';
import type { ActivityDeps } from './index';
import { permanentUnlessTransient, ValidationError } from './records';

/** Activities of the disclosure process (公示). The public view is built here, from Postgres. */
export function createDisclosureActivities({ pool, temporal }: Pick<ActivityDeps, 'pool' | 'temporal'>) {
  const store = new DisclosureStore(pool);
  return {
    async projectDisclosure(projection: DisclosureProjection): Promise<{ applied: boolean }> {
      try {
        return await store.project(projection);
      } catch (err) {
        return permanentUnlessTransient(err);
      }
    },

    async projectCorrection(projection: { workflowId: string; runId: string; runStartedAt: string; asOf: string; view: CorrectionState }): Promise<{ applied: boolean }> {
      try {
        return await store.projectCorrection(projection);
      } catch (err) {
        return permanentUnlessTransient(err);
      }
    },

    /** A correction decided on a request is applied to the item through its workflow (one Update id: applied once). */
    async applyDisclosureCorrection(input: { disclosureId: string; correctionId: string; by: string; corrections: ContentCorrections; updateId: string }): Promise<'applied'> {
      const { rows } = await pool.query<{ workflow_id: string }>('SELECT workflow_id FROM disclosures WHERE id = $1', [input.disclosureId]);
      if (!rows[0]) throw ApplicationFailure.nonRetryable(`disclosure ${input.disclosureId} not found`, 'ValidationError');
      if (!temporal) throw new ValidationError('no Temporal client');
      try {
        await temporal.workflow
          .getHandle(rows[0].workflow_id)
          .executeUpdate(disclosureUpdates.correct, { args: [{ by: input.by, correctionId: input.correctionId, corrections: input.corrections }], updateId: input.updateId });
        return 'applied';
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) throw ApplicationFailure.nonRetryable(err.cause?.message ?? err.message, 'disclosure.correct.refused');
        throw err;
      }
    },
  };
}
