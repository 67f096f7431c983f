import type { Pool } from 'pg';
import type { Config } from '../infra/config';
import type { Logger } from '../infra/logger';

/** What activities may use; built once per worker. */
export interface ActivityDeps {
  pool: Pool;
  config: Config;
  log: Logger;
}

/** All activities, grouped by the system they touch; workflows proxy `Activities`. */
export function createActivities(_deps: ActivityDeps) {
  return {};
}

export type Activities = ReturnType<typeof createActivities>;
