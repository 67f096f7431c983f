import { proxyActivities } from '@temporalio/workflow';
import type { createRetimingActivities } from '../activities/retiming';

const { signalProvisionalDeadlines } = proxyActivities<ReturnType<typeof createRetimingActivities>>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
});

export const calendarPublicationWorkflowId = (year: number, publishedAt: string) => `calendar-published-${year}-${publishedAt}`;

/**
 * A calendar year was published: every running workflow whose deadline was provisional gets it
 * recomputed. Durable, so a crash between storing the year and telling the workflows loses nothing.
 */
export async function calendarPublicationWorkflow(input: { year: number }): Promise<{ signalled: number }> {
  return signalProvisionalDeadlines(input.year);
}
