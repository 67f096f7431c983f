import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Principal, Role } from './auth';
import { requireRoles } from './auth';
import { boundaryIssues } from './boundary';
import { claimIdempotencyKey, idempotencyHeaders, idempotencyResponses, replayedHeader, send, storesAnswers, type Answer } from './idempotency';
import { forbidden, issuesOf, unauthorized, ValidationError, type FieldIssue } from './errors';
import { visibleUnits } from './scope';
import type { ApiDeps } from './deps';

type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';
type AnyObject = z.ZodType<Record<string, unknown>>;

export interface RouteSpec<B extends z.ZodType, Q extends AnyObject, P extends AnyObject> {
  method: Method;
  path: string; // express syntax: /api/reviews/:id
  summary: string;
  tag: string;
  /** Omitted: public route. Empty: any authenticated principal. */
  roles?: readonly Role[];
  /**
   * Whose resources the route reaches (the authorization matrix tests it, test/security/authz-matrix.test.ts):
   * `public` no token; `unit` the principal's own unit only; `supervisor-read` also the units it
   * supervises (reads); `any-unit` not tied to a unit (national data, the principal itself).
   * Omitted: `public` without roles; else, for a path naming the unit (`:code`), `supervisor-read`
   * for GET and `unit` for the rest; otherwise `unit`. For a `:code` path the route table enforces
   * it before the handler runs (deny by default); elsewhere the handler checks the resource's unit.
   */
  scope?: RouteScope;
  body?: B;
  query?: Q;
  params?: P;
  responses?: Record<number, { description: string; schema?: z.ZodType }>;
}

export type RouteScope = 'public' | 'unit' | 'supervisor-read' | 'any-unit';

/** One row of the route table: what the authorization matrix is generated from. */
export interface DeclaredRoute {
  method: Method;
  path: string;
  roles?: readonly Role[];
  scope: RouteScope;
  tag: string;
}

export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  principal: Principal;
  deps: ApiDeps;
  req: Request;
  res: Response;
}

export interface Reply {
  status: number;
  body?: unknown;
  contentType?: string;
}

export const reply = (status: number, body?: unknown): Reply => ({ status, body });

const errorBody = z.object({
  error: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string(), rule: z.string().optional() })).optional(),
  requestId: z.string(),
});

/** One declaration gives the express handler, its validation and its OpenAPI entry. */
export class Routes {
  readonly registry = new OpenAPIRegistry();
  /** Every route declared, in order (deny by default: a route the matrix does not know fails its test). */
  readonly table: DeclaredRoute[] = [];

  constructor(
    private readonly router: Router,
    private readonly deps: ApiDeps,
  ) {
    this.registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  }

