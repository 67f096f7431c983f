// The case file (执法全过程记录, 本政办发〔2019〕33号): the shapes the workflow keeps, the projection stores
// and the API returns. Pure types: imported by domain rules, workflows and the API alike.
import type { RecordStageName } from '../../infra/case-record-store';

export type WarningLevel = 'none' | 'yellow' | 'red';

/** The case-record stage an entry belongs to. */
export type RecordStage = RecordStageName;

/** How the case file starts: the stored `cases` row (the API's start outbox passes exactly this). */
export interface CaseFileInput {
  unit: string;
  caseNumber: string;
  title: string;
  urgent: boolean;
  openedBy: string;
  /** 立案 time as stored in `cases.opened_at` (ISO-8601). */
  openedAt: string;
}

export type CaseFileStatus = 'open' | 'enforcement_ended' | 'archived';

export interface UrgentApproval {
  /** 第八条: an urgent start is approved by the head within 24 hours afterwards. */
  status: 'pending' | 'approved';
  deadline?: string;
  /** yellow while the 24 hours run (their whole window is the last day), red once passed. */
  level?: WarningLevel;
  overdue: boolean;
  escalations: number;
  approvedBy?: string;
  /** Workflow time of the approval (what `late` is judged on). */
  approvedAt?: string;
  /** The time the caller reported, stored as reported and never used for deadlines. */
  reportedAt?: string;
  late?: boolean;
}

export interface AvRecordSummary {
  n: number;
  ref: string;
  stage: RecordStage;
  madeAt: string;
  returnedAt?: string;
  sha256?: string;
  registeredBy: string;
  /** Workflow time of the registration. */
  registeredAt: string;
  reportedAt?: string;
  workflowId: string;
  status: 'pending' | 'stored';
  storedBy?: string;
  /** Workflow time the case file accepted "stored". */
  storedAt?: string;
  storedReportedAt?: string;
  /** The record's 24-hour clock, as its child workflow last reported it (by signal). */
  deadline?: string;
  basis?: string;
  level?: WarningLevel;
  escalations?: number;
  /** Known once the record's clock has finished. */
  late?: boolean;
}

export interface ArchiveClock {
  deadline: string;
  lastDay: string;
  basis: string;
  provisional: boolean;
  level: WarningLevel;
  escalations: number;
}

export interface CaseFileState {
  unit: string;
  caseNumber: string;
  title: string;
  status: CaseFileStatus;
  urgent: boolean;
  openedBy: string;
  openedAt: string;
  urgentApproval?: UrgentApproval;
  avRecords: AvRecordSummary[];
  enforcementEndedAt?: string;
  archiveDeadline?: ArchiveClock;
  archivedAt?: string;
  archivedBy?: string;
  archivedReportedAt?: string;
  archivedLate?: boolean;
  /** Bumped on every change of this state; the projection keeps the newest. */
  revision: number;
}

/** What an AV-record child tells its case file (by signal): its clock, its level, its outcome. */
export interface AvRecordReport {
  n: number;
  deadline?: string;
  basis?: string;
  level: WarningLevel;
  escalations: number;
  outcome?: AvRecordOutcome;
}

export interface AvRecordOutcome {
  storedAt: string;
  storedBy: string;
  /** Stored after the 24 hours had run out. */
  late: boolean;
  escalations: number;
}

/** The `cases` row as the workflow writes it (activities/cases.ts). */
export interface CaseFileProjection {
  workflowId: string;
  runId: string;
  /** When this run started (informational). */
  runStartedAt: string;
  /** Workflow time at which `view` was taken: with `view.revision`, the newest report wins. */
  asOf: string;
  view: CaseFileState;
}

/** Who acts; a time the caller reports is stored as reported, never trusted (workflow time decides). */
export interface ActionBy {
  /** The person acting (from the token). */
  by: string;
  /** When the caller says the action happened (ISO-8601): stored as reported, never trusted. */
  reportedAt?: string;
}

export interface RegisterAvRecordRequest extends ActionBy {
  ref: string;
  /** When the recording was made (a fact the 24 hours run from). */
  madeAt: string;
  /** Field work far from the unit: the 24 hours run from the return (第三十二条). */
  returnedAt?: string;
  sha256?: string;
  stage: RecordStage;
}

export type ApproveUrgentStartRequest = ActionBy & { note?: string };
export type MarkAvRecordStoredRequest = ActionBy & { n: number; sha256?: string };
/** `endedAt` is the fact the 30 archive days run from; it may not lie ahead of workflow time. */
export type EnforcementEndedRequest = ActionBy & { endedAt: string; note?: string };
export type ArchiveCaseRequest = ActionBy;

/** The registered record; `created` is false when the same registration was already known. */
export type RegisterAvRecordResult = AvRecordSummary & { created: boolean };
