import type { Express } from 'express';
import type { ApiDeps } from '../deps';

/** Liveness, readiness (Postgres and Temporal reachable) and the OpenAPI document. */
export function mountSystemRoutes(app: Express, deps: ApiDeps, openApi: () => unknown): void {
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    const checks = await Promise.all([
      probe('postgres', () => deps.pool.query('SELECT 1')),
      probe('temporal', () => deps.temporal.connection.workflowService.getSystemInfo({})),
    ]);
    const ready = checks.every((c) => c.ok);
    // The reason goes to the log, not to whoever asks: no internal error text in the answer.
    for (const c of checks) if (!c.ok) deps.log.warn({ check: c.name, error: c.error }, 'not ready');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(checks.map((c) => [c.name, c.ok ? 'ok' : 'unavailable'])) });
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi());
  });
}

async function probe(name: string, fn: () => Promise<unknown>): Promise<{ name: string; ok: boolean; error?: string }> {
  try {
    await withTimeout(fn(), 3_000);
    return { name, ok: true };
  } catch (err) {
    return { name, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);
}
