import pino from 'pino';

/**
 * Personal data and credentials never reach the log in clear: the party (name, identity number,
 * phone, address), wherever they sit up to three levels deep, and the Authorization header.
 */
const PERSONAL = ['party', 'idNumber', 'identityNumber', 'phone', 'address', 'name_of_party'];
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  '*.authorization',
  ...PERSONAL.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
];

export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: 'sanxiang' },
  redact: { paths: REDACT_PATHS, censor: '[redacted]' },
});
export type Logger = typeof logger;
