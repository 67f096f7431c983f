/**
 * `npm start`: the whole service in one terminal on embedded defaults (or on DATABASE_URL /
 * TEMPORAL_ADDRESS when set): Postgres, the Temporal dev server with its UI, the worker and the API.
 */
import { DEMO_PERSON_ID, signToken } from '../api/auth';
import { ConfigError, loadConfig } from '../infra/config';
import { ensureAppRole } from '../infra/db';
import { logger } from '../infra/logger';
import { ensureBackingServices, onShutdownSignal, prepareBackingServices, runService } from '../infra/runtime';

async function main() {
  const config = loadConfig();
  const log = logger;
  const backing = await ensureBackingServices(config, log);
  const stopBacking = async () => {
    for (const stop of [...backing.stops].reverse()) await stop().catch((err) => log.error({ err }, 'stop failed'));
  };
  onShutdownSignal(log, stopBacking);
  await prepareBackingServices({ databaseUrl: backing.databaseUrl, temporalAddress: backing.temporalAddress, namespace: config.TEMPORAL_NAMESPACE, log });
  // Embedded Postgres: migrations ran as the owner (the cluster's superuser); the service runs as
  // the least-privileged role (issue 14), as in compose. An external DATABASE_URL is used as given.
  const serviceDatabaseUrl = config.DATABASE_URL ? backing.databaseUrl : await ensureAppRole(backing.databaseUrl);
  const service = await runService({ config, log, databaseUrl: serviceDatabaseUrl, temporalAddress: backing.temporalAddress, api: true, worker: true });
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  onShutdownSignal(log, async () => {
    await service.stop();
    await stopBacking();
  });

  // Short-lived and one role: a leaked banner token is worth little; other roles on request.
  const token = await signToken(config.JWT_SECRET, { personId: DEMO_PERSON_ID, unit: 'benxi.ybj', roles: ['handler'] }, '1h');
  const api = `http://localhost:${config.PORT}`;
  console.log(
    [
      '',
      '  三项制度 service is ready',
      `    API             ${api}   (health ${api}/health, OpenAPI ${api}/openapi.json)`,
      `    Temporal UI     ${backing.uiUrl ?? '(external Temporal: ' + backing.temporalAddress + ')'}`,
      `    Temporal gRPC   ${backing.temporalAddress}   namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TASK_QUEUE}`,
      `    Postgres        ${backing.databaseUrl.replace(/:[^:@/]+@/, ':***@')}`,
      ...(serviceDatabaseUrl !== backing.databaseUrl ? [`    service runs as ${serviceDatabaseUrl.replace(/:[^:@/]+@/, ':***@')}  (read/write rows, no DDL, case record append-only)`] : []),
      '',
      '  Demo token (unit benxi.ybj, role handler; valid 1 hour):',
      `    export TOKEN=${token}`,
      `    curl -s -H "Authorization: Bearer $TOKEN" ${api}/api/me`,
      '  Other tokens (1 hour, exactly the roles named): npm run -s token -- --unit benxi.sfj --roles supervisor',
      '  Ctrl-C stops everything; data stays in ' + config.DATA_DIR + '/',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
