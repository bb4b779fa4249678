// `gatehouse demo`: the API with a trusted front end and a hostile site, for a person to look at.

import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import { startDemo, type RunningDemo } from '../demo/startDemo.ts';
import type { LoggerOption } from '../logger.ts';

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return n;
}

export interface DemoCommandHooks {
  /** Called once everything listens (tests close the demo through it). */
  onStarted?: (demo: RunningDemo) => void;
  write?: (text: string) => void;
  /** The API's logger (default: pino JSON lines on stderr, which say why each refusal happened). */
  logger?: LoggerOption;
}

export function registerDemoCommand(program: Command, hooks: DemoCommandHooks = {}): Command {
  const write = hooks.write ?? ((text: string) => void process.stdout.write(text));
  return program
    .command('demo')
    .description('serve the API with a trusted front end and a hostile site that send it the same requests')
    .option('-c, --config <file>', 'configuration file (default: the demo policy, which allows the trusted page)')
    .option('--api-port <n>', 'port of the API (0: any free port)', port, 8000)
    .option('--trusted-port <n>', 'port of the trusted page, served as http://127.0.0.1:<n>', port, 5173)
    .option('--hostile-port <n>', 'port of the hostile page, served as http://localhost:<n>', port, 5174)
    .action(async (options: { config?: string; apiPort: number; trustedPort: number; hostilePort: number }) => {
      const config = options.config === undefined ? undefined : loadConfig({ file: options.config });
      const demo = await startDemo({ apiPort: options.apiPort, trustedPort: options.trustedPort, hostilePort: options.hostilePort, ...(config === undefined ? {} : { config }), ...(hooks.logger === undefined ? {} : { logger: hooks.logger }) });
      write(
        `Gatehouse demo\n` +
          `  API:          ${demo.apiUrl}/api/posts/\n` +
          `  trusted page: ${demo.trustedUrl}  (${demo.origins.trusted}${config === undefined ? ' is allowed' : ': allowed only if your configuration lists it'})\n` +
          `  hostile page: ${demo.hostileUrl}  (another site, allowed by nothing)\n` +
          `  side by side: ${demo.sideBySideUrl}\n` +
          `Each page sends the same requests and shows what the browser let it see. Ctrl-C stops.\n`,
      );
      const stop = () => {
        void demo.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      hooks.onStarted?.({
        ...demo,
        close: async () => {
          process.removeListener('SIGINT', stop);
          process.removeListener('SIGTERM', stop);
          await demo.close();
        },
      });
    });
}
