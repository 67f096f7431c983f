import { createHash, randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { canonicalJson } from '../infra/canonical-json';
import type { Principal } from './auth';
import { HttpError, ValidationError } from './errors';

/**
 * Stored answers for the `Idempotency-Key` header (issue 14, "faults lose nothing"; the guide: keys
 * survive resets, a reused key with other content is an error, nothing accepted is lost).
 *
 * Every authenticated mutating route (POST/PUT/PATCH/DELETE, wired once in route.ts `Routes.add`)
 * that receives the header, once authorization and validation passed:
 * 1. CLAIMS (unit, route, resource, key) in Postgres (`idempotent_requests`, migration 0020) with
 *    the SHA-256 of the request's canonical JSON {body, query, person}: INSERT … ON CONFLICT DO NOTHING,
 *    so of two concurrent duplicates exactly one executes;
 * 2. the claimant runs the handler; a 2xx answer is stored (status, content type, body as sent)
 *    before it is sent; any other outcome (4xx, 5xx, 503 while Temporal is away) drops the claim,
 *    so a retry executes again;
 * 3. a request finding the key `done` with the same request hash gets the stored answer, same status
 *    and body, with `Idempotent-Replayed: true`: also after the workflow ended, was reset, or was
 *    deleted by retention, since nothing of it is asked; with another hash → 422
 *    `idempotency.key_reused`; still `in_progress` → it waits up to WAIT_MS for the answer, then 409
 *    `idempotency.in_progress` with Retry-After. A claim older than CLAIM_LEASE_MS (its API process
 *    died mid-request) is taken over, i.e. executed again (the operations below are keyed too).
 * The action table's Update ids (`<action>:<key>`, api/actions.ts) stay: they dedupe inside Temporal
 * while the run is open, this layer answers for everything after.
 */

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
/** Printable ASCII without space, 1 to 200 characters (the same CHECK in migration 0020). */
const IDEMPOTENCY_KEY = /^[!-~]{1,200}$/;
/** How long a duplicate waits for the first request's answer before it is told 409 in_progress. */
const WAIT_MS = 5_000;
const POLL_MS = 100;
/** A claim this old belongs to a request whose API process is gone: the next retry takes it over. */
const CLAIM_LEASE_MS = 120_000;
const MUTATING = new Set(['post', 'put', 'patch', 'delete']);
const BASIS = 'draft-ietf-httpapi-idempotency-key-header (Idempotency-Key: error scenarios)';

/** The route stores answers: authenticated (the unit is the key's namespace) and mutating. */
export const storesAnswers = (spec: { method: string; roles?: readonly unknown[] }): boolean => spec.roles !== undefined && MUTATING.has(spec.method);

/** The header in the OpenAPI document (Schemathesis sends it from this). */
export const idempotencyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .regex(IDEMPOTENCY_KEY)
    .optional()
    .meta({ description: 'Printable ASCII, 1–200 characters. A retry with the same key and the same body gets the stored first answer (header Idempotent-Replayed: true), also after the process ended; the same key with another body is 422.' }),
});
export const idempotencyResponses = {
  409: { description: 'refused {error, rule, basis}; or idempotency.in_progress: a request with this Idempotency-Key is still executing (Retry-After)' },
  422: { description: 'idempotency.key_reused: this Idempotency-Key was used for another request body on this route and resource' },
};
export const replayedHeader = z.object({ [IDEMPOTENT_REPLAYED_HEADER]: z.enum(['true']).optional().meta({ description: 'present on a stored answer replayed for a retried Idempotency-Key' }) });

/** The header's value, validated; undefined without one. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const given = req.headers[IDEMPOTENCY_KEY_HEADER];
  if (given === undefined) return undefined;
  if (typeof given !== 'string' || !IDEMPOTENCY_KEY.test(given)) {
    throw new ValidationError([{ path: 'headers.idempotency-key', message: 'printable ASCII, 1 to 200 characters', rule: 'idempotency.key_format' }]);
  }
  return given;
}

/** What a route answers (route.ts sends it). */
export interface Answer {
  status: number;
  /** JSON (no contentType) or the bytes/text of `contentType` */
  body?: unknown;
  contentType?: string;
}

interface StoredRow {
  state: 'in_progress' | 'done';
  request_sha256: string;
  status: number | null;
  content_type: string | null;
  body: string | null;
  claim_id: string;
  stale: boolean;
}

