// The `gatehouse` command line. Exit codes (README, docs/cli.md): 0 done; 1 failed (a service did not
// answer, a command could not do its work); 2 the configuration or the arguments are wrong; 3 `check`
// found something at or above --fail-on.

import { Command } from 'commander';
import { ConfigError } from '../errors.ts';
import { registerAdminCommands } from './adminCommands.ts';
import { registerCheckCommand } from './checkCommand.ts';
import { registerDemoCommand } from './demoCommand.ts';
import { EXIT } from './cliContext.ts';
import { registerDoctorCommand } from './doctorCommand.ts';
import { registerServeCommand } from './serveCommand.ts';

export { EXIT } from './cliContext.ts';

export function buildProgram(): Command {
  const program = new Command('gatehouse')
    .description('Protect a JSON API from other sites and from clients that have no business reading it.')
    .showHelpAfterError()
    // Commander's own usage errors (unknown option, missing argument) exit 2, as config errors do.
    .exitOverride((error) => {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') process.exit(EXIT.ok);
      process.exit(EXIT.config);
    });
  registerServeCommand(program);
  registerAdminCommands(program);
  registerDoctorCommand(program);
  registerCheckCommand(program);
  registerDemoCommand(program);
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
