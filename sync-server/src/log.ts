// The server's structured log: pino JSON lines on stdout, one logger passed down from main.
// Fastify takes the same instance, so request logs and boot logs share one stream and one level.
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'hearth' } });
}

/** A logger that drops everything: for in-process tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
