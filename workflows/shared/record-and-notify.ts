// Workflow-side access to the case record and to notifications (activities run in the worker).
import { ActivityFailure, log, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { createDigestActivities } from '../../activities/digest';
import type { createDocumentActivities } from '../../activities/documents';
import type { createNotificationActivities, NotifyInput } from '../../activities/notifications';
import type { CaseRecordInput, createRecordActivities } from '../../activities/records';
import { formatShanghaiInstant } from '../../domain/dates';
import { DeadlineKey, DeadlineProvisionalKey, OverdueKey, WarningLevelKey } from '../search-attributes';

type RecordActivities = ReturnType<typeof createRecordActivities> & ReturnType<typeof createDocumentActivities> & ReturnType<typeof createDigestActivities>;

// The record must be written: retried until the database takes it.
const records = proxyActivities<RecordActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * Deliveries are retried for about an hour (a unit's webhook or mail server may be down); the
 * inbox copy is stored on the first attempt, and whatever is still undelivered stays visible in
 * GET /api/notifications?status=failed.
 */
export const NOTIFY_RETRY = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 12 } as const;
const notifications = proxyActivities<ReturnType<typeof createNotificationActivities>>({
  startToCloseTimeout: '1 minute',
  retry: NOTIFY_RETRY,
});

export const { appendCaseRecord, storeDocument, supervisingUnitOf } = records;

/** Tells a unit something; a delivery that never succeeds does not stop the process. */
export async function tell(input: NotifyInput): Promise<{ notificationId: string; channels: string[] } | undefined> {
  try {
    return await notifications.notify(input);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    log.warn('notification not fully delivered after retries', { idempotencyKey: input.idempotencyKey, error: err.cause?.message ?? err.message });
    return undefined;
  }
}

/** Tells the unit and, when it has one, its supervising unit (司法行政部门 / 上级机关). */
export async function escalate(input: Omit<NotifyInput, 'kind'>): Promise<string[]> {
  const supervisor = await supervisingUnitOf(input.unit);
  const recipients = supervisor ? [input.unit, supervisor] : [input.unit];
  await Promise.all(recipients.map((unit) => tell({ ...input, kind: 'escalation', unit, idempotencyKey: `${input.idempotencyKey}:${unit}` })));
  return recipients;
}

export type { CaseRecordInput, NotifyInput };

/** 'YYYY-MM-DD HH:mm' in Shanghai time, for summaries and notification texts. */
export function shanghaiMinute(instant: string): string {
  return formatShanghaiInstant(instant).replace('T', ' ').slice(0, 16);
}

/**
 * After a LegalDeadline's wait has ended: the workflow no longer runs against a deadline, so the
 * digest and supervisors' queries (WarningLevel, Overdue) must stop listing it.
 */
export function clearDeadlineAttributes(): void {
  upsertSearchAttributes([
    { key: WarningLevelKey, value: 'none' },
    { key: OverdueKey, value: false },
    { key: DeadlineKey, value: null },
    { key: DeadlineProvisionalKey, value: null },
  ]);
}
