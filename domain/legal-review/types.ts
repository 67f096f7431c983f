// The legal review's domain types (本政办发〔2019〕34号): shared by the reducer, the workflow, the
// activities and the API. No runtime dependencies.
import type { Checklist, DecisionKind, DisputeOutcome, Material, MaterialKind, OpinionKind, Procedure, ReviewerProfile, ReviewScope } from '../review-rules';

/** `none`; `yellow` when two working days or less remain; `red` when overdue. */
export type WarningLevel = 'none' | 'yellow' | 'red';

export interface Party {
  kind: 'person' | 'organisation';
  name: string;
  idNumber?: string;
}

/**
 * What the workflow carries of the party (issue 14: no personal data in Temporal): its kind only.
 * The name and identity number stay in Postgres (`reviews.submission`); the API shows them from
 * there and the 审核意见书 is rendered in an activity that reads them. v1 histories carry the
 * whole party, hence the optional fields.
 */
export interface PartyReference {
  kind: Party['kind'];
  name?: string;
  idNumber?: string;
}

/** The party as the workflow input carries it: the kind, nothing that identifies a person. */
export const partyReference = (party: PartyReference): PartyReference => ({ kind: party.kind });

/** A submission as the workflow receives it: the party reduced to its reference. */
export const workflowInput = <T extends { party: PartyReference }>(stored: T): T => ({ ...stored, party: partyReference(stored.party) });

/** The submission as accepted by the API (and stored in `reviews.submission` before the start). */
export interface LegalReviewInput {
  reviewId: string;
  unit: string;
  caseNumber: string;
  title: string;
  decisionKind: DecisionKind;
  procedure: Procedure;
  scope: ReviewScope;
  sampling: boolean;
  appraisal: boolean;
  /** The API stores the whole `Party` in `reviews.submission`; the workflow gets `partyReference` of it. */
  party: PartyReference;
  /** The decision's own statutory deadline (YYYY-MM-DD): the review never ends after it (unless it had already passed at submission). */
  caseDeadline: string;
  /** Where `caseDeadline` comes from: the case's 立案 date + its statutory period, or the handler's stated basis. */
  caseDeadlineBasis?: string;
  /** The case deadline had already passed when the submission arrived: the handling unit's lateness, not the legal office's. */
  caseDeadlinePassedAtSubmission?: boolean;
  /** 1 for the first submission of a case; a resubmission after withdrawal or a remade decision gets the next number. */
  submissionNo?: number;
  /** Everyone who handled the case (opened it, acted in it): none of them may review it (办审分离). */
  caseHandlers?: string[];
  interestedPersons: string[];
  materials: Material[];
  /** When the legal office received the submission (ISO-8601): now, or earlier with `receivedAtReason` (补录). */
  receivedAt: string;
  /** Why the receipt lies before the submission (paper files entered later, 补录); recorded. */
  receivedAtReason?: string;
  submittedBy: string;
  /**
   * A joint decision (第四条): the other units deciding with the lead unit (`unit`, whose legal
   * office reviews); each participating unit's legal office records its view in the review.
   */
  jointUnits?: string[];
  /** An entrusted organisation's decision (第四条): the entrusting unit, whose legal office reviews it. */
  entrustingUnit?: string;
}

export type ReviewStatus =
  | 'awaiting_materials'
  | 'awaiting_assignment'
  | 'in_review'
  | 'extension_requested'
  | 'returned'
  | 'disputed'
  | 'passed'
  | 'overruled'
  | 'withdrawn';

/** Statuses after which the review takes no more actions (the workflow completes). */
export const FINAL_REVIEW_STATUSES: readonly ReviewStatus[] = ['passed', 'overruled', 'withdrawn'];

export interface Opinion {
  kind: OpinionKind;
  checklist: Checklist;
  text: string;
  by: string;
  at: string;
  /** The stored 审核意见书. */
  document?: { documentId: string; sha256: string };
  /** Given after the deadline had passed. */
  late: boolean;
}

export interface ExtensionRequest {
  reason: string;
  by: string;
  at: string;
  decision?: { approve: boolean; note: string; by: string; at: string };
}

export interface Dispute {
  reason: string;
  by: string;
  at: string;
  decision?: {
    outcome: DisputeOutcome;
    /** For `collective`: what the collective discussion decided. */
    collectiveOutcome?: 'uphold' | 'overrule';
    meetingRecordRef?: string;
    reasons: string;
    by: string;
    at: string;
  };
}

export interface ReviewRound {
  round: number;
  /** When this round's submission became complete (the clock's start); null while incomplete. */
  receivedAt: string | null;
  materials: Material[];
  missing: MaterialKind[];
  deadline: string | null;
  lastDay: string | null;
  deadlineBasis: string | null;
  deadlineCapped: boolean;
  deadlineProvisional: boolean;
  /** Overdue escalations sent in this round. */
  escalations: number;
  extension: ExtensionRequest | null;
  opinion: Opinion | null;
  dispute: Dispute | null;
  note?: string;
  /** What the reviewer asked for (第十条) and is not yet supplied; the clock restarts from complete receipt. */
  requested?: MaterialRequestItem[];
  /** Why this round began: a resubmission after a return, or the reviewer's request for materials. */
  cause?: 'submitted' | 'resubmitted' | 'materials_requested';
}

export interface MaterialRequestItem {
  kind: MaterialKind;
  /** What exactly is needed, e.g. 情况说明未写明裁量基准. */
  what: string;
}

