// 公示 (domain spec §4; 本政办发〔2019〕35号): one disclosure item per decision (and per change of
// it, and per random-inspection result). The workflow carries ids and facts only: the party's data
// stays in Postgres (decisions.party), and the public view is built from it by an activity.
import type { DisclosureKind, DisclosureSource, Jurisdiction } from './rules';

export type { DisclosureKind, DisclosureSource, Jurisdiction } from './rules';

export const DISCLOSURE_STATUSES = ['pending_check', 'returned', 'published', 'taken_down'] as const;
export type DisclosureStatus = (typeof DISCLOSURE_STATUSES)[number];

/** Why an item leaves the portal: 第二十九条 (revoked, confirmed unlawful, to be remade; retention over), or a newer item replaced it. */
export const TAKEDOWN_REASONS = ['revoked', 'confirmed_unlawful', 'to_be_remade', 'period_expired', 'superseded'] as const;
export type TakedownReason = (typeof TAKEDOWN_REASONS)[number];
/** The reasons a person may give (period_expired is the timer's). */
export const MANUAL_TAKEDOWN_REASONS = ['revoked', 'confirmed_unlawful', 'to_be_remade', 'superseded'] as const;

/** What a checker may change before publishing; already MASKED by the API (public text only). */
export interface ContentCorrections {
  content?: string;
  result?: string;
}

export interface DisclosureInput {
  disclosureId: string;
  unit: string;
  jurisdiction: Jurisdiction;
  caseNumber: string;
  /** 1 for the decision, 2, 3 … for each change. */
  n: number;
  source: DisclosureSource;
  kind: DisclosureKind;
  decisionId: string | null;
  decisionNumber: string | null;
  /** When the information was formed or changed (decision date, change date, inspection end): the period runs from here. */
  from: string;
  /** Who recorded the decision: may not be the checker (第三十一条, separation of duties). */
  recordedBy: string;
  partyKind: 'person' | 'organisation' | null;
}

export interface CheckRequest {
  by: string;
  approve: boolean;
  note: string;
  corrections?: ContentCorrections;
}
export interface ResubmitRequest {
  by: string;
  note: string;
  corrections?: ContentCorrections;
}
/** A correction decided on a request (第三十二条), applied to the item (published or not). */
export interface CorrectRequest {
  by: string;
  correctionId: string;
  corrections: ContentCorrections;
}
export interface TakedownRequest {
  by: string;
  reason: (typeof MANUAL_TAKEDOWN_REASONS)[number];
  explanation: string;
}

export interface ClockView {
  deadline: string;
  lastDay: string;
  basis: string;
  level: 'none' | 'yellow' | 'red';
}

export interface DisclosureState {
  disclosureId: string;
  unit: string;
  jurisdiction: Jurisdiction;
  caseNumber: string;
  n: number;
  source: DisclosureSource;
  kind: DisclosureKind;
  decisionId: string | null;
  decisionNumber: string | null;
  from: string;
  recordedBy: string;
  partyKind: 'person' | 'organisation' | null;
  status: DisclosureStatus;
  rule: { statute: string; period: string; basis: string };
  clock?: ClockView;
  overdue: boolean;
  escalations: number;
  checks: Array<{ by: string; at: string; approve: boolean; note: string; corrected: boolean }>;
  returnedReason?: string;
  corrections?: ContentCorrections;
  publishedAt?: string;
  /** Automatic takedown: end of the retention's last day (2y person / 5y otherwise, 第二十九条, not extended). */
  takedownAt?: string;
  takedownBasis?: string;
  takenDownAt?: string;
  takedownReason?: TakedownReason;
  takedownExplanation?: string;
  takenDownBy?: string;
  /** Published late (after the deadline): for the statistics. */
  publishedLate?: boolean;
  revision: number;
}

/** What the workflow hands the projection activity (ids and public facts only). */
export interface DisclosureProjection {
  workflowId: string;
  runId: string;
  runStartedAt: string;
  asOf: string;
  view: DisclosureState;
}

export interface CorrectionInput {
  correctionId: string;
  disclosureId: string;
  unit: string;
  caseNumber: string;
  receivedAt: string;
}
export interface CorrectionDecisionRequest {
  by: string;
  outcome: 'corrected' | 'rejected';
  reason: string;
  /** corrected: the masked new text, applied to the item. */
  corrections?: ContentCorrections;
}
export interface CorrectionState {
  correctionId: string;
  disclosureId: string;
  unit: string;
  caseNumber: string;
  receivedAt: string;
  status: 'pending' | 'corrected' | 'rejected';
  clock?: ClockView;
  overdue: boolean;
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
  revision: number;
}