  add<B extends z.ZodType = z.ZodUndefined, Q extends AnyObject = z.ZodObject<{}>, P extends AnyObject = z.ZodObject<{}>>(
    spec: RouteSpec<B, Q, P>,
    handler: (ctx: RouteContext<z.infer<B>, z.infer<Q>, z.infer<P>>) => Promise<Reply | unknown>,
  ): void {
    this.registerOpenApi(spec);
    const scope: RouteScope = spec.scope ?? (spec.roles === undefined ? 'public' : spec.path.includes(':code') && spec.method === 'get' ? 'supervisor-read' : 'unit');
    this.table.push({ method: spec.method, path: spec.path, roles: spec.roles, scope, tag: spec.tag });
    const unitInPath = spec.roles !== undefined && spec.path.includes(':code');
    this.router[spec.method](spec.path, async (req: Request, res: Response) => {
      if (spec.roles !== undefined) {
        if (!req.principal) throw unauthorized();
        requireRoles(req.principal, spec.roles);
        if (unitInPath) await this.assertUnitScope(req.principal, scope, String(req.params.code ?? ''));
      }
      // NUL, lone surrogates, absurd years: refused for every route before its own schema runs.
      const refused = [...boundaryIssues(req.params, 'params'), ...boundaryIssues(req.query, 'query'), ...boundaryIssues(req.body, 'body')];
      if (refused.length) throw new ValidationError(refused);
      const issues: FieldIssue[] = [];
      const parse = <T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): any => {
        if (!schema) return value;
        const result = schema.safeParse(value);
        if (result.success) return result.data;
        issues.push(...issuesOf(result.error, where));
        return undefined;
      };
      const params = parse(spec.params, req.params, 'params');
      const query = parse(spec.query, req.query, 'query');
      const body = parse(spec.body, req.body ?? undefined, 'body');
      if (issues.length) throw new ValidationError(issues);
      // Idempotency-Key on a mutating route: a stored answer is replayed here (claim undefined), else the handler runs under the claim (idempotency.ts).
      const claim = storesAnswers(spec) ? await claimIdempotencyKey(this.deps.pool, req, res, req.principal as Principal, spec) : null;
      if (claim === undefined) return;
      let answer: Answer;
      try {
        const out = await handler({ body, query, params, principal: req.principal as Principal, deps: this.deps, req, res });
        if (res.headersSent) {
          await claim?.release();
          return;
        }
        const isReply = out && typeof out === 'object' && 'status' in out && typeof (out as Reply).status === 'number' && Object.keys(out).every((k) => ['status', 'body', 'contentType'].includes(k));
        answer = isReply ? (out as Reply) : { status: 200, body: out };
      } catch (err) {
        await claim?.release().catch((e) => this.deps.log.warn({ err: e }, 'idempotency claim not released (a retry waits for its lease)'));
        throw err;
      }
      // Done: the answer is stored before it is sent. Should storing fail, the client still hears what was done.
      if (claim) answer = await claim.complete(answer).catch((e) => (this.deps.log.warn({ err: e }, 'idempotent answer not stored'), answer));
      send(res, answer);
    });
  }

  /** A route on /api/units/:code/…: own unit for `unit`, own or supervised for `supervisor-read`. The 403 names no unit. */
  private async assertUnitScope(principal: Principal, scope: RouteScope, code: string): Promise<void> {
    if (scope === 'any-unit' || scope === 'public' || code === principal.unit) return;
    if (scope === 'supervisor-read' && (await visibleUnits(this.deps.pool, principal)).includes(code)) return;
    throw forbidden(scope === 'unit' ? 'this acts on your own unit only' : 'that unit is not visible to yours');
  }

  private registerOpenApi(spec: RouteSpec<any, any, any>): void {
    const responses: Record<string, any> = {};
    for (const [status, r] of Object.entries(spec.responses ?? { 200: { description: 'OK' } })) {
      responses[status] = r.schema ? { description: r.description, content: { 'application/json': { schema: r.schema } } } : { description: r.description };
    }
    responses['400'] ??= { description: 'invalid request', content: { 'application/json': { schema: errorBody } } };
    if (spec.roles !== undefined) {
      responses['401'] ??= { description: 'authentication required' };
      responses['403'] ??= { description: 'wrong role or unit' };
    }
    const idempotent = storesAnswers(spec);
    if (idempotent) {
      for (const [status, r] of Object.entries(idempotencyResponses)) responses[status] = responses[status] ? { ...responses[status], description: `${responses[status].description}; ${r.description}` } : { description: r.description };
      for (const status of Object.keys(responses).filter((s) => s.startsWith('2'))) responses[status] = { ...responses[status], headers: replayedHeader };
    }
    this.registry.registerPath({
      method: spec.method,
      path: spec.path.replace(/:(\w+)/g, '{$1}'),
      summary: spec.summary,
      description: spec.roles?.length ? `Roles: ${spec.roles.join(', ')}` : undefined,
      tags: [spec.tag],
      security: spec.roles !== undefined ? [{ bearer: [] }] : undefined,
      request: {
        params: spec.params as any,
        query: spec.query as any,
        headers: idempotent ? idempotencyHeaders : undefined,
        body: spec.body ? { content: { 'application/json': { schema: spec.body } } } : undefined,
      },
      responses,
    });
  }
}
