import { z } from 'zod';

/** Local default secret: `npm run token` signs with it; production must set its own JWT_SECRET. */
export const LOCAL_JWT_SECRET = 'local-development-secret-change-me-0123456789';

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
  HOST: z.string().min(1).default('0.0.0.0'),
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
  if (parsed.data.NODE_ENV === 'production' && parsed.data.JWT_SECRET === LOCAL_JWT_SECRET) {
    throw new ConfigError('Invalid configuration:\n  JWT_SECRET: must be set in production');
  }
  return parsed.data;
}
