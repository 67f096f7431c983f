// The disclosure process's messages, shared by the workflows and the API (which never imports activities).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CheckRequest, CorrectionDecisionRequest, CorrectionState, CorrectRequest, DisclosureState, ResubmitRequest, TakedownRequest } from '../domain/disclosure/types';

export type * from '../domain/disclosure/types';

/** disclosure-<unit>-<caseNumber>-<n>: n = 1 for the decision, 2, 3 … for its changes. */
export const disclosureWorkflowId = (unit: string, caseNumber: string, n: number) => `disclosure-${unit}-${caseNumber}-${n}`;
export const correctionWorkflowId = (trackingCode: string) => `disclosure-correction-${trackingCode}`;

export const disclosureStateQuery = defineQuery<DisclosureState>('disclosureState');

/** One Update per action of the table; each answers the state after the action. */
export const disclosureUpdates = {
  check: defineUpdate<DisclosureState, [CheckRequest]>('disclosure.check'),
  resubmit: defineUpdate<DisclosureState, [ResubmitRequest]>('disclosure.resubmit'),
  takedown: defineUpdate<DisclosureState, [TakedownRequest]>('disclosure.takedown'),
  correct: defineUpdate<DisclosureState, [CorrectRequest]>('disclosure.correct'),
} as const;

export const correctionStateQuery = defineQuery<CorrectionState>('correctionState');
export const correctionDecisionUpdate = defineUpdate<CorrectionState, [CorrectionDecisionRequest]>('disclosure.correction.decide');