/** A participating unit's view in a joint decision's review (第四条). */
export interface ParticipantView {
  unit: string;
  by: string;
  agrees: boolean;
  text: string;
  at: string;
}

/** The decision recorded through the review (第二条, 第十四条): after the opinion, its two copies and any overruling. */
export interface RecordedDecision {
  decisionNumber: string;
  decidedAt: string;
  draftSha256: string | null;
  by: string;
  recordedAt: string;
  /** review_passed | head_overruled | collective_overruled */
  basis: 'review_passed' | 'head_overruled' | 'collective_overruled';
}

export interface ReviewEvent {
  at: string;
  actor: string;
  action: string;
  summary: string;
}

/** What GET /api/reviews/:id shows and the projection stores. */
export interface ReviewView {
  id: string;
  workflowId: string;
  unit: string;
  caseNumber: string;
  title: string;
  decisionKind: DecisionKind;
  procedure: Procedure;
  /** From the workflow: the reference; the API overlays the stored party. */
  party: PartyReference;
  caseDeadline: string;
  caseDeadlineBasis?: string;
  /** The case deadline had passed at submission: the handling unit's lateness (第十六条). */
  caseDeadlinePassedAtSubmission: boolean;
  /** Which submission of the case this review is (1, 2, … after a withdrawal or a remade decision). */
  submissionNo: number;
  interestedPersons: string[];
  submittedBy: string;
  status: ReviewStatus;
  round: number;
  reviewer: string | null;
  deadline: string | null;
  lastDay: string | null;
  overdue: boolean;
  warningLevel: WarningLevel;
  escalations: number;
  extended: boolean;
  missingMaterials: MaterialKind[];
  opinion: Opinion | null;
  dispute: Dispute | null;
  /** Set when the head or a collective discussion overruled the legal office (第十六条 accountability). */
  flagged: boolean;
  flagReason: string | null;
  recusals: Array<{ personId: string; reason: string; at: string }>;
  /** Joint decision: the participating units and the views recorded so far (第四条). */
  jointUnits: string[];
  participantViews: ParticipantView[];
  /** Entrusted decision: the entrusting unit whose legal office reviews (第四条). */
  entrustingUnit: string | null;
  /** The decision recorded through this review, once made. */
  decision: RecordedDecision | null;
  rounds: ReviewRound[];
  history: ReviewEvent[];
  /** Increases with every change; the projection keeps the newest. */
  revision: number;
}

/**
 * What the projection stores: the view without its event list, which the case record holds (so
 * the activity input, kept in history on every change, does not grow with the history itself).
 */
export type ProjectedReview = Omit<ReviewView, 'history'>;

export interface AddMaterialsRequest {
  by: string;
  materials: Material[];
  note?: string;
}
export interface AssignReviewerRequest {
  by: string;
  /** The assigner acts as the legal office's lead (`legal_office_lead`) or the head: needed to assign oneself or take over another's review. */
  byLead?: boolean;
  reviewerId: string;
  /** Everyone who handled the case, as the case file and its record show at the time of the assignment (办审分离). */
  caseHandlers?: string[];
  /** The candidate's profile as stored when the assignment was asked for (validators do no I/O). */
  profile: ReviewerProfile | null;
}
export interface RecusalRequest {
  by: string;
  reason: string;
}
/** The head orders a person to withdraw from the case (第十五条: 决定回避). */
export interface RecusalOrderInput {
  by: string;
  personId: string;
  reason: string;
}
export interface ExtensionRequestInput {
  by: string;
  reason: string;
}
export interface ExtensionDecisionInput {
  by: string;
  approve: boolean;
  note: string;
}
export interface OpinionInput {
  by: string;
  kind: OpinionKind;
  checklist: Checklist;
  text: string;
}
export interface ResubmissionInput {
  by: string;
  materials: Material[];
  note: string;
}
export interface DisputeInput {
  by: string;
  reason: string;
}
export interface DisputeDecisionInput {
  by: string;
  outcome: DisputeOutcome;
  reasons: string;
  meetingRecordRef?: string;
  collectiveOutcome?: 'uphold' | 'overrule';
}
export interface MaterialsRequestInput {
  by: string;
  items: MaterialRequestItem[];
  note?: string;
}
export interface ParticipantViewInput {
  by: string;
  /** The participating unit the person speaks for (their own unit). */
  unit: string;
  agrees: boolean;
  text: string;
}
export interface RecordDecisionInput {
  by: string;
  decisionNumber: string;
  decidedAt: string;
  /** The SHA-256 of the decision's text: must be the reviewed draft's (a different text needs a new review). */
  draftSha256?: string;
}
export interface WithdrawalInput {
  by: string;
  reason: string;
}

/** The user actions (one Update each) and what the caller sends with them. */
export interface ActionArgs {
  addMaterials: AddMaterialsRequest;
  assignReviewer: AssignReviewerRequest;
  declareRecusal: RecusalRequest;
  orderRecusal: RecusalOrderInput;
  requestExtension: ExtensionRequestInput;
  decideExtension: ExtensionDecisionInput;
  giveOpinion: OpinionInput;
  resubmit: ResubmissionInput;
  dispute: DisputeInput;
  decideDispute: DisputeDecisionInput;
  withdraw: WithdrawalInput;
  requestMaterials: MaterialsRequestInput;
  participantView: ParticipantViewInput;
  recordDecision: RecordDecisionInput;
}
export type ActionName = keyof ActionArgs;
