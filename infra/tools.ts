import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where scripts/install-tools.sh caches the Temporal CLI and the Java test server (outside the repo). */
export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SANXIANG_TOOLS_DIR ?? path.join(os.homedir(), '.cache', 'sanxiang-tools');
}

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEST_SERVER_VERSION = '1.32.1';

/** The Temporal CLI to run the dev server with, or undefined to let the SDK download one. */
export function temporalCliPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TEMPORAL_CLI_PATH) return env.TEMPORAL_CLI_PATH;
  const cached = path.join(toolsDir(env), `temporal-${TEMPORAL_CLI_VERSION}`, 'temporal');
  return fs.existsSync(cached) ? cached : undefined;
}

/** The Java time-skipping test server wrapper, or undefined to let the SDK download one. */
export function testServerPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TEMPORAL_TEST_SERVER_PATH) return env.TEMPORAL_TEST_SERVER_PATH;
  const cached = path.join(toolsDir(env), `temporal-test-server-${TEST_SERVER_VERSION}`, 'temporal-test-server');
  return fs.existsSync(cached) ? cached : undefined;
}
