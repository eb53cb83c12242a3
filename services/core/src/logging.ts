// Structured JSON logs (pino, which Fastify uses); credentials and cookies are redacted.
import type { Config } from './config.js';

export function loggerOptions(config: Pick<Config, 'logLevel' | 'role'>) {
  return {
    level: config.logLevel,
    base: { service: config.role },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'password', '*.password'],
      censor: '[redacted]',
    },
  };
}
