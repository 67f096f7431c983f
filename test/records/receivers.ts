import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface WebhookRequest {
  idempotencyKey: string;
  signature: string;
  signatureValid: boolean;
  attemptHeader: string;
  raw: string;
  body: any;
  answered: number;
}

/**
 * A real HTTP receiver for a unit's webhook: checks the HMAC-SHA256 signature over the raw body
 * on its own (node:crypto, not the service's helper) and answers with `statusFor(n)` for the nth
 * request of an idempotency key (1-based).
 */
export async function startWebhookReceiver(secret: string, statusFor: (n: number, key: string) => number = () => 200) {
  const requests: WebhookRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const signature = String(req.headers['x-sanxiang-signature'] ?? '');
      const expected = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
      const idempotencyKey = String(req.headers['idempotency-key'] ?? '');
      const n = requests.filter((r) => r.idempotencyKey === idempotencyKey).length + 1;
      const signatureValid = signature === expected;
      const answered = signatureValid ? statusFor(n, idempotencyKey) : 401;
      requests.push({ idempotencyKey, signature, signatureValid, attemptHeader: String(req.headers['x-sanxiang-delivery-attempt'] ?? ''), raw: raw.toString('utf8'), body: JSON.parse(raw.toString('utf8')), answered });
      res.writeHead(answered, { 'content-type': 'text/plain' }).end(answered === 200 ? 'ok' : 'unavailable');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/sanxiang`,
    requests,
    of: (key: string) => requests.filter((r) => r.idempotencyKey === key),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface Mail {
  to: string[];
  raw: string;
  accepted: boolean;
}

/** A real SMTP server; `acceptFor(n)` decides whether the nth message is accepted or answered 451. */
export async function startSmtpServer(acceptFor: (n: number) => boolean = () => true) {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const accepted = acceptFor(mails.length + 1);
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), accepted });
        if (accepted) callback();
        else callback(Object.assign(new Error('mailbox busy, try again later'), { responseCode: 451 }));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
