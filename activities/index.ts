import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Config } from '../infra/config';
import type { Logger } from '../infra/logger';
import { createAnchorActivities } from './anchors';
import { createCalendarActivities } from './calendar';
import { createCaseActivities } from './cases';
import { createDigestActivities } from './digest';
import { createDisclosureActivities } from './disclosure';
import { createDocumentActivities } from './documents';
import { createEnforcementActivities } from './enforcement';
import { createNotificationActivities } from './notifications';
import { createRecordActivities } from './records';
import { createRetimingActivities } from './retiming';
import { createReviewActivities } from './reviews';
import { createRolloutActivities } from './rollout';
import { createDrawActivities } from './draws';
import { createStatisticsActivities } from './statistics';

/** What activities may use; built once per worker. */
export interface ActivityDeps {
  pool: Pool;
  config: Config;
  log: Logger;
  /** For activities that list or signal workflows. */
  temporal?: Client;
}

/** All activities, grouped by the system they touch; workflows proxy `Activities`. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createCalendarActivities(deps),
    ...createAnchorActivities(deps),
    ...createRetimingActivities(deps),
    ...createReviewActivities(deps),
    ...createCaseActivities(deps),
    ...createRecordActivities(deps),
    ...createDocumentActivities(deps),
    ...createNotificationActivities(deps),
    ...createDigestActivities(deps),
    ...createEnforcementActivities(deps),
    ...createRolloutActivities(deps),
    ...createDrawActivities(deps),
    ...createDisclosureActivities(deps),
    ...createStatisticsActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
