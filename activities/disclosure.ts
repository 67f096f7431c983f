import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/activity';
import type { ContentCorrections, CorrectionState, DisclosureProjection } from '../domain/disclosure/types';
import { DisclosureStore } from '../infra/disclosure-store';
import { disclosureUpdates } from '../workflows/disclosure-messages';
import type { ActivityDeps } from './index';
import { permanentUnlessTransient, ValidationError } from './records';

/**
 * Enforcement ended by termination on `decision_revoked` (第二十九条: a revoked decision's item is
 * taken down at once with an explanation): every item of the decision still on or awaiting the
 * portal is taken down through its workflow, once (one Update id per item). Called by the
 * enforcement's end-of-process activity; reads the ground from the enforcement's projection.
 */
export async function takeDownDisclosuresOfRevokedDecision(
  pool: ActivityDeps['pool'],
  temporal: ActivityDeps['temporal'],
  input: { unit: string; caseNumber: string; by: string; updateId: string },
): Promise<number> {
  if (!temporal) return 0;
  const { rows: e } = await pool.query<{ ground: string | null; decision_id: string; note: string | null }>(
    `SELECT view->'termination'->>'ground' AS ground, view->'termination'->>'note' AS note, decision_id FROM enforcements WHERE unit_code = $1 AND case_number = $2`,
    [input.unit, input.caseNumber],
  );
  if (e[0]?.ground !== 'decision_revoked') return 0;
  const { rows } = await pool.query<{ id: string; workflow_id: string }>(`SELECT id, workflow_id FROM disclosures WHERE decision_id = $1 AND status <> 'taken_down'`, [e[0].decision_id]);
  let done = 0;
  for (const r of rows) {
    try {
      await temporal.workflow.getHandle(r.workflow_id).executeUpdate(disclosureUpdates.takedown, {
        args: [{ by: input.by, reason: 'revoked', explanation: `原行政执法决定已被依法撤销，强制执行终结${e[0].note ? `（${e[0].note}）` : ''}；撤下原公示信息（本政办发〔2019〕35号 第二十九条）` }],
        updateId: `${input.updateId}:disclosure-takedown:${r.id}`,
      });
      done += 1;
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError) && !(err instanceof WorkflowNotFoundError)) throw err; // already taken down / ended: fine
    }
  }
  return done;
}

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

    /**
     * A changed decision's new item is published: the earlier published items of the case leave the
     * portal (reason superseded), each through its own workflow, once (one Update id per item).
     */
    async supersedeEarlierDisclosures(input: { unit: string; caseNumber: string; n: number; by: string; updateIdPrefix: string }): Promise<number> {
      const { rows } = await pool.query<{ id: string; workflow_id: string }>(
        `SELECT id, workflow_id FROM disclosures WHERE unit_code = $1 AND case_number = $2 AND n < $3 AND status IN ('published', 'pending_check', 'returned')`,
        [input.unit, input.caseNumber, input.n],
      );
      if (!temporal) return 0;
      let done = 0;
      for (const r of rows) {
        try {
          await temporal.workflow.getHandle(r.workflow_id).executeUpdate(disclosureUpdates.takedown, {
            args: [{ by: input.by, reason: 'superseded', explanation: `该决定已变更，以变更后的第 ${input.n} 条公示信息为准（本政办发〔2019〕35号 第二十八条、第二十九条）` }],
            updateId: `${input.updateIdPrefix}:${r.id}`,
          });
          done += 1;
        } catch (err) {
          if (!(err instanceof WorkflowUpdateFailedError)) throw err; // already taken down: fine
        }
      }
      return done;
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
