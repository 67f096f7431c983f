import { proxyActivities } from '@temporalio/workflow';
import type { createRetimingActivities } from '../activities/retiming';
import type { CalendarNotice } from '../domain/calendar';

const { signalProvisionalDeadlines } = proxyActivities<ReturnType<typeof createRetimingActivities>>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
});

/** One re-timing per recorded publication (version): its id names the year, revision and version. */
export const calendarPublicationWorkflowId = (notice: Required<Pick<CalendarNotice, 'year' | 'revision' | 'publicationId'>>) =>
  `calendar-published-${notice.year}-r${notice.revision}-v${notice.publicationId}`;

export interface CalendarPublicationInput {
  year: number;
  basisPublishedAt?: string;
  /** The recorded publication every running deadline is re-timed from (absent in histories from before versions). */
  publication?: CalendarNotice;
}

/**
 * A calendar year was published: every running workflow whose deadline may depend on it is told
 * which recorded version to re-time from (the clock ignores a version it has already applied).
 * Durable, so a crash between storing the year and telling the workflows loses nothing.
 */
export async function calendarPublicationWorkflow(input: CalendarPublicationInput): Promise<{ signalled: number }> {
  // Old inputs named the year only: the activity then signals as it did (provisional deadlines, the latest calendar).
  return signalProvisionalDeadlines(input.publication ?? input.year);
}
