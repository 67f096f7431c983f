import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import type { Principal, Role } from './auth';
import type { ApiDeps } from './deps';
import { mapTemporalError, ValidationError, type FieldIssue, type HttpError } from './errors';
import { idempotencyKeyOf } from './idempotency';
import type { Reply, Routes } from './route';

/**
 * Process actions declared from a TABLE: one entry per action (path, roles, body schema, the
 * workflow Update, how the request becomes its argument), one runner for all. Every action:
 * - finds its workflow through the process's own loader (Postgres, with the unit check);
 * - takes an `Idempotency-Key` header and passes it as the Update's id, so a retried request gets
 *   the first request's answer instead of acting twice while the run is open; after that (ended,
 *   reset, deleted) route.ts replays the answer stored in Postgres (idempotency.ts);
 * - answers refusals, a missing workflow and an unreachable Temporal through THE one mapper
 *   (errors.ts mapTemporalError): 409 {error, rule, basis}, 404, 503 + Retry-After.
 */

// The header's rule and the stored answers (a retry after the process ended): idempotency.ts, wired in route.ts.
export { IDEMPOTENCY_KEY_HEADER, idempotencyKeyOf } from './idempotency';

export interface ActionContext<B, T> {
  body: B;
  principal: Principal;
  deps: ApiDeps;
  target: T;
  params: Record<string, unknown>;
}

export interface ActionSpec<B extends z.ZodType, Arg, Ret, T> {
  /** the last part of the update id; unique within the group */
  name: string;
  /** appended to the group's base path, e.g. '/assignment' */
  path: string;
  summary: string;
  roles: readonly Role[];
  body?: B;
  /** path parameters of this action when it adds some to the group's (a superset of the group's schema) */
  params?: z.ZodType<Record<string, unknown>>;
  update: UpdateDefinition<Ret, [Arg]>;
  arg: (ctx: ActionContext<z.infer<B>, T>) => Arg | Promise<Arg>;
  /** checks the schema cannot express (e.g. an opinion consistent with its checklist) */
  check?: (body: z.infer<B>) => FieldIssue[];
  /** the HTTP answer from the Update's result (default: 200 with the result) */
  present?: (result: Ret, ctx: ActionContext<z.infer<B>, T>) => unknown;
  responses?: Record<number, { description: string }>;
}

/** Type-checks one table entry; the table itself holds them erased. */
export const action = <B extends z.ZodType, Arg, Ret, T>(spec: ActionSpec<B, Arg, Ret, T>): ActionSpec<any, any, any, T> => spec as ActionSpec<any, any, any, T>;

export interface ActionGroup<P extends z.ZodType<Record<string, unknown>>, T extends { workflowId: string }> {
  tag: string;
  /** express path of the process, e.g. '/api/reviews/:id' */
  base: string;
  params: P;
  /**
   * The workflow an action goes to, from Postgres; refuses (403/404/409/503) what no action may
   * touch. `idempotent` says the request carries an Idempotency-Key (a retry may come after the
   * first request ended the process; the loader then lets Temporal answer).
   */
  target: (ctx: { params: z.infer<P>; principal: Principal; deps: ApiDeps; idempotent: boolean }) => Promise<T>;
  /** an error of the update call mapped for this process (e.g. "has ended" for a closed review); default: the one mapper */
  onError?: (err: unknown, target: T) => HttpError | undefined;
}

export function addActions<P extends z.ZodType<Record<string, unknown>>, T extends { workflowId: string }>(
  routes: Routes,
  group: ActionGroup<P, T>,
  actions: Array<ActionSpec<any, any, any, T>>,
): void {
  for (const spec of actions) {
    routes.add(
      {
        method: 'post',
        path: `${group.base}${spec.path}`,
        tag: group.tag,
        summary: `${spec.summary} (Idempotency-Key header: a retried request gets the first answer)`,
        roles: spec.roles,
        params: (spec.params ?? group.params) as P,
        body: spec.body,
        responses: {
          200: { description: 'done: the process state after the action' },
          404: { description: 'no such process or workflow' },
          409: { description: 'refused: {error, rule, basis}' },
          503: { description: 'Temporal unreachable or busy, or the process not started yet: retry after Retry-After seconds' },
          ...spec.responses,
        },
      },
      async ({ params, body, principal, deps, req }): Promise<Reply | unknown> => {
        if (spec.check) {
          const issues = spec.check(body);
          if (issues.length) throw new ValidationError(issues.map((i) => ({ ...i, path: `body.${i.path}` })));
        }
        const key = idempotencyKeyOf(req);
        const target = await group.target({ params, principal, deps, idempotent: key !== undefined });
        const ctx: ActionContext<unknown, T> = { body, principal, deps, target, params };
        const arg = await spec.arg(ctx);
        let result: unknown;
        try {
          result = await deps.temporal.workflow
            .getHandle(target.workflowId)
            .executeUpdate(spec.update, { args: [arg], ...(key ? { updateId: `${spec.name}:${key}` } : {}) });
        } catch (err) {
          throw group.onError?.(err, target) ?? mapTemporalError(err) ?? err;
        }
        // route.ts tells a reply(status, body) from a plain result.
        return spec.present ? spec.present(result, ctx) : result;
      },
    );
  }
}
