import { heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { CalendarNotice } from '../domain/calendar';
import { calendarPublishedSignal } from '../workflows/kit/process';

/**
 * Which running workflows a publication may re-time: a provisional deadline, or one on or after
 * 1 January of the year (a deadline before it never consulted the year). The clock itself decides
 * (it knows the years it consulted); signalling one too many costs a signal, not a recomputation.
 */
export function retimingQuery(notice: CalendarNotice | number): string {
  if (typeof notice === 'number') return 'DeadlineProvisional = true AND ExecutionStatus = "Running"';
  return `ExecutionStatus = "Running" AND (DeadlineProvisional = true OR Deadline >= "${notice.year}-01-01T00:00:00+08:00")`;
}

/** Activities that talk to Temporal itself (visibility and signals). */
export function createRetimingActivities({ temporal }: { temporal?: Client }) {
  return {
    /**
     * Tells every running workflow the publication may concern which recorded version to re-time
     * from. Retried from the start after a failure: a workflow told twice ignores the second notice.
     * (A bare year is an input from before versions: provisional deadlines, `{ year }` as then.)
     */
    async signalProvisionalDeadlines(notice: CalendarNotice | number): Promise<{ signalled: number }> {
      if (!temporal) throw new Error('no Temporal client configured for this worker');
      const payload: CalendarNotice = typeof notice === 'number' ? { year: notice } : notice;
      let signalled = 0;
      for await (const wf of temporal.workflow.list({ query: retimingQuery(notice) })) {
        try {
          await temporal.workflow.getHandle(wf.workflowId, wf.runId).signal(calendarPublishedSignal, payload);
          signalled += 1;
        } catch (err) {
          // Closed between the listing and the signal: nothing left to re-time.
          if (!/not found|already completed/i.test(String((err as Error).message))) throw err;
        }
        heartbeat(signalled);
      }
      return { signalled };
    },
  };
}
