// The `gatehouse` command line.

import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config/load.ts';
import { ConfigError } from '../errors.ts';
import { serve } from '../server/serve.ts';

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, failure: 1, config: 2 } as const;

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('gatehouse')
    .description('Protect a JSON API from other sites and from clients that have no business reading it.')
    .showHelpAfterError();

  program
    .command('serve')
    .description('serve the demo JSON API (/api/posts/) behind Gatehouse')
    .option('-c, --config <file>', 'configuration file (.json, .yaml or .yml)')
    .option('-p, --port <n>', 'port to listen on (default 8000)', port)
    .option('-H, --host <host>', 'address to listen on (default 127.0.0.1)')
    .action(async (options: { config?: string; port?: number; host?: string }) => {
      const config = loadConfig({ file: options.config });
      const running = await serve({ config, port: options.port, host: options.host });
      const cors = config.cors;
      const allowed = cors.allowAllOrigins ? ['* (every origin)'] : [...(cors.allowedOrigins ?? []), ...(cors.allowedOriginPatterns ?? []), ...(cors.allowedOriginRegexes ?? []).map((r) => `/${r}/`)];
      process.stdout.write(
        `Gatehouse listening on ${running.url}\n` +
          `  API:             ${running.url}/api/posts/\n` +
          `  allowed origins: ${allowed.length > 0 ? allowed.join(', ') : 'none (no browser on another origin can read this API)'}\n` +
          `  config:          ${config.sources.length > 0 ? config.sources.join(', ') : 'defaults'}\n`,
      );
      const stop = () => {
        void running.close().then(() => process.exit(EXIT.ok));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(EXIT.config);
    }
    process.stderr.write(`gatehouse: ${(error as Error).message}\n`);
    process.exit(EXIT.failure);
  }
}
