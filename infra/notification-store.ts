import { randomUUID } from 'node:crypto';
import { inTransaction } from './db';
import type { Pool } from 'pg';
import { canonicalJson } from './canonical-json';
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
  /** A role in the unit the notice is for (head, legal_office, reviewer, …): shown to the people holding it. */
  recipientRole?: string;
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
  /** when it is tried again; absent when delivered or given up */
  nextAttemptAt?: string;
}

export interface UnitChannels {
  unit: string;
  webhookUrl?: string;
  webhookSecret?: string;
  email?: string;
}

/** What a notification says, compared when its idempotency key comes again. */
const contentOf = (n: Pick<NewNotification, 'unit' | 'recipientPerson' | 'recipientRole' | 'kind' | 'subject' | 'body' | 'link'>) =>
  canonicalJson({ unit: n.unit, recipientPerson: n.recipientPerson ?? null, ...(n.recipientRole ? { recipientRole: n.recipientRole } : {}), kind: n.kind, subject: n.subject, body: n.body, link: n.link ?? null });

/**
 * The roles a person's inbox answers to: their own, and `legal_office` for the legal office's
 * people (its reviewers and its lead).
 */
export const inboxRolesOf = (roles: readonly string[]): string[] => [...roles, ...(roles.some((r) => r === 'reviewer' || r === 'legal_office_lead') ? ['legal_office'] : [])];

/** The delivery outbox's retry policy: attempts and the pause after the nth failure. */
export interface DeliveryPolicy {
  maxAttempts: number;
  /** seconds after the nth failed attempt (n ≥ 1) */
  backoffSeconds: (failedAttempts: number) => number;
}
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 12,
  // 2 s, 4 s, 8 s … at most 10 minutes: about an hour and a half in all.
  backoffSeconds: (n) => Math.min(600, 2 ** n),
};

export interface ClaimedDelivery extends Delivery {
  notification: StoredNotification;
}


const iso = (v: unknown): string | undefined => (v ? new Date(v as string).toISOString() : undefined);

