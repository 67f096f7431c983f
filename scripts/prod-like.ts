/**
 * `npm run prod-like`: the production deployment of docker-compose.yml, run here without Docker, and
 * the smoke scenario (scripts/smoke.ts) against it.
 *
 *  1. The image: the Dockerfile's own instructions executed in a temporary directory (COPY from the
 *     build context = the files git carries, RUN with sh, ENV, the final stage's COPY --from), so
 *     `npm ci`, `npm run build`, the migrations copy and `npm prune --omit=dev` are exactly the
 *     image's, and the services then run from the final stage alone (node_modules, dist,
 *     package.json): a file the image lacks fails here too.
 *  2. Postgres: the embedded one, prepared by deploy/postgres/roles.sql as the compose `postgres`
 *     service's init.sh does (roles temporal, sanxiang_owner, sanxiang_app).
 *  3. Temporal: with --temporal=server (default) the real server, go.temporal.io/server at the
 *     version the CLI embeds, built by `scripts/install-tools.sh temporal-server`: schema by
 *     temporal-sql-tool through deploy/temporal/setup.sh schema, the server with
 *     deploy/temporal/config/production.yaml on loopback only, then setup.sh namespace (retention
 *     from the compose file). With --temporal=dev the CLI dev server stands in (faster; no Go).
 *  4. The compose services setup, worker and api: their `command` and `environment` from
 *     docker-compose.yml (secrets generated), with only the addresses rewritten to this machine.
 *  5. scripts/smoke.ts, then the workflow it ran is described on the Temporal server.
 *
 * Options: --temporal=server|dev, --ref=<commit> (build context from a commit instead of the
 * working tree), --keep (leave the temporary directory). Prints timings and sizes.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { parse as parseYaml } from 'yaml';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { connectTemporal, createClient } from '../infra/temporal';
import { freePort, startTemporalDevServer, waitForPort } from '../infra/temporal-dev-server';
import { temporalCliPath, toolsDir } from '../infra/tools';
import { runSmoke } from './smoke';

const ROOT = path.resolve(__dirname, '..');
const TEMPORAL_SERVER_VERSION = 'v1.29.1';

const args = process.argv.slice(2);
const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const temporalMode = (opt('temporal') ?? 'server') as 'server' | 'dev';
const ref = opt('ref');
const keep = args.includes('--keep');

const timings: Record<string, number> = {};
const log = (line: string) => console.error(`[prod-like] ${line}`);
async function timed<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const started = Date.now();
  log(`${name} …`);
  try {
    return await fn();
  } finally {
    timings[name] = Date.now() - started;
    log(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

const stops: Array<() => Promise<void> | void> = [];

async function main() {
  if (temporalMode !== 'server' && temporalMode !== 'dev') throw new Error('--temporal=server|dev');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sanxiang-prod-like-'));
  stops.push(() => (keep ? log(`kept ${work}`) : fs.rmSync(work, { recursive: true, force: true })));
  log(`working in ${work}`);

  // 1. The image, by the Dockerfile.
  const context = await timed('build context', () => buildContext(path.join(work, 'context')));
  const image = await timed('image (Dockerfile)', () => buildImage(path.join(ROOT, 'Dockerfile'), context, path.join(work, 'stages')));
  const sizes = { nodeModulesMiB: mib(duBytes(path.join(image.root, 'node_modules'))), distKiB: Math.round(duBytes(path.join(image.root, 'dist')) / 1024) };
  log(`image: node_modules ${sizes.nodeModulesMiB} MiB, dist ${sizes.distKiB} KiB`);

  // The compose file with generated secrets.
  const secrets: Record<string, string> = {
    JWT_SECRET: randomBytes(32).toString('base64url'),
    POSTGRES_PASSWORD: randomBytes(12).toString('hex'),
    TEMPORAL_DB_PASSWORD: randomBytes(12).toString('hex'),
    SANXIANG_OWNER_PASSWORD: randomBytes(12).toString('hex'),
    SANXIANG_APP_PASSWORD: randomBytes(12).toString('hex'),
  };
  const compose = loadCompose(path.join(ROOT, 'docker-compose.yml'), secrets);

  // 2. Postgres with the deployment's roles.
  const pgPort = await freePort();
  const pg = await timed('postgres (embedded) + roles.sql', async () => {
    const handle = await startEmbeddedPostgres({ dataDir: path.join(work, 'postgres'), port: pgPort, database: 'postgres', persistent: false });
    stops.push(() => handle.stop());
    await runPsqlFile(handle.databaseUrl, path.join(ROOT, 'deploy/postgres/roles.sql'), {
      temporal_password: compose.services.postgres.environment.TEMPORAL_DB_PASSWORD!,
      owner_password: compose.services.postgres.environment.SANXIANG_OWNER_PASSWORD!,
      app_password: compose.services.postgres.environment.SANXIANG_APP_PASSWORD!,
    });
    return handle;
  });

  // 3. Temporal.
  const namespace = compose.services.api.environment.TEMPORAL_NAMESPACE!;
  const temporalAddress = await timed(`temporal (${temporalMode})`, async () => {
    if (temporalMode === 'dev') {
      const dev = await startTemporalDevServer({ port: await freePort(), namespace });
      stops.push(() => dev.stop());
      return dev.address;
    }
    return startTemporalServer(work, compose, pgPort);
  });

  // 4. setup (one-shot), worker, api: the compose services, from the image.
  // Only the addresses differ from the compose network.
  const local = (env: Record<string, string>) => ({ ...env, DATABASE_URL: rewritePostgresUrl(env.DATABASE_URL!, pgPort), TEMPORAL_ADDRESS: temporalAddress });
  await timed('setup job (migrations as sanxiang_owner, search attributes)', () =>
    runToCompletion('setup', compose.services.setup.command, image, local(compose.services.setup.environment), work),
  );
  const apiPort = await freePort();
  const worker = startService('worker', compose.services.worker.command, image, local(compose.services.worker.environment), work);
  const api = startService('api', compose.services.api.command, image, { ...local(compose.services.api.environment), PORT: String(apiPort), HOST: '127.0.0.1' }, work);
  await timed('api ready', () => waitForReady(`http://127.0.0.1:${apiPort}`, api, work));

  // 5. Smoke, and the workflow on the server.
  const smoke = await timed('smoke scenario', () => runSmoke({ baseUrl: `http://127.0.0.1:${apiPort}`, jwtSecret: compose.services.api.environment.JWT_SECRET!, log }));
  const described = await timed('workflow on the Temporal server', async () => {
    const connection = await connectTemporal(temporalAddress);
    try {
      const client = createClient(connection, namespace);
      const d = await client.workflow.getHandle(smoke.workflowId).describe();
      if (d.status.name !== 'COMPLETED') throw new Error(`workflow ${smoke.workflowId}: ${d.status.name}`);
      const ns = await connection.workflowService.describeNamespace({ namespace });
      const retentionDays = Number(ns.config?.workflowExecutionRetentionTtl?.seconds ?? 0) / 86_400;
      return { workflowId: smoke.workflowId, status: d.status.name, processKind: d.searchAttributes?.ProcessKind, namespace, retentionDays };
    } finally {
      await connection.close();
    }
  });
  const appRole = await checkAppRole(rewritePostgresUrl(compose.services.api.environment.DATABASE_URL!, pgPort));

  await stopChild(api);
  await stopChild(worker);
  console.log(JSON.stringify({ ok: true, temporal: temporalMode, postgres: pg.databaseUrl.replace(/:[^:@/]+@/, ':***@'), timingsMs: timings, sizes, smoke: smoke.checks, workflow: described, appRole }, null, 2));
}

// ---------------------------------------------------------------------------------------------
// Build context and image

/** The files `docker build .` would send: what git carries (tracked + untracked, not ignored; see .dockerignore). */
function buildContext(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  if (ref) {
    execFileSync('sh', ['-c', `git -C "$0" archive "$1" | tar -x -C "$2"`, ROOT, ref, dir]);
    return dir;
  }
  const listed = execFileSync('git', ['-C', ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { maxBuffer: 64 << 20 }).toString('utf8').split('\0').filter(Boolean);
  const ignored = dockerIgnore();
  for (const rel of listed) {
    if (ignored(rel)) continue;
    const from = path.join(ROOT, rel);
    if (!fs.existsSync(from)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.cpSync(from, path.join(dir, rel), { verbatimSymlinks: true });
  }
  return dir;
}

/** .dockerignore's simple patterns (names and globs of a path or any of its parents). */
function dockerIgnore(): (rel: string) => boolean {
  const file = path.join(ROOT, '.dockerignore');
  const patterns = fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];
  const regexes = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`));
  return (rel) => {
    const parts = rel.split('/');
    return parts.some((_, i) => regexes.some((r) => r.test(parts.slice(0, i + 1).join('/')) || r.test(parts[i]!)));
  };
}

interface Image {
  root: string;
  env: Record<string, string>;
  cmd: string[];
}

/**
 * Executes the Dockerfile: each stage's WORKDIR is a directory of its own; COPY copies from the
 * context (or --from a stage); RUN runs with sh -c in the WORKDIR with the stage's ENV. FROM's base
 * image is this machine (its node must have the same major version); USER and EXPOSE only matter
 * to a container. Any other instruction is refused, so a Dockerfile this cannot follow fails here.
 */
function buildImage(dockerfile: string, context: string, stagesDir: string): Image {
  const lines = fs
    .readFileSync(dockerfile, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages = new Map<string, { root: string; workdir: string }>();
  let stage: { name: string; root: string; workdir: string; env: Record<string, string>; cmd: string[] } | undefined;
  let index = 0;
  const inStage = (p: string, s: { root: string; workdir: string }) => path.join(s.root, path.posix.isAbsolute(p) ? path.posix.relative(s.workdir, p) : p);
  for (const line of lines) {
    const [instruction, ...rest] = line.split(/\s+/);
    const argText = line.slice(instruction!.length).trim();
    switch (instruction!.toUpperCase()) {
      case 'FROM': {
        const [base, as, name] = rest;
        const major = /^node:(\d+)/.exec(base ?? '')?.[1];
        if (!major) throw new Error(`Dockerfile: FROM ${base}: only node:<major>… bases can be followed here`);
        if (process.versions.node.split('.')[0] !== major) throw new Error(`Dockerfile: FROM ${base}, but this machine runs node ${process.versions.node}`);
        const stageName = as?.toUpperCase() === 'AS' && name ? name : `stage${index}`;
        stage = { name: stageName, root: path.join(stagesDir, `${index++}-${stageName}`), workdir: '/', env: {}, cmd: [] };
        fs.mkdirSync(stage.root, { recursive: true });
        stages.set(stageName, stage);
        break;
      }
      case 'WORKDIR':
        if (!stage) throw new Error('Dockerfile: WORKDIR before FROM');
        if (argText !== '/app') throw new Error(`Dockerfile: WORKDIR ${argText}: expected /app`);
        stage.workdir = argText;
        break;
      case 'ENV':
        for (const pair of argText.split(/\s+/)) {
          const eq = pair.indexOf('=');
          if (eq < 1) throw new Error(`Dockerfile: ENV ${pair}: use KEY=value`);
          stage!.env[pair.slice(0, eq)] = pair.slice(eq + 1);
        }
        break;
      case 'COPY': {
        const fromFlag = rest[0]?.startsWith('--from=') ? rest.shift()!.slice('--from='.length) : undefined;
        const dest = rest.pop()!;
        const source = fromFlag ? stages.get(fromFlag) : undefined;
        if (fromFlag && !source) throw new Error(`Dockerfile: COPY --from=${fromFlag}: no such stage`);
        const destPath = inStage(dest, stage!);
        const intoDir = dest.endsWith('/') || rest.length > 1;
        for (const src of rest) {
          const from = source ? inStage(src, source) : path.join(context, src);
          const to = src === '.' || !intoDir ? destPath : path.join(destPath, path.basename(src));
          fs.mkdirSync(path.dirname(to), { recursive: true });
          fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true });
        }
        break;
      }
      case 'RUN': {
        log(`  RUN ${argText}`);
        const started = Date.now();
        const r = spawnSync('sh', ['-c', argText], { cwd: stage!.root, env: { ...process.env, ...stage!.env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });
        timings[`RUN ${argText.split('&&')[0]!.trim()}`] = Date.now() - started;
        if (r.status !== 0) throw new Error(`Dockerfile: RUN ${argText} failed (exit ${r.status}):\n${tail(r.stdout.toString() + r.stderr.toString(), 60)}`);
        break;
      }
      case 'CMD':
        stage!.cmd = JSON.parse(argText);
        break;
      case 'USER':
      case 'EXPOSE':
        break;
      default:
        throw new Error(`Dockerfile: ${instruction} cannot be followed by scripts/prod-like.ts`);
    }
  }
  if (!stage) throw new Error('Dockerfile: no stage');
  // Absolute paths into the final stage's WORKDIR (e.g. WORKFLOW_BUNDLE_PATH) point into its directory.
  const env = Object.fromEntries(Object.entries(stage.env).map(([k, v]) => [k, v.startsWith(`${stage!.workdir}/`) ? inStage(v, stage!) : v]));
  return { root: stage.root, env, cmd: stage.cmd };
}

// ---------------------------------------------------------------------------------------------
// docker-compose.yml

interface ComposeService {
  command: string[];
  environment: Record<string, string>;
}
const SERVICES = ['postgres', 'temporal-schema', 'temporal', 'temporal-namespace', 'setup', 'api', 'worker'] as const;
type Compose = { services: Record<(typeof SERVICES)[number], ComposeService> };

/** The compose file with ${VAR}, ${VAR:-default} and ${VAR:?error} filled from `vars`, YAML merge keys applied. */
function loadCompose(file: string, vars: Record<string, string>): Compose {
  const text = fs.readFileSync(file, 'utf8').replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind: string | undefined, arg: string | undefined) => {
    const value = vars[name];
    if (value !== undefined && value !== '') return value;
    if (kind === '-') return arg ?? '';
    if (kind === '?') throw new Error(`docker-compose.yml: ${name} is required (${arg}) and prod-like does not set it`);
    return '';
  });
  const doc = parseYaml(text, { merge: true }) as { services: Record<string, { command?: string[]; environment?: Record<string, string> }> };
  const services: Record<string, ComposeService> = {};
  for (const [name, s] of Object.entries(doc.services)) {
    services[name] = { command: s.command ?? [], environment: Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)])) };
  }
  for (const needed of SERVICES) {
    if (!services[needed]) throw new Error(`docker-compose.yml: no service ${needed}`);
  }
  return { services } as Compose;
}

function rewritePostgresUrl(url: string, port: number): string {
  const u = new URL(url);
  if (u.hostname !== 'postgres') throw new Error(`expected the compose postgres service in ${url.replace(/:[^:@/]+@/, ':***@')}`);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

// ---------------------------------------------------------------------------------------------
// Postgres

/** A psql script of plain statements, `:'name'` variables and `\connect db` lines, as psql runs it. */
async function runPsqlFile(superuserUrl: string, file: string, variables: Record<string, string>): Promise<void> {
  const literal = (v: string) => `'${v.replace(/'/g, "''")}'`;
  const text = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !l.trim().startsWith('--'))
    .join('\n')
    .replace(/:'(\w+)'/g, (_, name: string) => {
      if (variables[name] === undefined) throw new Error(`${file}: no value for :'${name}'`);
      return literal(variables[name]!);
    });
  let client = new PgClient({ connectionString: superuserUrl });
  await client.connect();
  try {
    for (const raw of text.split(/;\s*\n|\n(?=\\)/)) {
      const stmt = raw.trim();
      if (!stmt) continue;
      const connect = /^\\(?:c|connect)\s+(\S+)/.exec(stmt);
      if (connect) {
        await client.end();
        const u = new URL(superuserUrl);
        u.pathname = `/${connect[1]}`;
        client = new PgClient({ connectionString: u.toString() });
        await client.connect();
        const restOfChunk = stmt.slice(connect[0].length).trim();
        if (restOfChunk) await client.query(restOfChunk);
        continue;
      }
      await client.query(stmt);
    }
  } finally {
    await client.end();
  }
}

