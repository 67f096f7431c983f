import type { PlanState } from '../domain/rollout/types';
import { PlanStore } from '../infra/plan-store';
import type { ActivityDeps } from './index';
import { permanentUnlessTransient } from './records';

export interface PlanProjection {
  workflowId: string;
  runId: string;
  asOf: string;
  view: PlanState;
}

/** Activities of the rollout plan: its `plans` row follows the newest run's state. */
export function createRolloutActivities({ pool }: Pick<ActivityDeps, 'pool'>) {
  const store = new PlanStore(pool);
  return {
    async projectPlan(p: PlanProjection): Promise<{ applied: boolean }> {
      try {
        return await store.project(p);
      } catch (err) {
        return permanentUnlessTransient(err);
      }
    },
  };
}
