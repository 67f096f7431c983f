import { ApplicationFailure } from '@temporalio/common';
import { DrawRefused } from '../domain/draws/algorithm';
import { DrawStore } from '../infra/draw-store';
import type { ActivityDeps } from './index';
import { permanentUnlessTransient } from './records';

/** The scheduled draw (a Temporal Schedule per matter runs `scheduledDrawWorkflow`, which calls this). */
export function createDrawActivities({ pool, config }: Pick<ActivityDeps, 'pool' | 'config'>) {
  const store = new DrawStore(pool, { emailEnabled: Boolean(config.SMTP_URL) });
  return {
    async makeScheduledDraw(input: { unit: string; matter: string; count: number; inspectorsPerEntity: number; scheduleId: string }): Promise<{ drawId: string; entities: string[]; assignments: Array<{ entity: string; inspectors: string[] }> }> {
      try {
        const d = await store.create({ unit: input.unit, matter: input.matter, count: input.count, inspectorsPerEntity: input.inspectorsPerEntity, by: `schedule:${input.scheduleId}` });
        return { drawId: d.id, entities: d.entities, assignments: d.assignments };
      } catch (err) {
        if (err instanceof DrawRefused) throw ApplicationFailure.nonRetryable(err.message, err.rule);
        return permanentUnlessTransient(err);
      }
    },
  };
}
