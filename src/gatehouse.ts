// The engine as a whole: validated settings in, a frozen, precomputed policy out. Adapters hold one
// Gatehouse and ask it for decisions.

import { resolveCorsSettings } from './config/corsSettings.ts';
import { CorsEngine } from './cors/corsEngine.ts';
import type { CorsSettings } from './cors/settings.ts';
import { formatConfigIssue, type ConfigIssue } from './errors.ts';
import { createLogger, type Logger, type LoggerOption } from './logger.ts';

export interface GatehouseOptions {
  cors?: CorsSettings;
  /** A pino-compatible logger, or false for none. Default: pino JSON lines on stderr. */
  logger?: LoggerOption;
  /** Defaults to process.env.NODE_ENV. */
  nodeEnv?: string;
}

export interface Gatehouse {
  readonly cors: CorsEngine;
  readonly logger: Logger;
  /** Start-up warnings, already logged. */
  readonly warnings: readonly ConfigIssue[];
}

/** Validates the settings (throwing a ConfigError listing every problem) and builds the engine. */
export function createGatehouse(options: GatehouseOptions = {}): Gatehouse {
  const logger = createLogger(options.logger);
  const nodeEnv = options.nodeEnv ?? process.env.NODE_ENV;
  const cors = resolveCorsSettings(options.cors ?? {}, { nodeEnv });
  for (const warning of cors.warnings) logger.warn({ config: warning }, `Gatehouse config warning: ${formatConfigIssue(warning)}`);
  return Object.freeze({ cors: new CorsEngine(cors.value, logger), logger, warnings: cors.warnings });
}

export function isGatehouse(value: unknown): value is Gatehouse {
  return typeof value === 'object' && value !== null && (value as Gatehouse).cors instanceof CorsEngine;
}

/** What every adapter accepts: options to build a Gatehouse from, or one to share between adapters. */
export function toGatehouse(options: GatehouseOptions | Gatehouse): Gatehouse {
  return isGatehouse(options) ? options : createGatehouse(options);
}
