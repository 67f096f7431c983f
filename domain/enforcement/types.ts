// 催告 → 强制执行 (domain spec §3): the shapes the enforcement workflow keeps, the projection stores and
// the API returns. Pure types. No personal data: the party's name, id number, phone and address stay
// in Postgres (`decisions.party`); workflow inputs, state and results carry ids and case numbers only.
import type { RecordStage } from '../case-record';

export type WarningLevel = 'none' | 'yellow' | 'red';
export type { RecordStage };

export const DECISION_KINDS_FOR_ENFORCEMENT = ['penalty', 'permit', 'compulsion', 'levy', 'inspection', 'other'] as const;
export type DecisionKind = (typeof DECISION_KINDS_FOR_ENFORCEMENT)[number];

/** Money is an integer number of fen everywhere. */
export type Obligation =
  | { kind: 'fine'; amountFen: number }
  | { kind: 'correction'; description: string; dueDate: string }
  | { kind: 'other'; description: string; dueDate: string };

export type EnforcementPower = 'own' | 'court';

export const SERVICE_METHODS = ['direct', 'registered_mail', 'left_at_residence', 'entrusted', 'forwarded', 'announcement'] as const;
export type ServiceMethod = (typeof SERVICE_METHODS)[number];

/** How the enforcement workflow starts: ids and facts only (the stored start input). */
export interface EnforcementInput {
  enforcementId: string;
  decisionId: string;
  unit: string;
  caseNumber: string;
  decisionNumber: string;
  decisionKind: DecisionKind;
  obligation: Obligation;
  enforcementPower: EnforcementPower;
  /** When the decision's service took effect (the first successful service; an announcement 30 days after it). */
  servedAt: string;
  serviceMethod: ServiceMethod;
  /** Who recorded the service (a person id). */
  startedBy: string;
}

export type Stage =
  | 'awaiting_performance'
  | 'demand_issued'
  | 'demand_served'
  | 'enforcement_decided'
  | 'court_applied'
  | 'in_agreement'
  | 'suspended'
  // final
  | 'performed'
  | 'executed'
  | 'court_ruled'
  | 'terminated'
  | 'ended';

export const FINAL_STAGES: readonly Stage[] = ['performed', 'executed', 'court_ruled', 'terminated', 'ended'];

export interface DocumentRef {
  kind: string;
  documentId: string;
  sha256: string;
  at: string;
}

export interface Payment {
  n: number;
  amountFen: number;
  paidAt: string;
  receipt: string;
  by: string;
}

export interface ServiceFacts {
  method: ServiceMethod;
  servedAt: string;
  /**
   * The method's proof fields. Through the API these stay EMPTY in the workflow: the facts (who
   * signed, the witness, …: personal data) are stored as the 送达回证 document in Postgres and only
   * `receipt` travels; `proofFields` names what it records.
   */
  proof: Record<string, string>;
  receipt?: { documentId: string; sha256: string };
  proofFields?: string[];
  failed?: boolean;
  failureReason?: string;
}

export interface Demand {
  n: number;
  issuedAt: string;
  issuedBy: string;
  documentId: string;
  sha256: string;
  performWithinDays: number;
  /** 代履行's further 催告 (第五十一条): 3 working days. */
  purpose: 'demand' | 'substitute_performance';
  services: ServiceFacts[];
  servedAt?: string;
  /** End of the period the 催告 gives (ISO +08:00), and its last day. */
  deadline?: string;
  lastDay?: string;
}

export interface Statement {
  n: number;
  text: string;
  at: string;
  by: string;
  review?: { adopted: 'all' | 'partly' | 'none'; reasons: string; at: string; by: string };
}

export interface EnforcementDecisionFacts {
  method: 'surcharge' | 'transfer_deposits' | 'auction' | 'remove_obstruction' | 'substitute_performance' | 'other';
  executeAt: string;
  emergency?: { reason: string };
  immediate?: { evidence: string };
  at: string;
  by: string;
  documentId: string;
  sha256: string;
}

export interface CourtWindow {
  /** First and last day on which an application may be filed (YYYY-MM-DD). */
  earliestFiling: string;
  latestFiling: string;
  remedyPeriodsEnd: string;
  demandWaitEnds: string;
  basis: string;
}

export interface Agreement {
  at: string;
  by: string;
  stages: { dueDate: string; amountFen?: number; description?: string }[];
  surchargeReductionFen: number;
  remedialMeasures?: string;
  broken?: { at: string; by: string; reason: string };
}

