// Workflow-side notifications for the daily digest (the processes notify through the kit).
import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import type { createNotificationActivities, NotifyInput } from '../../activities/notifications';

/**
 * Deliveries are retried for about an hour (a unit's webhook or mail server may be down); the
 * inbox copy is stored on the first attempt, and whatever is still undelivered stays visible in
 * GET /api/notifications?status=failed.
 */
const NOTIFY_RETRY = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 12 } as const;
const notifications = proxyActivities<ReturnType<typeof createNotificationActivities>>({
  startToCloseTimeout: '1 minute',
  retry: NOTIFY_RETRY,
});

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
