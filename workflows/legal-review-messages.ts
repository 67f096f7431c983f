// The legal-review workflow's messages, shared by the workflow and the API. The shapes they carry
// are domain types (domain/legal-review/types.ts), re-exported here so imports keep working.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  AddMaterialsRequest,
  AssignReviewerRequest,
  DisputeDecisionInput,
  DisputeInput,
  ExtensionDecisionInput,
  ExtensionRequestInput,
  OpinionInput,
  RecusalRequest,
  ResubmissionInput,
  ReviewView,
  WithdrawalInput,
} from '../domain/legal-review/types';

export * from '../domain/legal-review/types';

export const legalReviewWorkflowId = (unit: string, caseNumber: string) => `review-${unit}-${caseNumber}`;

export const reviewStateQuery = defineQuery<ReviewView>('reviewState');

export const addMaterialsUpdate = defineUpdate<ReviewView, [AddMaterialsRequest]>('addMaterials');
export const assignReviewerUpdate = defineUpdate<ReviewView, [AssignReviewerRequest]>('assignReviewer');
export const declareRecusalUpdate = defineUpdate<ReviewView, [RecusalRequest]>('declareRecusal');
export const requestExtensionUpdate = defineUpdate<ReviewView, [ExtensionRequestInput]>('requestExtension');
export const decideExtensionUpdate = defineUpdate<ReviewView, [ExtensionDecisionInput]>('decideExtension');
export const giveOpinionUpdate = defineUpdate<ReviewView, [OpinionInput]>('giveOpinion');
export const resubmitUpdate = defineUpdate<ReviewView, [ResubmissionInput]>('resubmit');
export const disputeUpdate = defineUpdate<ReviewView, [DisputeInput]>('dispute');
export const decideDisputeUpdate = defineUpdate<ReviewView, [DisputeDecisionInput]>('decideDispute');
export const withdrawUpdate = defineUpdate<ReviewView, [WithdrawalInput]>('withdraw');
