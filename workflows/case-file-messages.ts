// The case file's messages and the shapes they carry, shared by the workflow and the API. Handlers
// use workflow time; a time the caller reports travels as `reportedAt` and is stored as reported,
// never used for deadlines or "late" (review M7).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ApproveUrgentStartRequest,
  ArchiveCaseRequest,
  AvRecordReport,
  AvRecordSummary,
  CaseFileState,
  EnforcementEndedRequest,
  MarkAvRecordStoredRequest,
  RegisterAvRecordRequest,
  RegisterAvRecordResult,
  WarningLevel,
} from '../domain/case-file/types';

export type {
  ActionBy,
  ApproveUrgentStartRequest,
  ArchiveCaseRequest,
  EnforcementEndedRequest,
  MarkAvRecordStoredRequest,
  RegisterAvRecordRequest,
  RegisterAvRecordResult,
  ArchiveClock,
  AvRecordOutcome,
  AvRecordReport,
  AvRecordSummary,
  CaseFileInput,
  CaseFileProjection,
  CaseFileState,
  CaseFileStatus,
  UrgentApproval,
} from '../domain/case-file/types';

export const caseFileWorkflowId = (unit: string, caseNumber: string) => `case-${unit}-${caseNumber}`;
export const avRecordWorkflowId = (unit: string, caseNumber: string, n: number) => `av-${unit}-${caseNumber}-${n}`;

export const caseFileStateQuery = defineQuery<CaseFileState>('caseFileState');
export const approveUrgentStartUpdate = defineUpdate<CaseFileState, [ApproveUrgentStartRequest]>('approveUrgentStart');
export const registerAvRecordUpdate = defineUpdate<RegisterAvRecordResult, [RegisterAvRecordRequest]>('registerAvRecord');
export const markAvRecordStoredUpdate = defineUpdate<AvRecordSummary, [MarkAvRecordStoredRequest]>('markAvRecordStored');
export const enforcementEndedUpdate = defineUpdate<CaseFileState, [EnforcementEndedRequest]>('enforcementEnded');
export const archiveCaseUpdate = defineUpdate<CaseFileState, [ArchiveCaseRequest]>('archiveCase');

/** AV-record child → case file: its clock, level changes and, at the end, its outcome. */
export const avRecordReportSignal = defineSignal<[AvRecordReport]>('avRecordReport');

// The AV-record child's own messages.
export interface AvRecordClock {
  n: number;
  ref: string;
  deadline?: string;
  basis?: string;
  level: WarningLevel;
  escalations: number;
  stored?: { by: string; at: string };
}
/** Case file → AV-record child: the record has been stored (the case file validated it). */
export const avStoredSignal = defineSignal<[{ by: string; at: string }]>('avStored');
export const avRecordClockQuery = defineQuery<AvRecordClock>('avRecordClock');
