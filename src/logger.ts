// Gatehouse logs through a pino-compatible logger: a user passes their own (Fastify's, their app's),
// or gets a pino JSON logger on stderr.

import { pino } from 'pino';

export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  debug(fields: object, message: string): void;
  /** pino's: lets a caller skip building a line nobody will read. Absent means every level is on. */
  isLevelEnabled?(level: string): boolean;
}

export type LoggerOption = Logger | false | undefined;

export function createLogger(option: LoggerOption, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  if (option === false) return pino({ level: 'silent' });
  if (option !== undefined) return option;
  return pino({ level, base: { name: 'gatehouse' } }, pino.destination({ fd: 2, sync: true }));
}
