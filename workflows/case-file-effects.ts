// Workflow-side helpers the case file and its AV records share (no handlers, no state).
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createCaseActivities } from '../activities/cases';
import type { createDigestActivities } from '../activities/digest';
import type { CaseFileState } from '../domain/case-file/types';
import { formatShanghaiInstant } from '../domain/dates';
import { DB_ACTIVITY } from './kit/activity-options';

const db = proxyActivities<ReturnType<typeof createCaseActivities> & Pick<ReturnType<typeof createDigestActivities>, 'supervisingUnitOf'>>(DB_ACTIVITY);

/** The unit and, when it has one, its supervising unit (司法行政部门 / 上级机关): who an escalation goes to. */
export async function escalationRecipients(unit: string): Promise<string[]> {
  const supervisor = await db.supervisingUnitOf(unit);
  return supervisor ? [unit, supervisor] : [unit];
}

/** Writes the case file's `cases` row; stamped with this run and the workflow time (newest wins). */
export async function projectCaseFile(view: CaseFileState): Promise<void> {
  const info = workflowInfo();
  await db.projectCaseFile({ workflowId: info.workflowId, runId: info.runId, runStartedAt: info.runStartTime.toISOString(), asOf: new Date().toISOString(), view });
}

/** 'YYYY-MM-DD HH:mm' in Shanghai time, for summaries and notification texts. */
export const shanghaiMinute = (instant: string) => formatShanghaiInstant(instant).replace('T', ' ').slice(0, 16);
