/** Production entry for the API alone (docker-compose `api`): backing services must be given. */
import { ConfigError, loadConfig } from '../infra/config';
import { logger } from '../infra/logger';
import { onShutdownSignal, runService } from '../infra/runtime';

async function main() {
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) throw new ConfigError('Invalid configuration:\n  DATABASE_URL and TEMPORAL_ADDRESS: both required for the standalone API (npm start runs embedded ones)');
  const service = await runService({ config, log: logger, databaseUrl: config.DATABASE_URL, temporalAddress: config.TEMPORAL_ADDRESS, api: true, worker: false });
  onShutdownSignal(logger, service.stop);
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
