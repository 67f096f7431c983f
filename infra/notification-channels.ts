import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import type { StoredNotification } from './notification-store';
import { addressAllowed, guardedLookup, webhookPolicyTarget, type WebhookTargetPolicy } from './webhook-targets';

export const SIGNATURE_HEADER = 'X-Sanxiang-Signature';
/** `t=<unix seconds>,sha256=<hex>`: HMAC-SHA256 of `<t>.<raw body>`, so a receiver can refuse replays of old requests. */
export const TIMESTAMPED_SIGNATURE_HEADER = 'X-Sanxiang-Signature-Timestamped';
export const TIMESTAMP_HEADER = 'X-Sanxiang-Timestamp';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const WEBHOOK_TIMEOUT_MS = 10_000;

/** `sha256=<hex>`: HMAC-SHA256 of the raw request body under the unit's webhook secret. */
export function webhookSignature(secret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** The timestamped signature: binds the body to the moment it was sent. */
export function timestampedWebhookSignature(secret: string, timestamp: number, rawBody: Buffer | string): string {
  return `t=${timestamp},sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/** What a receiver runs (the README shows the same few lines): constant-time comparison. */
export function verifyWebhookSignature(secret: string, rawBody: Buffer | string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(webhookSignature(secret, rawBody));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The JSON document a webhook receives. */
export function webhookPayload(n: StoredNotification, linkUrl: string | undefined) {
  return {
    id: n.id,
    idempotencyKey: n.idempotencyKey,
    unit: n.unit,
    recipientPerson: n.recipientPerson ?? null,
    kind: n.kind,
    subject: n.subject,
    body: n.body,
    link: n.link ? { ...n.link, url: linkUrl ?? null } : null,
    createdAt: n.createdAt,
  };
}

/**
 * HTTP header values are bytes: keys holding a case number (本医保罚〔2026〕1号) are sent with their
 * non-ASCII characters percent-encoded (UTF-8); the JSON body carries the key exactly.
 */
export const headerSafe = (value: string) => value.replace(/[^\x20-\x7e]+/g, (c) => encodeURIComponent(c));

/**
 * POSTs one notification. The target is checked again here, on the address actually connected to
 * (guarded lookup; an IP literal directly); redirects are not followed; the answer's body is never
 * read (nothing of it is stored or shown); the whole request times out after 10 s.
 */
export async function postWebhook(opts: { url: string; secret: string; notification: StoredNotification; linkUrl?: string; attempt: number; policy: WebhookTargetPolicy; timeoutMs?: number }): Promise<void> {
  const raw = Buffer.from(JSON.stringify(webhookPayload(opts.notification, opts.linkUrl)), 'utf8');
  const timestamp = Math.floor(Date.now() / 1000);
  const u = webhookPolicyTarget.parse(opts.url);
  const host = webhookPolicyTarget.normalHost(u.hostname);
  const port = webhookPolicyTarget.portOf(u);
  const where = `${u.protocol}//${u.host}`;
  if (isIP(host)) {
    const why = addressAllowed(opts.policy, host, host, port);
    if (why) throw new Error(`webhook ${where} refused: ${why}`);
  }
  const timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const status = await new Promise<number>((resolve, reject) => {
    const req = (u.protocol === 'https:' ? https : http).request(
      u,
      {
        method: 'POST',
        lookup: isIP(host) ? undefined : (guardedLookup(opts.policy, port) as any),
        signal: AbortSignal.timeout(timeoutMs),
        timeout: timeoutMs,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(raw.length),
          [SIGNATURE_HEADER]: webhookSignature(opts.secret, raw),
          [TIMESTAMP_HEADER]: String(timestamp),
          [TIMESTAMPED_SIGNATURE_HEADER]: timestampedWebhookSignature(opts.secret, timestamp, raw),
          [IDEMPOTENCY_HEADER]: headerSafe(opts.notification.idempotencyKey),
          'X-Sanxiang-Delivery-Attempt': String(opts.attempt),
        },
      },
      (res) => {
        res.resume(); // discarded unread
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', (err: Error & { code?: string }) => {
      const reason =
        err.name === 'WebhookTargetRefused' ? `refused: ${err.message}` : err.code === 'ABORT_ERR' || err.name === 'AbortError' ? `timeout: no answer within ${timeoutMs} ms` : (err.code ?? err.message);
      reject(new Error(`webhook ${where}: ${reason}`));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`timeout: no answer within ${timeoutMs} ms`), { code: undefined })));
    req.end(raw);
  });
  if (status < 200 || status >= 300) throw new Error(`webhook ${where} answered ${status}`);
}

const SUBJECT_PREFIX: Record<StoredNotification['kind'], string> = {
  reminder: '【提醒】',
  escalation: '【督办】',
  info: '【通知】',
  action_required: '【待办】',
};

/** One SMTP transport per SMTP_URL, reused across deliveries. */
export class Mailer {
  private transport?: Transporter;

  constructor(
    private readonly smtpUrl: string,
    private readonly from: string,
  ) {}

  async send(opts: { to: string; notification: StoredNotification; linkUrl?: string }): Promise<void> {
    // Every outbound call has a deadline: connection, greeting and socket inactivity.
    this.transport ??= nodemailer.createTransport({ url: this.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as any);
    const n = opts.notification;
    await this.transport.sendMail({
      from: this.from,
      to: opts.to,
      subject: `${SUBJECT_PREFIX[n.kind]}${n.subject}`,
      text: opts.linkUrl ? `${n.body}\n\n${opts.linkUrl}` : n.body,
      // Stable per notification: a mail system that sees it twice can tell.
      messageId: `<${n.id}@sanxiang.notifications>`,
      headers: { [IDEMPOTENCY_HEADER]: n.idempotencyKey },
    });
  }

  close(): void {
    this.transport?.close();
  }
}
