import { z } from 'zod';
import type { Routes } from '../route';
import { visibleUnits } from '../scope';

/** The start outbox, for operators: what is stored but not started yet, and why (nothing stays stuck unseen). */
export function processStartRoutes(routes: Routes): void {
  routes.add(
    {
      method: 'get',
      path: '/api/process-starts',
      tag: 'system',
      summary: 'Process starts of the visible units (admins also see unit-less ones, e.g. calendar re-timing); ?pending=true lists those not started yet with their last error',
      roles: ['admin', 'supervisor'],
      query: z.object({ pending: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
    },
    async ({ query, principal, deps }) => {
      const units = await visibleUnits(deps.pool, principal);
      const { rows } = await deps.pool.query(
        `SELECT workflow_id, kind, unit_code, case_number, requested_at, started_at, run_id, attempts, last_error, next_attempt_at
           FROM process_starts
          WHERE (unit_code = ANY($1) OR (unit_code IS NULL AND $2))
            AND ($3::boolean IS NULL OR (started_at IS NULL) = $3)
          ORDER BY requested_at DESC LIMIT $4`,
        [units, principal.roles.includes('admin'), query.pending === undefined ? null : query.pending === 'true', query.limit],
      );
      return rows.map((r) => ({
        workflowId: r.workflow_id,
        kind: r.kind,
        unit: r.unit_code,
        caseNumber: r.case_number,
        requestedAt: r.requested_at,
        startedAt: r.started_at,
        runId: r.run_id,
        attempts: r.attempts,
        lastError: r.last_error,
        nextAttemptAt: r.started_at ? null : r.next_attempt_at,
      }));
    },
  );
}
