/**
 * `npm run fuzz` (issue 14): Schemathesis against the running service's /openapi.json with a valid
 * token, checking that no request gets a server error (5xx). The service runs here on its own:
 * embedded Postgres and a Temporal dev server in a temporary directory, migrations as the owner,
 * the API and worker as the least-privileged role, loopback only.
 *
 *   npm run fuzz                    a few thousand requests (every operation, up to 25 examples each, plus the coverage phase)
 *   npm run fuzz -- --short         a few hundred (CI, after the tests)
 *   npm run fuzz -- --examples 50   more per operation
 *
 * Schemathesis comes from PyPI into the tools cache (scripts/install-schemathesis.sh, idempotent).
 * Exit code: Schemathesis' own (0 = no failures).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { signToken } from '../api/auth';
import { loadConfig } from '../infra/config';
import { ensureAppRole } from '../infra/db';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { logger } from '../infra/logger';
import { prepareBackingServices, runService } from '../infra/runtime';
import { freePort, startTemporalDevServer } from '../infra/temporal-dev-server';

const args = process.argv.slice(2);
const short = args.includes('--short');
const examplesArg = args.indexOf('--examples');
const examples = examplesArg >= 0 ? Number(args[examplesArg + 1]) : short ? 2 : 25;

async function main(): Promise<number> {
  const st = execFileSync('bash', [path.join(__dirname, 'install-schemathesis.sh')], { stdio: ['ignore', 'pipe', 'inherit'] }).toString().trim();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sanxiang-fuzz-'));
  const log = logger.child({}, { level: 'warn' });
  const stops: Array<() => Promise<void>> = [];
  try {
    const pg = await startEmbeddedPostgres({ dataDir: path.join(work, 'postgres'), port: await freePort(), log: () => undefined });
    stops.unshift(pg.stop);
    const temporal = await startTemporalDevServer({ port: await freePort(), uiPort: await freePort(), namespace: 'default', log: () => undefined });
    stops.unshift(temporal.stop);
    await prepareBackingServices({ databaseUrl: pg.databaseUrl, temporalAddress: temporal.address, namespace: 'default', log });
    const appUrl = await ensureAppRole(pg.databaseUrl);
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: appUrl,
      TEMPORAL_ADDRESS: temporal.address,
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      LOG_LEVEL: 'error',
      JWT_SECRET: randomBytes(32).toString('base64url'),
      // The fuzzer is one client sending thousands of requests: rate limits would answer 429s instead of exercising the routes.
      RATE_LIMIT_PER_TOKEN: '1000000',
      RATE_LIMIT_PER_IP: '1000000',
      // No outbound traffic from fuzzed webhook targets.
      WEBHOOK_ALLOWED_HOSTS: '',
    });
    const service = await runService({ config, log, databaseUrl: appUrl, temporalAddress: temporal.address, api: true, worker: true });
    stops.unshift(service.stop);
    const base = `http://127.0.0.1:${((service.server as Server).address() as AddressInfo).port}`;
    // Every role of one unit: every operation is reachable, so the fuzzer gets past 403 into the handlers.
    const token = await signToken(config.JWT_SECRET, { personId: 'fuzz-0001', unit: 'benxi.ybj', roles: ['handler', 'reviewer', 'head', 'publisher', 'admin'] }, '2h');
    const report = path.join(process.cwd(), '.data', 'fuzz');
    fs.mkdirSync(report, { recursive: true });
    const stArgs = [
      'run',
      `${base}/openapi.json`,
      '--checks',
      'not_a_server_error',
      '--header',
      `Authorization: Bearer ${token}`,
      '--max-examples',
      String(examples),
      '--phases',
      short ? 'examples,fuzzing' : 'examples,coverage,fuzzing',
      '--workers',
      '2',
      '--request-timeout',
      '30',
      '--suppress-health-check',
      'all',
      '--seed',
      process.env.FUZZ_SEED ?? (short ? '1414' : String(Date.now() % 100000)),
      '--report',
      'junit',
      '--report-dir',
      report,
    ];
    console.log(`[fuzz] ${path.basename(st)} ${stArgs.filter((a) => !a.startsWith('Authorization')).join(' ')}`);
    const code = await new Promise<number>((resolve) => {
      // In the temporary directory: Schemathesis keeps its example database (.schemathesis/) in its working directory.
      const child = spawn(st, stArgs, { stdio: 'inherit', cwd: work, env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_HOOKS: '' } });
      child.on('exit', (c) => resolve(c ?? 1));
    });
    console.log(`[fuzz] ${code === 0 ? 'no server errors' : 'FAILURES (see above)'}; JUnit report in ${report}`);
    return code;
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
