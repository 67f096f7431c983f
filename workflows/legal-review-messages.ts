// The legal-review workflow's messages, shared by the workflow and the API. The shapes they carry
// are domain types (domain/legal-review/types.ts), re-exported here so imports keep working.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ActionArgs, ActionName, ReviewView } from '../domain/legal-review/types';

export * from '../domain/legal-review/types';

/**
 * One workflow per submission of a case: `review-<unit>-<caseNumber>-s<n>`, n = 1, 2, … (a new
 * submission after a withdrawal, or for a remade decision). Rows stored before submissions were
 * numbered keep their stored id (`reviews.workflow_id`).
 */
export const legalReviewWorkflowId = (unit: string, caseNumber: string, submissionNo = 1) => `review-${unit}-${caseNumber}-s${submissionNo}`;

export const reviewStateQuery = defineQuery<ReviewView>('reviewState');

/**
 * Does nothing but answer the state's revision: the bare cost of an Update on this workflow (one
 * workflow task, no activity, no lock), the baseline of `npm run bench -- action`.
 */
export const pingUpdate = defineUpdate<number, []>('ping');

/** One Update per user action, named as the action; its argument is the action's (domain/legal-review/types.ts). */
const actionUpdate = <A extends ActionName>(name: A) => defineUpdate<ReviewView, [ActionArgs[A]]>(name);

export const addMaterialsUpdate = actionUpdate('addMaterials');
export const assignReviewerUpdate = actionUpdate('assignReviewer');
export const declareRecusalUpdate = actionUpdate('declareRecusal');
/** The head orders a person's recusal (第十五条). */
export const orderRecusalUpdate = actionUpdate('orderRecusal');
export const requestExtensionUpdate = actionUpdate('requestExtension');
export const decideExtensionUpdate = actionUpdate('decideExtension');
export const giveOpinionUpdate = actionUpdate('giveOpinion');
export const resubmitUpdate = actionUpdate('resubmit');
export const disputeUpdate = actionUpdate('dispute');
export const decideDisputeUpdate = actionUpdate('decideDispute');
export const withdrawUpdate = actionUpdate('withdraw');
export const requestMaterialsUpdate = actionUpdate('requestMaterials');
export const participantViewUpdate = actionUpdate('participantView');
/** The decision, recorded through the review after `passed`/`overruled` (第二条, 第十四条); the workflow then completes. */
export const recordDecisionUpdate = actionUpdate('recordDecision');
