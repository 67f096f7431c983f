import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The custom search attributes every process sets; supervisors filter on them in the Temporal UI. */
export const UnitKey = defineSearchAttributeKey('Unit', SearchAttributeType.KEYWORD);
export const CaseNumberKey = defineSearchAttributeKey('CaseNumber', SearchAttributeType.KEYWORD);
export const ProcessKindKey = defineSearchAttributeKey('ProcessKind', SearchAttributeType.KEYWORD);
export const StatusKey = defineSearchAttributeKey('Status', SearchAttributeType.KEYWORD);
export const DeadlineKey = defineSearchAttributeKey('Deadline', SearchAttributeType.DATETIME);
export const OverdueKey = defineSearchAttributeKey('Overdue', SearchAttributeType.BOOL);
/** `none`; `yellow` when two working days or less remain; `red` when overdue. */
export const WarningLevelKey = defineSearchAttributeKey('WarningLevel', SearchAttributeType.KEYWORD);
export const DeadlineProvisionalKey = defineSearchAttributeKey('DeadlineProvisional', SearchAttributeType.BOOL);

export const ALL_SEARCH_ATTRIBUTE_KEYS = [
  UnitKey,
  CaseNumberKey,
  ProcessKindKey,
  StatusKey,
  DeadlineKey,
  OverdueKey,
  WarningLevelKey,
  DeadlineProvisionalKey,
] as const;

export type WarningLevel = 'none' | 'yellow' | 'red';
export type ProcessKind = 'legal-review' | 'case-file' | 'av-record' | 'enforcement' | 'disclosure' | 'rollout' | 'rollout-step' | 'inspection' | 'statistics' | 'basis-change';

/**
 * The attributes a process has from its first moment: set by whoever starts it (the API's start
 * outbox, a parent's startChild), never upserted later, so the Temporal UI finds it at once.
 */
export function initialSearchAttributes(kind: ProcessKind, unit: string, caseNumber: string, status: string) {
  return [
    { key: UnitKey, value: unit },
    { key: CaseNumberKey, value: caseNumber },
    { key: ProcessKindKey, value: kind },
    { key: StatusKey, value: status },
  ] as const;
}
