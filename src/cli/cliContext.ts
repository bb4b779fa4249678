// What the commands share: the --config and --json options, opening the server context the way
// `serve` does (same database, same keys), and printing for a person or, with --json, for a script.

import type { Command } from 'commander';
import { pino } from 'pino';
import { loadConfig, type LoadedConfig } from '../config/load.ts';
import { openServerContext, type ServerContext } from '../server/serverContext.ts';

/** Exit codes, documented in the README and docs/cli.md. */
export const EXIT = { ok: 0, failure: 1, config: 2, findings: 3 } as const;

export interface CommonOptions {
  config?: string;
  json?: boolean;
}

export function withCommonOptions(command: Command): Command {
  return command.option('-c, --config <file>', 'configuration file (.json, .yaml or .yml)').option('--json', 'print machine-readable JSON');
}

export function loadCliConfig(options: CommonOptions): LoadedConfig {
  return loadConfig({ file: options.config });
}

/** Opens the context for a one-shot command (no polling, no rate limits), runs `work`, closes it. */
export async function withContext<T>(options: CommonOptions, work: (ctx: ServerContext) => Promise<T>): Promise<T> {
  const config = loadCliConfig(options);
  // Commands print their results on stdout; warnings go to stderr as JSON lines only when asked.
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn', base: { name: 'gatehouse' } }, pino.destination({ fd: 2, sync: true }));
  const ctx = await openServerContext(config, { logger, serving: false });
  try {
    return await work(ctx);
  } finally {
    await ctx.close();
  }
}

export function print(options: CommonOptions, data: unknown, human: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
}

/** `a,b c` → ['a', 'b', 'c']. */
export function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(/[\s,]+/).filter((s) => s !== '')];
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