const toNotification = (row: any): StoredNotification => ({
  id: row.id,
  idempotencyKey: row.idempotency_key,
  unit: row.unit_code,
  recipientPerson: row.recipient_person ?? undefined,
  recipientRole: row.recipient_role ?? undefined,
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
  nextAttemptAt: iso(row.next_attempt_at),
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
        `INSERT INTO notifications (id, idempotency_key, unit_code, recipient_person, kind, subject, body, link, recipient_role)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
        [randomUUID(), input.idempotencyKey, input.unit, input.recipientPerson ?? null, input.kind, input.subject, input.body, input.link ? JSON.stringify(input.link) : null, input.recipientRole ?? null],
      );
      let notification: StoredNotification;
      if (inserted.rows[0]) {
        notification = toNotification(inserted.rows[0]);
        const channels = await this.channelsOf(input.unit, client);
        const rows: Array<[Channel, string, DeliveryStatus]> = [['inbox', input.unit, 'delivered']];
        if (channels.webhookUrl) rows.push(['webhook', channels.webhookUrl, 'pending']);
        if (channels.email && opts.emailEnabled) rows.push(['email', channels.email, 'pending']);
        // Pending channels are due at once: the dispatcher (worker) delivers them, never this call.
        for (const [channel, target, status] of rows) {
          await client.query(
            `INSERT INTO notification_deliveries (notification_id, channel, target, status, attempts, last_attempt_at, delivered_at, next_attempt_at)
             SELECT $1, $2, $3, $4::text, d::int, CASE WHEN d THEN now() END, CASE WHEN d THEN now() END, CASE WHEN d THEN NULL ELSE now() END
               FROM (SELECT $4::text = 'delivered' AS d) AS x`,
            [notification.id, channel, target, status],
          );
        }
        await client.query(`SELECT pg_notify('notification_deliveries', $1)`, [notification.id]);
      } else {
        const existing = await client.query('SELECT * FROM notifications WHERE idempotency_key = $1', [input.idempotencyKey]);
        notification = toNotification(existing.rows[0]);
        // The same key is the same notification: a retry gets it back; other content under it is an error.
        if (contentOf(notification) !== contentOf(input)) {
          throw new IdempotencyKeyReusedError(
            `idempotency key ${input.idempotencyKey} already used for another notification (to ${notification.unit}: ${notification.subject.slice(0, 80)})`,
          );
        }
      }
      const deliveries = await client.query('SELECT * FROM notification_deliveries WHERE notification_id = $1 ORDER BY channel', [notification.id]);
      return { notification, deliveries: deliveries.rows.map(toDelivery) };
    });
  }

  /**
   * Takes up to `limit` due deliveries for one dispatcher: each is held (locked_until) long enough
   * for one attempt, so two dispatchers never send the same delivery at once, and a dispatcher that
   * dies mid-attempt leaves it due again when the hold runs out.
   */
  async claimDue(limit: number, holdSeconds: number): Promise<ClaimedDelivery[]> {
    const { rows } = await this.pool.query(
      `WITH due AS (
         SELECT notification_id, channel FROM notification_deliveries
          WHERE status <> 'delivered' AND next_attempt_at IS NOT NULL AND next_attempt_at <= now()
            AND (locked_until IS NULL OR locked_until < now())
          ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE notification_deliveries d SET locked_until = now() + make_interval(secs => $2)
         FROM due WHERE d.notification_id = due.notification_id AND d.channel = due.channel
       RETURNING d.*, (SELECT row_to_json(n) FROM notifications n WHERE n.id = d.notification_id) AS n`,
      [limit, holdSeconds],
    );
    return rows.map((row) => ({ ...toDelivery(row), notification: toNotification(row.n) }));
  }

  /**
   * Stores one attempt's outcome: delivered; or failed, due again after the policy's pause, or
   * given up (next_attempt_at NULL) after its last attempt. Failed rows stay visible as `failed`.
   */
  async complete(notificationId: string, channel: Channel, error: Error | undefined, policy: DeliveryPolicy = DEFAULT_DELIVERY_POLICY): Promise<Delivery | undefined> {
    const pauses = Array.from({ length: policy.maxAttempts }, (_, i) => policy.backoffSeconds(i + 1));
    const { rows } = await this.pool.query(
      `UPDATE notification_deliveries
          SET status = CASE WHEN $3::text IS NULL THEN 'delivered' ELSE 'failed' END,
              attempts = attempts + 1, last_attempt_at = now(), last_error = $3::text,
              delivered_at = CASE WHEN $3::text IS NULL THEN now() END,
              next_attempt_at = CASE WHEN $3::text IS NULL OR attempts + 1 >= $4 THEN NULL
                                     ELSE now() + make_interval(secs => ($5::float8[])[attempts + 1]) END,
              locked_until = NULL
        WHERE notification_id = $1 AND channel = $2 AND status <> 'delivered' RETURNING *`,
      [notificationId, channel, error ? error.message.slice(0, 1000) : null, policy.maxAttempts, pauses],
    );
    return rows[0] ? toDelivery(rows[0]) : undefined;
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

  /**
   * A unit's inbox. With `reader`: what is addressed to that person, to one of their roles, and the
   * unit's unaddressed notices (a notice for the head is not the reviewer's business).
   */
  async inbox(unit: string, opts: { unackedOnly: boolean; limit: number; reader?: { personId: string; roles: readonly string[] } }): Promise<StoredNotification[]> {
    const { rows } = await this.pool.query(
      `SELECT * FROM notifications WHERE unit_code = $1 AND ($2::boolean IS FALSE OR acked_at IS NULL)
          AND ($4::text IS NULL
               OR (recipient_person IS NULL AND recipient_role IS NULL)
               OR recipient_person = $4
               OR (recipient_person IS NULL AND recipient_role = ANY($5::text[])))
        ORDER BY created_at DESC, id LIMIT $3`,
      [unit, opts.unackedOnly, opts.limit, opts.reader?.personId ?? null, opts.reader ? inboxRolesOf(opts.reader.roles) : []],
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
