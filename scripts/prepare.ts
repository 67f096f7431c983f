/**
 * One-shot set-up of external backing services (docker-compose `setup` job, or by hand before a
 * deployment): applies migrations and registers the search attributes. Idempotent.
 */
import { ConfigError, loadConfig } from '../infra/config';
import { logger } from '../infra/logger';
import { prepareBackingServices } from '../infra/runtime';

async function main() {
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) throw new ConfigError('Invalid configuration:\n  DATABASE_URL and TEMPORAL_ADDRESS: both required to prepare external services');
  await prepareBackingServices({ databaseUrl: config.DATABASE_URL, temporalAddress: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, log: logger });
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
