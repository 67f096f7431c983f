import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from '../infra/logger';

export interface FieldIssue {
  path: string;
  message: string;
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
export const unprocessable = (message: string, details: Record<string, unknown> = {}) => new HttpError(422, message, details);

export function issuesOf(error: z.ZodError, prefix: string): FieldIssue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: i.message,
  }));
}

/** Maps every error to JSON; clients never see stack traces, the log always does. */
export function errorMapper(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const requestId = String(req.id ?? '');
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.message, ...err.details, requestId });
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
