import { ApplicationFailure } from '@temporalio/common';
import { IdempotencyKeyReusedError } from '../infra/case-record-store';
import { NotificationStore, NOTIFICATION_KINDS } from '../infra/notification-store';
import type { ActivityDeps } from './index';
import { permanentUnlessTransient } from './records';

export interface NotifyInput {
  /** per notification; each channel delivery is keyed by it + channel */
  idempotencyKey: string;
  /** the recipient unit (its inbox, webhook, email) */
  unit: string;
  /** optional person within the unit */
  recipientPerson?: string;
  /** optional role within the unit (head, legal_office, reviewer, …): the people holding it see it */
  recipientRole?: string;
  kind: 'reminder' | 'escalation' | 'info' | 'action_required';
  subject: string;
  body: string;
  link?: { workflowId?: string; caseNumber?: string; path?: string };
}

export function createNotificationActivities(deps: ActivityDeps) {
  const store = new NotificationStore(deps.pool);

  return {
    /**
     * THE way a workflow tells a unit or person something: a fast enqueue. The notification is
     * stored (that is its inbox copy, visible at once) with one delivery row per further channel
     * (webhook, email); the worker's dispatcher delivers those with its own retries and backoff,
     * so no workflow ever waits for a unit's webhook or mail server. The same key again returns the
     * stored notification; the same key with other content is a non-retryable error.
     */
    async notify(input: NotifyInput): Promise<{ notificationId: string; channels: string[] }> {
      try {
        if (!NOTIFICATION_KINDS.includes(input.kind)) throw new RangeError(`kind: unknown notification kind ${JSON.stringify(input.kind)}`);
        if (!input.idempotencyKey?.trim()) throw new RangeError('idempotencyKey: required');
        const { notification, deliveries } = await store.record(input, { emailEnabled: Boolean(deps.config.SMTP_URL) });
        return { notificationId: notification.id, channels: deliveries.map((d) => d.channel) };
      } catch (err) {
        if ((err as { code?: string }).code === '23503') throw ApplicationFailure.nonRetryable(`unit ${input.unit} does not exist`, 'UnknownUnit');
        if (err instanceof IdempotencyKeyReusedError) throw ApplicationFailure.nonRetryable(err.message, err.name);
        return permanentUnlessTransient(err);
      }
    },
  };
}