export interface Deferral {
  at: string;
  approvedBy: string;
  application: string;
  /** New last day of the fine (deferral) or of the last instalment. */
  dueDate: string;
  instalments?: { dueDate: string; amountFen: number }[];
}

export interface ClockView {
  /** What the clock counts down: the performance deadline, the 催告 period, the latest court filing, an agreement stage. */
  kind: 'performance' | 'demand' | 'court_filing' | 'agreement' | 'correction_check';
  deadline: string;
  lastDay: string;
  basis: string;
  level: WarningLevel;
}

export interface EnforcementState {
  enforcementId: string;
  decisionId: string;
  unit: string;
  caseNumber: string;
  decisionNumber: string;
  decisionKind: DecisionKind;
  obligation: Obligation;
  enforcementPower: EnforcementPower;
  servedAt: string;
  serviceMethod: ServiceMethod;
  stage: Stage;
  /** Stage before a suspension or an agreement (resumed to). */
  resumeStage?: Stage;
  /** The performance deadline's last day (fine: 15 days after service, rest-day rule; others: their due date). */
  performanceLastDay?: string;
  performanceDeadline?: string;
  performanceBasis?: string;
  payments: Payment[];
  deferral?: Deferral;
  agreement?: Agreement;
  correctionCheck?: { checkedAt: string; corrected: boolean; note: string; by: string };
  demands: Demand[];
  statements: Statement[];
  court?: CourtWindow;
  courtApplication?: { filedAt: string; court: string; documents: string[]; by: string };
  courtRuling?: { ruledAt: string; outcome: string; by: string };
  decision?: EnforcementDecisionFacts;
  executions: { executedAt: string; result: string; avRecordId: string; by: string }[];
  suspension?: { ground: string; since: string; by: string };
  suspensions: { ground: string; since: string; until?: string }[];
  termination?: { ground: string; at: string; by: string; note?: string };
  endedAt?: string;
  clock?: ClockView;
  overdue: boolean;
  escalations: number;
  documents: DocumentRef[];
  /** The case file has been told its enforcement ended. */
  caseFileTold?: boolean;
  revision: number;
}

/** The `enforcements` row as the workflow writes it. */
export interface EnforcementProjection {
  workflowId: string;
  runId: string;
  runStartedAt: string;
  asOf: string;
  view: EnforcementState;
}

export interface ActionBy {
  by: string;
}

export type PaymentRequest = ActionBy & { amountFen: number; paidAt: string; receipt: string };
export type DeferralRequest = ActionBy & { application: string; approvedBy: string; dueDate?: string; instalments?: { dueDate: string; amountFen: number }[] };
export type CorrectionCheckRequest = ActionBy & { checkedAt: string; corrected: boolean; note: string };
export type DemandRequest = ActionBy & { performWithinDays?: number; purpose?: 'demand' | 'substitute_performance' };
export type DemandServiceRequest = ActionBy & ServiceFacts;
export type StatementRequest = ActionBy & { text: string; madeAt?: string };
export type StatementReviewRequest = ActionBy & { n: number; adopted: 'all' | 'partly' | 'none'; reasons: string };
export type EnforcementDecisionRequest = ActionBy & {
  method: EnforcementDecisionFacts['method'];
  executeAt: string;
  emergency?: { reason: string };
  immediate?: { evidence: string };
};
export type ExecutionRequest = ActionBy & { executedAt: string; result: string; avRecordId?: string; completed?: boolean };
export type AgreementRequest = ActionBy & { stages: Agreement['stages']; surchargeReductionFen?: number; remedialMeasures?: string };
export type AgreementBrokenRequest = ActionBy & { reason: string };
export type CourtApplicationRequest = ActionBy & { filedAt: string; court: string; documents: string[] };
export type CourtRulingRequest = ActionBy & { ruledAt: string; outcome: 'enforce' | 'refuse' | 'other'; note?: string };
export type SuspensionRequest = ActionBy & { ground: SuspensionGround; note?: string };
export type ResumptionRequest = ActionBy & { note?: string };
export type TerminationRequest = ActionBy & { ground: TerminationGround; note?: string };

/** 行政强制法 第三十九条. */
export const SUSPENSION_GROUNDS = ['hardship_no_ability', 'third_party_claim', 'irreparable_loss', 'other'] as const;
export type SuspensionGround = (typeof SUSPENSION_GROUNDS)[number];
/** 行政强制法 第四十条. */
export const TERMINATION_GROUNDS = ['person_died_no_estate', 'organisation_ended_no_property', 'object_perished', 'decision_revoked', 'other'] as const;
export type TerminationGround = (typeof TERMINATION_GROUNDS)[number];
