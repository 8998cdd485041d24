/**
 * The process logger. stdout belongs to the stdio protocol, so every log line goes to stderr.
 */
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
  return pino({ level, base: { name: 'vigil' } }, pino.destination({ dest: 2, sync: true }));
}

/** A logger that drops everything, for tests and one-shot CLI commands. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
