import type { Pool } from 'pg';
import type { Config } from './config';
import type { Logger } from './logger';
import { Mailer, postWebhook } from './notification-channels';
import { webhookPolicy, type WebhookTargetPolicy } from './webhook-targets';
import { DEFAULT_DELIVERY_POLICY, NotificationStore, type ClaimedDelivery, type DeliveryPolicy, type StoredNotification } from './notification-store';

/** The address a notification's link points to, when the service knows its public address. */
export function notificationLinkUrl(baseUrl: string | undefined, n: StoredNotification): string | undefined {
  if (!baseUrl || !n.link) return undefined;
  const path = n.link.path ?? (n.link.caseNumber ? `/api/cases/${encodeURIComponent(n.link.caseNumber)}?unit=${encodeURIComponent(n.unit)}` : undefined);
  return path ? new URL(path, baseUrl).toString() : undefined;
}

export interface DispatcherOptions {
  policy?: DeliveryPolicy;
  /** how often due deliveries are looked for when nothing woke the dispatcher */
  pollMs?: number;
  /** deliveries in flight at once (a hanging webhook holds one slot until its timeout) */
  concurrency?: number;
}

/**
 * The delivery outbox's dispatcher (runs in the worker process): takes due webhook and email
 * deliveries, sends each on its own (a webhook that hangs times out after 10 s and blocks nothing
 * else), and stores the outcome with the policy's backoff. Workflows never wait for it: their
 * `notify` activity only stores the notification and its delivery rows.
 */
export class NotificationDispatcher {
  private readonly store: NotificationStore;
  private readonly mailer?: Mailer;
  private readonly policy: DeliveryPolicy;
  private readonly targets: WebhookTargetPolicy;
  private inFlight = 0;
  private stopped = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  private listener?: { release: (destroy?: boolean) => void };

  constructor(
    private readonly pool: Pool,
    private readonly config: Pick<Config, 'SMTP_URL' | 'SMTP_FROM' | 'PUBLIC_BASE_URL'> & Partial<Config>,
    private readonly log: Logger,
    private readonly opts: DispatcherOptions = {},
  ) {
    this.store = new NotificationStore(pool);
    this.mailer = config.SMTP_URL ? new Mailer(config.SMTP_URL, config.SMTP_FROM) : undefined;
    this.policy = opts.policy ?? DEFAULT_DELIVERY_POLICY;
    this.targets = webhookPolicy({ WEBHOOK_ALLOWED_HOSTS: [], PORT: 3000, TEMPORAL_DEV_PORT: 7233, TEMPORAL_UI_PORT: 8233, EMBEDDED_PG_PORT: 54329, ...config });
  }

  start(): void {
    this.loop = this.run();
    // New notifications wake the dispatcher at once (pg_notify in NotificationStore.record).
    void this.pool
      .connect()
      .then(async (client) => {
        if (this.stopped) return client.release(true);
        this.listener = client;
        client.on('notification', () => this.wake?.());
        client.on('error', () => undefined);
        await client.query('LISTEN notification_deliveries');
      })
      .catch((err) => this.log.warn({ err }, 'notification dispatcher: LISTEN failed; polling only'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    this.listener?.release(true);
    this.mailer?.close();
  }

  /** One pass: claims what is due and free slots allow, and starts each delivery (not awaited). */
  async pass(): Promise<number> {
    const free = (this.opts.concurrency ?? 20) - this.inFlight;
    if (free <= 0) return 0;
    const due = await this.store.claimDue(free, 60);
    for (const delivery of due) {
      this.inFlight += 1;
      void this.deliver(delivery).finally(() => {
        this.inFlight -= 1;
        this.wake?.();
      });
    }
    return due.length;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let claimed = 0;
      try {
        claimed = await this.pass();
      } catch (err) {
        this.log.warn({ err }, 'notification dispatcher pass failed');
      }
      if (claimed > 0) continue;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, this.opts.pollMs ?? 500).unref();
      });
    }
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 50));
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    let error: Error | undefined;
    try {
      const url = notificationLinkUrl(this.config.PUBLIC_BASE_URL, d.notification);
      if (d.channel === 'webhook') {
        const { webhookSecret } = await this.store.channelsOf(d.notification.unit);
        if (!webhookSecret) throw new Error(`unit ${d.notification.unit} no longer has a webhook secret`);
        // No connection is held while the request runs: the claim was committed, the outcome is a new query.
        await postWebhook({ url: d.target, secret: webhookSecret, notification: d.notification, linkUrl: url, attempt: d.attempts + 1, policy: this.targets });
      } else if (d.channel === 'email') {
        if (!this.mailer) throw new Error('SMTP_URL is no longer configured');
        await this.mailer.send({ to: d.target, notification: d.notification, linkUrl: url });
      }
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
    }
    try {
      const stored = await this.store.complete(d.notificationId, d.channel, error, this.policy);
      if (error) {
        const level = stored?.nextAttemptAt ? 'warn' : 'error';
        this.log[level]({ notificationId: d.notificationId, channel: d.channel, attempts: stored?.attempts, nextAttemptAt: stored?.nextAttemptAt, err: error.message }, stored?.nextAttemptAt ? 'notification delivery failed; will retry' : 'notification delivery failed; given up');
      }
    } catch (err) {
      // The hold runs out and the delivery is due again.
      this.log.error({ err, notificationId: d.notificationId, channel: d.channel }, 'notification delivery outcome not stored');
    }
  }
}
