import { WorkflowNotFoundError } from '@temporalio/client';
import { ProcessStarter, processStartState, type ProcessStartState, type StoredProcessStart } from '../infra/process-starts';
import type { ApiDeps } from './deps';
import { unavailable } from './errors';

/** The API's try at a start right after its commit: short, so a POST answers quickly when Temporal is away. */
const API_START_TIMEOUT_MS = 3_000;

/**
 * The starter's own attempt right after its commit (the reconciler leaves a fresh request to it):
 * from the stored row (`stored`, as `enqueueProcessStart` wrote it, or read back), no lock held.
 */
export function startNow(deps: ApiDeps, workflowId: string, stored?: StoredProcessStart): Promise<ProcessStartState | undefined> {
  return new ProcessStarter(deps.pool, deps.temporal, deps.log, { startTimeoutMs: API_START_TIMEOUT_MS }).tryStart(workflowId, stored);
}

/** What a 202 says about a start that is still pending. */
export const startPendingBody = (state: ProcessStartState | undefined) => ({
  pending: true,
  attempts: state?.attempts ?? 0,
  lastError: state?.lastError ?? null,
  nextAttemptAt: state?.nextAttemptAt ?? null,
  message: '已受理并保存；流程将在工作流服务恢复后自动启动，原受理时间不变',
});

/**
 * An action needs a running process: a start still pending is tried once more, and if Temporal is
 * still away the action answers 503 with Retry-After (the start is not lost; retry the action).
 */
export async function requireStarted(deps: ApiDeps, workflowId: string): Promise<void> {
  const state = await processStartState(deps.pool, workflowId);
  if (!state || state.startedAt) return;
  const retried = await startNow(deps, workflowId);
  if (retried?.startedAt) return;
  const wait = retried?.nextAttemptAt ? Math.max(1, Math.ceil((Date.parse(retried.nextAttemptAt) - Date.now()) / 1000)) : 5;
  throw unavailable(`the process ${workflowId} is stored but not started yet (the workflow service is unreachable); retry later`, wait, { rule: 'start_pending', start: startPendingBody(retried) });
}

/** The workflow no longer exists or has closed (deleted, purged, or completed before a retried action). */
export function isGone(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  const e = err as { code?: number; cause?: { code?: number }; message?: string };
  return e?.code === 5 || e?.cause?.code === 5 || /already completed|workflow execution.*(not found|completed)/i.test(String(e?.message ?? ''));
}
