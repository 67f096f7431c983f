import { ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from '../infra/logger';

export interface FieldIssue {
  path: string;
  message: string;
  /** the boundary rule that refused it (no_nul, no_lone_surrogate, year_out_of_range) */
  rule?: string;
}

/** An error whose message is safe to show the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class ValidationError extends HttpError {
  constructor(readonly issues: FieldIssue[]) {
    super(400, 'invalid request', { issues });
  }
}

export const badRequest = (message: string, issues: FieldIssue[] = []) => new HttpError(400, message, { issues });
export const unauthorized = (message = 'authentication required') => new HttpError(401, message);
export const forbidden = (message: string) => new HttpError(403, message);
export const notFound = (what: string) => new HttpError(404, `${what} not found`);
export const conflict = (message: string, details: Record<string, unknown> = {}) => new HttpError(409, message, details);
/** Try again later (Temporal unreachable, too many in-flight updates, a process whose start is pending). */
export const unavailable = (message: string, retryAfterSeconds = 5, details: Record<string, unknown> = {}) =>
  new HttpError(503, message, { ...details, retryAfterSeconds });
export const unprocessable = (message: string, details: Record<string, unknown> = {}) => new HttpError(422, message, details);

export function issuesOf(error: z.ZodError, prefix: string): FieldIssue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: i.message,
  }));
}

/** gRPC status codes that mean "not now": UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED (e.g. too many in-flight updates). */
const TRANSIENT_GRPC = new Set([14, 4, 8]);
const grpcCode = (err: unknown): number | undefined => {
  for (let e: any = err, i = 0; e && i < 4; e = e.cause, i++) if (typeof e.code === 'number') return e.code;
  return undefined;
};

/**
 * THE mapping of Temporal client errors for every process: a refused action (an Update's validator
 * or handler failed with an ApplicationFailure; `refuse()` puts {rule, basis} in details[0]) is
 * 409 {error, rule, basis}; a missing workflow 404; an unreachable or overloaded server 503 with
 * Retry-After. Anything else is not a Temporal answer (undefined).
 */
export function mapTemporalError(err: unknown): HttpError | undefined {
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause as { message?: string; type?: string | null; details?: unknown[] } | undefined;
    const given = (Array.isArray(cause?.details) ? cause.details[0] : undefined) as { rule?: unknown; basis?: unknown } | undefined;
    const rule = typeof given?.rule === 'string' ? given.rule : cause?.type && cause.type !== 'Error' ? cause.type : 'refused';
    const basis = typeof given?.basis === 'string' ? given.basis : null;
    return conflict(cause?.message ?? err.message, { rule, basis });
  }
  if (err instanceof WorkflowNotFoundError) return notFound(`workflow ${(err as { workflowId?: string }).workflowId ?? ''}`.trim());
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return unavailable('the process did not answer in time; retry with the same Idempotency-Key', 2);
  if (err instanceof ServiceError || grpcCode(err) !== undefined) {
    const code = grpcCode(err);
    if (code === 5) return notFound('workflow');
    if (code !== undefined && TRANSIENT_GRPC.has(code)) return unavailable(code === 8 ? 'the process is busy (too many actions in flight); retry shortly' : 'the workflow service is unreachable; retry shortly', code === 8 ? 1 : 5);
  }
  return undefined;
}

// Postgres away (stopped, restarting, refusing connections): the request may succeed on retry.
const DB_UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', '53300']);
const DB_UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;

/** The database cannot be reached: 503 with Retry-After, never a 500 (nothing was changed). */
export function mapDatabaseUnavailable(err: unknown): HttpError | undefined {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const unavailableCode = typeof e?.code === 'string' && DB_UNAVAILABLE_CODES.has(e.code);
  const unavailableMessage = typeof e?.message === 'string' && DB_UNAVAILABLE_MESSAGES.test(e.message);
  return unavailableCode || unavailableMessage ? unavailable('the database is unreachable; retry shortly', 5) : undefined;
}

/** Maps every error to JSON; clients never see stack traces, the log always does. */
export function errorMapper(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const requestId = String(req.id ?? '');
    const mapped = err instanceof HttpError ? err : (mapTemporalError(err) ?? mapDatabaseUnavailable(err));
    if (mapped) {
      if (mapped.status === 503) {
        res.setHeader('Retry-After', String(mapped.details.retryAfterSeconds ?? 5));
        if (!(err instanceof HttpError)) log.warn({ err, requestId, path: req.path }, 'backing service unavailable');
      }
      res.status(mapped.status).json({ error: mapped.message, ...mapped.details, requestId });
      return;
    }
    // body-parser: malformed JSON or an oversized body.
    const status = typeof err?.status === 'number' ? err.status : typeof err?.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      res.status(status).json({ error: err.type === 'entity.parse.failed' ? 'malformed JSON body' : String(err.message ?? 'bad request'), issues: [], requestId });
      return;
    }
    log.error({ err, requestId, path: req.path }, 'unhandled error');
    res.status(500).json({ error: 'internal error', requestId });
  };
}