/** The role the API and worker use may not create tables, nor change the case record. */
async function checkAppRole(appUrl: string) {
  const c = new PgClient({ connectionString: appUrl });
  await c.connect();
  try {
    const refused = async (sql: string) => {
      try {
        await c.query(sql);
        return false;
      } catch (err) {
        return (err as { code?: string }).code === '42501'; // insufficient_privilege
      }
    };
    const result = {
      user: (await c.query('SELECT current_user AS u')).rows[0].u as string,
      createTableRefused: await refused('CREATE TABLE prod_like_probe (x int)'),
      caseRecordUpdateRefused: await refused('UPDATE case_record SET summary = summary WHERE false'),
    };
    if (!result.createTableRefused || !result.caseRecordUpdateRefused) throw new Error(`the app role has too many rights: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Temporal server

async function startTemporalServer(work: string, compose: Compose, pgPort: number): Promise<string> {
  const install = spawnSync('bash', [path.join(ROOT, 'scripts/install-tools.sh'), 'temporal-server'], { stdio: 'inherit' });
  if (install.status !== 0) throw new Error('scripts/install-tools.sh temporal-server failed (needs Go); or run with --temporal=dev');
  const serverDir = path.join(toolsDir(), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  const cli = temporalCliPath();
  if (!cli) throw new Error('no Temporal CLI (npm run tools) for setup.sh namespace');
  const PATH = [serverDir, path.dirname(cli), process.env.PATH].join(path.delimiter);
  let server: ChildProcess | undefined;
  const logFile = path.join(work, 'temporal-server.log');
  const setup = async (phase: string, env: Record<string, string>) => {
    const out = path.join(work, `temporal-setup-${phase}.log`);
    const fd = fs.openSync(out, 'a');
    const child = spawn('sh', [path.join(ROOT, 'deploy/temporal/setup.sh'), phase], { env: { PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', fd, fd] });
    const serverDied = new Promise<'server-died'>((resolve) => server?.once('exit', () => resolve('server-died')));
    const code = await Promise.race([new Promise<number | null>((resolve) => child.once('exit', resolve)), serverDied]);
    if (code === 'server-died') child.kill();
    if (code !== 0) {
      const why = code === 'server-died' ? `temporal-server exited:\n${tail(fs.readFileSync(logFile, 'utf8'), 30)}` : tail(fs.readFileSync(out, 'utf8'), 30);
      throw new Error(`setup.sh ${phase} failed: ${why}`);
    }
  };

  const schemaEnv = compose.services['temporal-schema'].environment;
  await timed('  temporal-sql-tool schema (setup.sh schema)', () =>
    setup('schema', { ...schemaEnv, SQL_HOST: '127.0.0.1', SQL_PORT: String(pgPort), TEMPORAL_SCHEMA_DIR: path.join(serverDir, 'schema/postgresql/v12') }),
  );

  // Temporal's own layout (membership 6933.., frontend 7233 = base + 300, history, matching, worker).
  const base = await freePortRange([0, 1, 2, 6, 300, 301, 302, 306]);
  const frontendPort = base + 300;
  const serverEnv = {
    ...compose.services.temporal.environment,
    TEMPORAL_DB_HOST: '127.0.0.1',
    TEMPORAL_DB_PORT: String(pgPort),
    TEMPORAL_BIND_IP: '127.0.0.1', // loopback only
    TEMPORAL_FRONTEND_PORT: String(frontendPort),
    TEMPORAL_PORT_BASE: String(base),
    TEMPORAL_LOG_LEVEL: 'warn',
  };
  const out = fs.openSync(logFile, 'a');
  // The compose entrypoint's arguments, with this checkout as the root of the config directory.
  const child = (server = spawn(path.join(serverDir, 'temporal-server'), ['--root', ROOT, '--config', 'deploy/temporal/config', '--env', 'production', '--allow-no-auth', 'start'], {
    env: { PATH, HOME: process.env.HOME, ...serverEnv },
    stdio: ['ignore', out, out],
  }));
  stops.push(() => stopChild(child));
  await timed('  temporal-server listening', () => waitForPort(frontendPort, 60_000, child, () => tail(fs.readFileSync(logFile, 'utf8'), 30)));
  const address = `127.0.0.1:${frontendPort}`;
  const nsEnv = compose.services['temporal-namespace'].environment;
  await timed('  namespace with retention (setup.sh namespace)', () => setup('namespace', { ...nsEnv, TEMPORAL_ADDRESS: address }));
  const listening = execFileSync('sh', ['-c', `ss -ltnH 2>/dev/null | awk '{print $4}' || true`]).toString();
  const exposed = listening.split('\n').filter((a) => [frontendPort, base].some((p) => a.endsWith(`:${p}`)) && !a.startsWith('127.0.0.1:'));
  if (exposed.length) throw new Error(`temporal-server listens beyond loopback: ${exposed.join(', ')}`);
  return address;
}

/** A base port such that base+offset is free for every offset. */
async function freePortRange(offsets: number[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Temporal stores its membership RPC port in a smallint column (cluster_membership.rpc_port):
    // a port above 32767 makes the server die at start ('value … is out of range for type smallint').
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const ok = await Promise.all(offsets.map((o) => isFree(base + o)));
    if (ok.every(Boolean)) return base;
  }
  throw new Error('no free port range for the Temporal server');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

// ---------------------------------------------------------------------------------------------
// The image's processes

/** Environment of a container: the image's ENV, then the compose service's, nothing of this shell but PATH. */
function containerEnv(image: Image, env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...image.env, ...env };
}

function startService(name: string, command: string[], image: Image, env: Record<string, string>, work: string): ChildProcess {
  const cmd = command.length ? command : image.cmd;
  const out = fs.openSync(path.join(work, `${name}.log`), 'a');
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: image.root, env: containerEnv(image, env), stdio: ['ignore', out, out] });
  stops.push(() => stopChild(child));
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') log(`${name} exited (${signal ?? code}); log: ${path.join(work, `${name}.log`)}`);
  });
  return child;
}

async function runToCompletion(name: string, command: string[], image: Image, env: Record<string, string>, work: string): Promise<void> {
  const child = startService(name, command, image, env, work);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${name} failed (exit ${code}):\n${tail(fs.readFileSync(path.join(work, `${name}.log`), 'utf8'), 40)}`);
}

async function waitForReady(baseUrl: string, child: ChildProcess, work: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`api exited:\n${tail(fs.readFileSync(path.join(work, 'api.log'), 'utf8'), 40)}`);
    try {
      const r = await fetch(`${baseUrl}/ready`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`api not ready after 60 s:\n${tail(fs.readFileSync(path.join(work, 'api.log'), 'utf8'), 40)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

// ---------------------------------------------------------------------------------------------

function duBytes(p: string): number {
  return Number(execFileSync('du', ['-sb', p]).toString().split('\t')[0]);
}
const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
const tail = (text: string, lines: number) => text.trim().split('\n').slice(-lines).join('\n');

async function stopAll(): Promise<void> {
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch (err) {
      log(`stop failed: ${String(err)}`);
    }
  }
}

const started = Date.now();
main().then(
  async () => {
    await stopAll();
    log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.exit(0);
  },
  async (err) => {
    console.error(`[prod-like] FAILED: ${err instanceof Error ? err.message : String(err)}`);
    await stopAll();
    process.exit(1);
  },
);
process.once('SIGINT', () => {
  void stopAll().then(() => process.exit(130));
});
