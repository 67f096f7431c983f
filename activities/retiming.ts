import { heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { calendarPublishedSignal } from '../workflows/kit/process';

/** Activities that talk to Temporal itself (visibility and signals). */
export function createRetimingActivities({ temporal }: { temporal?: Client }) {
  return {
    async signalProvisionalDeadlines(year: number): Promise<{ signalled: number }> {
      if (!temporal) throw new Error('no Temporal client configured for this worker');
      let signalled = 0;
      for await (const wf of temporal.workflow.list({ query: 'DeadlineProvisional = true AND ExecutionStatus = "Running"' })) {
        try {
          await temporal.workflow.getHandle(wf.workflowId, wf.runId).signal(calendarPublishedSignal, { year });
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
