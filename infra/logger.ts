import pino from 'pino';

export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: 'sanxiang' },
  redact: ['req.headers.authorization'],
});
export type Logger = typeof logger;
