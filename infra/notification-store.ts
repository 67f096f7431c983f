import { randomUUID } from 'node:crypto';
import { inTransaction } from './db';
import type { Pool } from 'pg';
import { IdempotencyKeyReusedError } from './case-record-store';

export const NOTIFICATION_KINDS = ['reminder', 'escalation', 'info', 'action_required'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export type Channel = 'inbox' | 'webhook' | 'email';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface NotificationLink {
  workflowId?: string;
  caseNumber?: string;
  path?: string;
}

export interface NewNotification {
  idempotencyKey: string;
  unit: string;
  recipientPerson?: string;
  kind: NotificationKind;
  subject: string;
  body: string;
  link?: NotificationLink;
}

export interface StoredNotification extends NewNotification {
  id: string;
  createdAt: string;
  ackedAt?: string;
  ackedBy?: string;
}

export interface Delivery {
  notificationId: string;
  channel: Channel;
  target: string;
  status: DeliveryStatus;
  attempts: number;
  lastError?: string;
  lastAttemptAt?: string;
  deliveredAt?: string;
}

export interface UnitChannels {
  unit: string;
  webhookUrl?: string;
  webhookSecret?: string;
  email?: string;
}

/** Another attempt of the same delivery holds it right now; try again later. */
export class DeliveryBusyError extends Error {
  override name = 'DeliveryBusyError';
}

const iso = (v: unknown): string | undefined => (v ? new Date(v as string).toISOString() : undefined);

const toNotification = (row: any): StoredNotification => ({
  id: row.id,
  idempotencyKey: row.idempotency_key,
  unit: row.unit_code,
  recipientPerson: row.recipient_person ?? undefined,
  kind: row.kind,
  subject: row.subject,
  body: row.body,
  link: row.link ?? undefined,
  createdAt: iso(row.created_at)!,
  ackedAt: iso(row.acked_at),
  ackedBy: row.acked_by ?? undefined,
});

const toDelivery = (row: any): Delivery => ({
  notificationId: row.notification_id,
  channel: row.channel,
  target: row.target,
  status: row.status,
  attempts: row.attempts,
  lastError: row.last_error ?? undefined,
  lastAttemptAt: iso(row.last_attempt_at),
  deliveredAt: iso(row.delivered_at),
});

/** Notifications, their per-channel deliveries and the units' channel settings. */
export class NotificationStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Stores the notification (that is its inbox delivery) and fixes the channels it goes out on,
   * once per idempotency key; a retry gets back the notification and deliveries stored first.
   */
  async record(input: NewNotification, opts: { emailEnabled: boolean }): Promise<{ notification: StoredNotification; deliveries: Delivery[] }> {
    return inTransaction(this.pool, async (client) => {
      const inserted = await client.query(
        `INSERT INTO notifications (id, idempotency_key, unit_code, recipient_person, kind, subject, body, link)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
        [randomUUID(), input.idempotencyKey, input.unit, input.recipientPerson ?? null, input.kind, input.subject, input.body, input.link ? JSON.stringify(input.link) : null],
      );
      let notification: StoredNotification;
      if (inserted.rows[0]) {
        notification = toNotification(inserted.rows[0]);
        const channels = await this.channelsOf(input.unit, client);
        const rows: Array<[Channel, string, DeliveryStatus]> = [['inbox', input.unit, 'delivered']];
        if (channels.webhookUrl) rows.push(['webhook', channels.webhookUrl, 'pending']);
        if (channels.email && opts.emailEnabled) rows.push(['email', channels.email, 'pending']);
        for (const [channel, target, status] of rows) {
          await client.query(
            `INSERT INTO notification_deliveries (notification_id, channel, target, status, attempts, last_attempt_at, delivered_at)
             SELECT $1, $2, $3, $4::text, d::int, CASE WHEN d THEN now() END, CASE WHEN d THEN now() END FROM (SELECT $4::text = 'delivered' AS d) AS x`,
            [notification.id, channel, target, status],
          );
        }
      } else {
        const existing = await client.query('SELECT * FROM notifications WHERE idempotency_key = $1', [input.idempotencyKey]);
        notification = toNotification(existing.rows[0]);
        if (notification.unit !== input.unit) {
          throw new IdempotencyKeyReusedError(`idempotency key ${input.idempotencyKey} already used for a notification to ${notification.unit}`);
        }
      }
      const deliveries = await client.query('SELECT * FROM notification_deliveries WHERE notification_id = $1 ORDER BY channel', [notification.id]);
      return { notification, deliveries: deliveries.rows.map(toDelivery) };
    });
  }

  /**
   * Runs `send` for one delivery unless it is already delivered, holding the delivery row so that
   * two attempts never send at once, and stores the outcome (also a failure) before returning.
   */
  async attempt(notificationId: string, channel: Channel, send: (delivery: Delivery) => Promise<void>): Promise<{ sent: boolean; error?: Error }> {
    return inTransaction(this.pool, async (client) => {
      let row: any;
      try {
        row = (await client.query('SELECT * FROM notification_deliveries WHERE notification_id = $1 AND channel = $2 FOR UPDATE NOWAIT', [notificationId, channel])).rows[0];
      } catch (err) {
        if ((err as { code?: string }).code === '55P03') throw new DeliveryBusyError(`${channel} delivery of ${notificationId} is being attempted by another worker`);
        throw err;
      }
      if (!row) throw new Error(`no ${channel} delivery for notification ${notificationId}`);
      const delivery = toDelivery(row);
      if (delivery.status === 'delivered') {
        return { sent: false };
      }
      let error: Error | undefined;
      try {
        await send(delivery);
      } catch (err) {
        error = err instanceof Error ? err : new Error(String(err));
      }
      await client.query(
        `UPDATE notification_deliveries
            SET status = $3, attempts = attempts + 1, last_attempt_at = now(), last_error = $4,
                delivered_at = CASE WHEN $3 = 'delivered' THEN now() END
          WHERE notification_id = $1 AND channel = $2`,
        [notificationId, channel, error ? 'failed' : 'delivered', error ? error.message.slice(0, 1000) : null],
      );
      return error ? { sent: false, error } : { sent: true };
    });
  }

  async channelsOf(unit: string, db: Pick<Pool, 'query'> = this.pool): Promise<UnitChannels> {
    const { rows } = await db.query('SELECT * FROM unit_channels WHERE unit_code = $1', [unit]);
    const row = rows[0];
    return { unit, webhookUrl: row?.webhook_url ?? undefined, webhookSecret: row?.webhook_secret ?? undefined, email: row?.email ?? undefined };
  }

  async setWebhook(unit: string, webhook: { url: string; secret: string } | null, by: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO unit_channels (unit_code, webhook_url, webhook_secret, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (unit_code) DO UPDATE SET webhook_url = $2, webhook_secret = $3, updated_by = $4, updated_at = now()`,
      [unit, webhook?.url ?? null, webhook?.secret ?? null, by],
    );
  }

  async setEmail(unit: string, email: string | null, by: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO unit_channels (unit_code, email, updated_by) VALUES ($1, $2, $3)
       ON CONFLICT (unit_code) DO UPDATE SET email = $2, updated_by = $3, updated_at = now()`,
      [unit, email, by],
    );
  }

  async inbox(unit: string, opts: { unackedOnly: boolean; limit: number }): Promise<StoredNotification[]> {
    const { rows } = await this.pool.query(
      `SELECT * FROM notifications WHERE unit_code = $1 AND ($2::boolean IS FALSE OR acked_at IS NULL)
        ORDER BY created_at DESC, id LIMIT $3`,
      [unit, opts.unackedOnly, opts.limit],
    );
    return rows.map(toNotification);
  }

  /** Acknowledges a unit's notification; a second acknowledgement keeps the first one's time and person. */
  async ack(id: string, unit: string, by: string): Promise<StoredNotification | undefined> {
    const { rows } = await this.pool.query(
      `UPDATE notifications SET acked_at = coalesce(acked_at, now()), acked_by = coalesce(acked_by, $3)
        WHERE id = $1 AND unit_code = $2 RETURNING *`,
      [id, unit, by],
    );
    return rows[0] ? toNotification(rows[0]) : undefined;
  }

  async unitOf(id: string): Promise<string | undefined> {
    const { rows } = await this.pool.query('SELECT unit_code FROM notifications WHERE id = $1', [id]);
    return rows[0]?.unit_code;
  }

  async deliveries(units: string[], status: DeliveryStatus | undefined, limit: number): Promise<Array<Delivery & { notification: StoredNotification }>> {
    const { rows } = await this.pool.query(
      `SELECT d.*, row_to_json(n) AS n FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
        WHERE n.unit_code = ANY($1) AND ($2::text IS NULL OR d.status = $2)
        ORDER BY coalesce(d.last_attempt_at, n.created_at) DESC, d.notification_id, d.channel LIMIT $3`,
      [units, status ?? null, limit],
    );
    return rows.map((row) => ({ ...toDelivery(row), notification: toNotification(row.n) }));
  }
}
