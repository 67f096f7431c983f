import { condition, defineQuery, defineUpdate, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { setCurrentDetails } from './shared/details';
import { CaseNumberKey, ProcessKindKey, StatusKey, UnitKey } from './search-attributes';

export interface CaseFileInput {
  unit: string;
  caseNumber: string;
  title: string;
  urgent: boolean;
  openedBy: string;
  openedAt: string;
}

export type CaseFileStatus = 'open' | 'archived';

export interface CaseFileState {
  unit: string;
  caseNumber: string;
  title: string;
  status: CaseFileStatus;
  urgent: boolean;
  openedAt: string;
  archivedAt?: string;
}

export const caseFileStateQuery = defineQuery<CaseFileState>('caseFileState');
export const archiveCaseUpdate = defineUpdate<CaseFileState, [{ by: string; at: string }]>('archiveCase');

export const caseFileWorkflowId = (unit: string, caseNumber: string) => `case-${unit}-${caseNumber}`;

/** The life of one case file (全过程记录): opened, worked on, archived. */
export async function caseFileWorkflow(input: CaseFileInput): Promise<CaseFileState> {
  const state: CaseFileState = {
    unit: input.unit,
    caseNumber: input.caseNumber,
    title: input.title,
    status: 'open',
    urgent: input.urgent,
    openedAt: input.openedAt,
  };
  upsertSearchAttributes([
    { key: UnitKey, value: input.unit },
    { key: CaseNumberKey, value: input.caseNumber },
    { key: ProcessKindKey, value: 'case-file' },
    { key: StatusKey, value: state.status },
  ]);
  setCurrentDetails({ step: '办理中', who: input.unit });

  setHandler(caseFileStateQuery, () => state);
  setHandler(
    archiveCaseUpdate,
    ({ at }) => {
      state.status = 'archived';
      state.archivedAt = at;
      upsertSearchAttributes([{ key: StatusKey, value: 'archived' }]);
      return state;
    },
    {
      validator: (_request) => {
        if (state.status !== 'open') throw new Error(`case ${workflowInfo().workflowId} is already ${state.status}`);
      },
    },
  );

  await condition(() => state.status === 'archived');
  setCurrentDetails({ step: '已归档', who: input.unit });
  return state;
}
