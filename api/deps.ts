import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Config } from '../infra/config';
import type { Logger } from '../infra/logger';

/** What route handlers may use; built once at start. */
export interface ApiDeps {
  config: Config;
  pool: Pool;
  temporal: Client;
  log: Logger;
}