/** One request's hold on its key: finish with the answer (stored when 2xx) or drop it. */
export interface Claim {
  /** Stores a 2xx answer before it is sent (anything else drops the claim); answers what to send. */
  complete(answer: Answer): Promise<Answer>;
  release(): Promise<void>;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * What makes two requests the same: the canonical JSON (keys sorted) of the body and the query, and
 * the person sending it (a colleague's request with the same key is another request: a stored answer
 * is only ever replayed to the person whose request made it).
 */
export const requestHash = (personId: string, body: unknown, query: unknown): string => sha256(canonicalJson({ body: body ?? null, query: { ...(query as object) }, person: personId }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * For a request with an Idempotency-Key on a route that stores answers: either the stored answer
 * (sent here; answers undefined) or the claim the handler runs under. Without a key: null (run as is).
 */
export async function claimIdempotencyKey(pool: Pool, req: Request, res: Response, principal: Principal, route: { method: string; path: string }): Promise<Claim | null | undefined> {
  const key = idempotencyKeyOf(req);
  if (key === undefined) return null;
  const id = [principal.unit, `${route.method.toUpperCase()} ${route.path}`, canonicalJson({ ...req.params }), key] as const;
  const requestSha = requestHash(principal.personId, req.body, req.query);
  const where = 'unit_code = $1 AND route = $2 AND resource = $3 AND key = $4';
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const claimId = randomUUID();
    const inserted = await pool.query(
      `INSERT INTO idempotent_requests (unit_code, route, resource, key, request_sha256, person_id, claim_id) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [...id, requestSha, principal.personId, claimId],
    );
    let claimed = inserted.rowCount === 1;
    if (!claimed) {
      const { rows } = await pool.query<StoredRow>(
        `SELECT state, request_sha256, status, content_type, body, claim_id, claimed_at < now() - make_interval(secs => $5) AS stale FROM idempotent_requests WHERE ${where}`,
        [...id, CLAIM_LEASE_MS / 1000],
      );
      const row = rows[0];
      if (!row) continue; // the first request failed and dropped its claim meanwhile: claim it now
      if (row.request_sha256 !== requestSha) {
        throw new HttpError(422, `Idempotency-Key “${key}” was already used on ${id[1]} for a different request (another body, query or person): a reused key with other content is an error; use a new key for a new request`, {
          rule: 'idempotency.key_reused',
          basis: BASIS,
          header: 'Idempotency-Key',
        });
      }
      if (row.state === 'done') {
        res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
        send(res, { status: row.status!, body: row.body ?? undefined, contentType: row.content_type ?? undefined });
        return undefined;
      }
      if (row.stale) {
        const taken = await pool.query(`UPDATE idempotent_requests SET claim_id = $5, claimed_at = now(), person_id = $6 WHERE ${where} AND state = 'in_progress' AND claim_id = $7`, [
          ...id,
          claimId,
          principal.personId,
          row.claim_id,
        ]);
        claimed = taken.rowCount === 1;
      }
      if (!claimed) {
        if (Date.now() >= until) {
          res.setHeader('Retry-After', '1');
          throw new HttpError(409, `a request with Idempotency-Key “${key}” on ${id[1]} is still executing; retry after Retry-After seconds for its answer`, {
            rule: 'idempotency.in_progress',
            basis: BASIS,
            header: 'Idempotency-Key',
            retryAfterSeconds: 1,
          });
        }
        await sleep(POLL_MS);
        continue;
      }
    }
    const release = async () => {
      await pool.query(`DELETE FROM idempotent_requests WHERE ${where} AND claim_id = $5 AND state = 'in_progress'`, [...id, claimId]);
    };
    return {
      release,
      complete: async (answer) => {
        const stored = storable(answer);
        if (!stored) {
          await release();
          return answer;
        }
        await pool.query(
          `UPDATE idempotent_requests SET state = 'done', status = $6, content_type = $7, body = $8, completed_at = now() WHERE ${where} AND claim_id = $5 AND state = 'in_progress'`,
          [...id, claimId, stored.status, stored.contentType, stored.body ?? null],
        );
        return stored;
      },
    };
  }
}

/** A 2xx answer as its exact text (JSON serialised once, so the first answer and every replay are the same bytes); else undefined. */
function storable(answer: Answer): { status: number; contentType: string; body?: string } | undefined {
  if (answer.status < 200 || answer.status > 299) return undefined;
  if (answer.body === undefined) return { status: answer.status, contentType: '' };
  if (!answer.contentType) return { status: answer.status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(answer.body) };
  return typeof answer.body === 'string' ? { status: answer.status, contentType: answer.contentType, body: answer.body } : undefined;
}

/** Sends an answer: JSON unless it names its content type; none for an empty body. */
export function send(res: Response, answer: Answer): void {
  if (answer.body === undefined) res.status(answer.status).end();
  else if (answer.contentType) res.type(answer.contentType).status(answer.status).send(answer.body);
  else res.status(answer.status).json(answer.body);
}
