import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Mailer, postWebhook } from '../infra/notification-channels';
import { DeliveryBusyError, NotificationStore, NOTIFICATION_KINDS, type StoredNotification } from '../infra/notification-store';
import type { ActivityDeps } from './index';
import { permanentUnlessTransient } from './records';

export interface NotifyInput {
  /** per notification; each channel delivery is keyed by it + channel */
  idempotencyKey: string;
  /** the recipient unit (its inbox, webhook, email) */
  unit: string;
  /** optional person within the unit */
  recipientPerson?: string;
  kind: 'reminder' | 'escalation' | 'info' | 'action_required';
  subject: string;
  body: string;
  link?: { workflowId?: string; caseNumber?: string; path?: string };
}

/** The address a notification's link points to, when the service knows its public address. */
function linkUrl(baseUrl: string | undefined, n: StoredNotification): string | undefined {
  if (!baseUrl || !n.link) return undefined;
  const path = n.link.path ?? (n.link.caseNumber ? `/api/cases/${encodeURIComponent(n.link.caseNumber)}?unit=${encodeURIComponent(n.unit)}` : undefined);
  return path ? new URL(path, baseUrl).toString() : undefined;
}

/** The Temporal attempt number, when running as an activity. */
function currentAttempt(): number | undefined {
  try {
    return activityInfo().attempt;
  } catch {
    return undefined;
  }
}

export function createNotificationActivities(deps: ActivityDeps) {
  const store = new NotificationStore(deps.pool);
  const mailer = deps.config.SMTP_URL ? new Mailer(deps.config.SMTP_URL, deps.config.SMTP_FROM) : undefined;

  return {
    /**
     * THE way a workflow tells a unit or person something: the unit's inbox at once, then its
     * webhook and email if configured. A channel that fails makes the activity fail, so Temporal
     * retries it; channels already delivered are never delivered again.
     */
    async notify(input: NotifyInput): Promise<{ notificationId: string; channels: string[] }> {
      let recorded: Awaited<ReturnType<NotificationStore['record']>>;
      try {
        if (!NOTIFICATION_KINDS.includes(input.kind)) throw new RangeError(`kind: unknown notification kind ${JSON.stringify(input.kind)}`);
        if (!input.idempotencyKey?.trim()) throw new RangeError('idempotencyKey: required');
        recorded = await store.record(input, { emailEnabled: mailer !== undefined });
      } catch (err) {
        if ((err as { code?: string }).code === '23503') throw ApplicationFailure.nonRetryable(`unit ${input.unit} does not exist`, 'UnknownUnit');
        return permanentUnlessTransient(err);
      }
      const { notification, deliveries } = recorded;
      const url = linkUrl(deps.config.PUBLIC_BASE_URL, notification);
      const failures: string[] = [];
      for (const delivery of deliveries) {
        if (delivery.status === 'delivered' || delivery.channel === 'inbox') continue;
        try {
          const outcome = await store.attempt(notification.id, delivery.channel, async (current) => {
            if (current.channel === 'webhook') {
              const { webhookSecret } = await store.channelsOf(notification.unit);
              if (!webhookSecret) throw new Error(`unit ${notification.unit} no longer has a webhook secret`);
              await postWebhook({ url: current.target, secret: webhookSecret, notification, linkUrl: url, attempt: current.attempts + 1 });
            } else if (current.channel === 'email') {
              if (!mailer) throw new Error('SMTP_URL is no longer configured');
              await mailer.send({ to: current.target, notification, linkUrl: url });
            }
          });
          if (outcome.error) failures.push(`${delivery.channel}: ${outcome.error.message}`);
        } catch (err) {
          if (!(err instanceof DeliveryBusyError)) throw err;
          failures.push(`${delivery.channel}: ${err.message}`);
        }
      }
      if (failures.length) {
        deps.log.warn({ notificationId: notification.id, attempt: currentAttempt(), failures }, 'notification delivery failed; Temporal will retry');
        throw ApplicationFailure.retryable(`notification ${notification.id} not delivered: ${failures.join('; ')}`, 'DeliveryFailed');
      }
      return { notificationId: notification.id, channels: deliveries.map((d) => d.channel) };
    },
  };
}
