import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Every database activity: retried while the database is away, but not for ever. After the
 * schedule-to-close limit the activity fails and the process waits visibly (its Status stays, the
 * Temporal UI shows the failure). Errors no retry can fix are thrown non-retryable by the activity
 * (`permanentUnlessTransient`).
 */
export const DB_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['IdempotencyKeyReusedError', 'RangeError', 'ValidationError'] },
};

/**
 * Notifications: started, never awaited by a handler. The `notify` activity stores the notice (the
 * inbox copy and the delivery outbox) and returns; deliveries have their own retries outside the
 * process, and failures stay visible in GET /api/notifications?status=failed.
 */
export const NOTIFY_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
};
