import { z } from 'zod';

/** Local default secret: `npm run token` signs with it; production must set its own JWT_SECRET. */
export const LOCAL_JWT_SECRET = 'local-development-secret-change-me-0123456789';

/**
 * Worker settings (issue 15), chosen by `npm run bench -- open`: open reviews and enforcements on ONE
 * worker run as production runs it (tsc build, prebuilt workflow bundle, node dist/worker/main.js).
 * Open cases sleep for days: the sticky cache only saves replays of processes busy right now, while
 * every cached workflow costs resident memory; an evicted one is replayed from its bounded
 * (continue-as-new) history when it next wakes. Measured (1,200 open processes, loaded machine):
 * idle worker 173 MB; cache 100 + heap flags 297 MB peak and steady; cache 250 + heap flags 332 MB;
 * cache 100 without flags and with 100 activity slots 365 MB; cache 500 without flags 563 MB (1,000).
 * - maxCachedWorkflows 100: five times the workflow task slots, ~0.3 MB each; RSS stays flat beyond it.
 * - maxConcurrentWorkflowTasks 20: as before (throughput is bound by CPU, not by slots).
 * - maxConcurrentActivities 20: twice the worker's Postgres pool (10); more only queue on the pool
 *   while holding memory (100 slots cost ~40 MB at the peak).
 * - reuseV8Context true (the SDK default): one V8 context for all workflows, not one each.
 * - stickyTimeoutMs 3,000 (SDK: 10,000): after a crash, tasks of workflows that the dead worker had
 *   cached wait this long on its sticky queue before the new worker may take them.
 * - nodeOptions: a 192 MB old-space cap bounds the worker's heap (RSS = heap + ~130 MB of code and
 *   native memory, under 400 MB), small semi-spaces save ~30 MB of young generation. Not applied
 *   from inside the process: the worker's command (NODE_OPTIONS) sets it; the bench passes it.
 * Each WORKER_* variable overrides its default.
 */
export const WORKER_DEFAULTS = {
  maxCachedWorkflows: 100,
  maxConcurrentWorkflowTasks: 20,
  maxConcurrentActivities: 20,
  reuseV8Context: true,
  stickyTimeoutMs: 3_000,
  nodeOptions: '--max-old-space-size=192 --max-semi-space-size=4',
} as const;

const optionalUrl = z
  .string()
  .trim()
  .min(1)
  .optional()
  .transform((v) => v || undefined);

const portNumber = z.coerce.number().int().min(1).max(65535);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  // Unset: the embedded Postgres / Temporal dev server is started. Set: used as given.
  DATABASE_URL: optionalUrl.pipe(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional()),
  TEMPORAL_ADDRESS: optionalUrl.pipe(z.string().regex(/^[\w.-]+:\d+$/, 'must be host:port').optional()),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TASK_QUEUE: z.string().min(1).default('sanxiang'),
  PORT: portNumber.default(3000),
  // Loopback by default: listening on every interface (0.0.0.0, a container) is an explicit choice.
  HOST: z.string().min(1).default('127.0.0.1'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').default(LOCAL_JWT_SECRET),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('.data'),
  EMBEDDED_PG_PORT: portNumber.default(54329),
  TEMPORAL_DEV_PORT: portNumber.default(7233),
  TEMPORAL_UI_PORT: portNumber.default(8233),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  SANXIANG_TOOLS_DIR: z.string().min(1).optional(),
  SMTP_URL: optionalUrl,
  SMTP_FROM: z.string().default('三项制度平台 <noreply@localhost>'),
  PUBLIC_BASE_URL: z.string().url().optional(),
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  // Hosts a webhook may reach although they resolve to loopback/private/link-local addresses (comma-separated).
  WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)),
  // Rate limits (requests per minute): per token on /api, per IP on everything (the portal included).
  RATE_LIMIT_PER_TOKEN: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(1200),
  // Timeouts: a whole request (server.requestTimeout) and one SQL statement (statement_timeout).
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  SHUTDOWN_DEADLINE_MS: z.coerce.number().int().min(100).default(20_000),
  // Worker tuning (WORKER_DEFAULTS above says why these values).
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(1).default(WORKER_DEFAULTS.maxCachedWorkflows),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(WORKER_DEFAULTS.maxConcurrentWorkflowTasks),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).default(WORKER_DEFAULTS.maxConcurrentActivities),
  WORKER_REUSE_V8_CONTEXT: z
    .enum(['true', 'false'])
    .default(WORKER_DEFAULTS.reuseV8Context ? 'true' : 'false')
    .transform((v) => v === 'true'),
  WORKER_STICKY_TIMEOUT_MS: z.coerce.number().int().min(1000).default(WORKER_DEFAULTS.stickyTimeoutMs),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

/** Reads and validates the environment; a bad value names the variable and the reason. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (VAR= in a compose file or shell) means "not set".
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  // Tests and benches (NODE_ENV=test) fire thousands of requests from one address: limits stay out of
  // their way unless a test sets them.
  if (parsed.data.NODE_ENV === 'test') {
    if (!given.RATE_LIMIT_PER_IP) parsed.data.RATE_LIMIT_PER_IP = 1_000_000;
    if (!given.RATE_LIMIT_PER_TOKEN) parsed.data.RATE_LIMIT_PER_TOKEN = 1_000_000;
  }
  if (parsed.data.NODE_ENV === 'production' && parsed.data.JWT_SECRET === LOCAL_JWT_SECRET) {
    throw new ConfigError('Invalid configuration:\n  JWT_SECRET: must be set in production');
  }
  return parsed.data;
}

/** 127.0.0.0/8, ::1 and `localhost`: the addresses only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

/**
 * The committed development secret signs tokens anyone can forge: it is accepted only while the API
 * listens on loopback alone and the backing services are the embedded ones (nothing but this
 * machine is involved). Anything else must set its own JWT_SECRET.
 */
export function assertJwtSecretAllowed(config: Config): void {
  if (config.JWT_SECRET !== LOCAL_JWT_SECRET) return;
  const reasons: string[] = [];
  if (config.NODE_ENV === 'production') reasons.push('NODE_ENV is production');
  if (!isLoopbackHost(config.HOST)) reasons.push(`HOST ${config.HOST} is not loopback`);
  if (config.DATABASE_URL) reasons.push('DATABASE_URL is set (not the embedded Postgres)');
  if (config.TEMPORAL_ADDRESS) reasons.push('TEMPORAL_ADDRESS is set (not the embedded Temporal)');
  if (reasons.length) {
    throw new ConfigError(`Invalid configuration:\n  JWT_SECRET: the local development secret is refused because ${reasons.join(', ')}; set JWT_SECRET (at least 32 random characters)`);
  }
}
