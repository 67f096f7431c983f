import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createDrawActivities } from '../activities/draws';
import { DB_ACTIVITY } from './kit/activity-options';

const draws = proxyActivities<ReturnType<typeof createDrawActivities>>(DB_ACTIVITY);

export interface ScheduledDrawInput {
  unit: string;
  matter: string;
  count: number;
  inspectorsPerEntity: number;
  scheduleId: string;
}

/**
 * One run of a matter's Temporal Schedule (draw-<unit>-<matter>): makes the draw (the seed is made
 * by the activity at that moment; snapshots, record and the notice to the inspecting unit as for a
 * draw through the API). A refused draw (too few inspectors) fails this run visibly in the UI.
 */
export async function scheduledDrawWorkflow(input: ScheduledDrawInput): Promise<{ drawId: string; entities: string[] }> {
  const made = await draws.makeScheduledDraw({ ...input, scheduleId: input.scheduleId || workflowInfo().workflowId });
  return { drawId: made.drawId, entities: made.entities };
}
