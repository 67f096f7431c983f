// The enforcement process's messages, shared by the workflow and the API (which never imports activities).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  AgreementBrokenRequest,
  AgreementRequest,
  CorrectionCheckRequest,
  CourtApplicationRequest,
  CourtRulingRequest,
  DeferralRequest,
  DemandRequest,
  DemandServiceRequest,
  EnforcementDecisionRequest,
  EnforcementState,
  ExecutionRequest,
  PaymentRequest,
  ResumptionRequest,
  StatementRequest,
  StatementReviewRequest,
  SuspensionRequest,
  TerminationRequest,
} from '../domain/enforcement/types';

export type * from '../domain/enforcement/types';

export const enforcementWorkflowId = (unit: string, caseNumber: string) => `enforcement-${unit}-${caseNumber}`;

export const enforcementStateQuery = defineQuery<EnforcementState>('enforcementState');

/** One Update per action (the table's action kinds); each answers the state after the action. */
export const enforcementUpdates = {
  payment: defineUpdate<EnforcementState, [PaymentRequest]>('enforcement.payment'),
  deferral: defineUpdate<EnforcementState, [DeferralRequest]>('enforcement.deferral'),
  correctionCheck: defineUpdate<EnforcementState, [CorrectionCheckRequest]>('enforcement.correctionCheck'),
  demand: defineUpdate<EnforcementState, [DemandRequest]>('enforcement.demand'),
  demandService: defineUpdate<EnforcementState, [DemandServiceRequest]>('enforcement.demandService'),
  statement: defineUpdate<EnforcementState, [StatementRequest]>('enforcement.statement'),
  statementReview: defineUpdate<EnforcementState, [StatementReviewRequest]>('enforcement.statementReview'),
  enforcementDecision: defineUpdate<EnforcementState, [EnforcementDecisionRequest]>('enforcement.enforcementDecision'),
  execution: defineUpdate<EnforcementState, [ExecutionRequest]>('enforcement.execution'),
  agreement: defineUpdate<EnforcementState, [AgreementRequest]>('enforcement.agreement'),
  agreementBroken: defineUpdate<EnforcementState, [AgreementBrokenRequest]>('enforcement.agreementBroken'),
  courtApplication: defineUpdate<EnforcementState, [CourtApplicationRequest]>('enforcement.courtApplication'),
  courtRuling: defineUpdate<EnforcementState, [CourtRulingRequest]>('enforcement.courtRuling'),
  suspension: defineUpdate<EnforcementState, [SuspensionRequest]>('enforcement.suspension'),
  resumption: defineUpdate<EnforcementState, [ResumptionRequest]>('enforcement.resumption'),
  termination: defineUpdate<EnforcementState, [TerminationRequest]>('enforcement.termination'),
} as const;
