// `gatehouse check <url>`: audits a running API's CORS policy with the probes scanners send and exits
// with a code a CI pipeline can gate on. The engine is src/check/; this file parses arguments and
// prints.

import { Command, InvalidArgumentError, Option, type CommanderError } from 'commander';
import { CheckError, checkUrl, validateHeader, validateTarget } from '../check/checkUrl.ts';
import { parseExpectedOrigin } from '../check/expectedOrigins.ts';
import { RUNNER_DEFAULTS } from '../check/probeRunner.ts';
import { formatReport, reportJson, verdictOf } from '../check/report.ts';
import { FAIL_ON_CHOICES, type FailOn } from '../check/severity.ts';

/**
 * Exit codes of `gatehouse check`. 0, 1 and 2 mean what they mean for every command (EXIT in
 * main.ts: success, failure, bad input); 3 is the audit's own: findings at or above --fail-on.
 */
export const CHECK_EXIT = { ok: 0, failure: 1, usage: 2, findings: 3 } as const;

/** Where the command writes and how it ends; tests pass their own. */
export interface CheckIo {
  write(text: string): void | Promise<void>;
  error(text: string): void | Promise<void>;
  /** The exit code once the command is done (the process ends when its work is). */
  setExitCode(code: number): void;
  /** Ends at once: an argument error, after commander has printed it. */
  exitNow(code: number): never;
}

const written = (stream: NodeJS.WriteStream, text: string): Promise<void> => new Promise((resolve) => stream.write(text, () => resolve()));

export const processIo: CheckIo = {
  write: (text) => written(process.stdout, text),
  error: (text) => written(process.stderr, text),
  setExitCode: (code) => {
    process.exitCode = code;
  },
  exitNow: (code) => process.exit(code),
};

interface CheckCliOptions {
  origin?: string[];
  json?: boolean;
  timeout?: number;
  deadline?: number;
  maxRequests?: number;
  header?: [string, string][];
  failOn: FailOn;
  followRedirects?: boolean;
}

function wholeNumber(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > max) throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
    return n;
  };
}

function collectOrigins(value: string, previous: string[] | undefined): string[] {
  const origins = value.split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const origin of origins) {
    const parsed = parseExpectedOrigin(origin);
    if (!parsed.ok) throw new InvalidArgumentError(parsed.message);
  }
  return [...(previous ?? []), ...origins];
}

function collectHeaders(value: string, previous: [string, string][] | undefined): [string, string][] {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new InvalidArgumentError(`${JSON.stringify(value)} should be "Name: value", e.g. "Authorization: Bearer <token>"`);
  const name = value.slice(0, colon).trim();
  const headerValue = value.slice(colon + 1).trim();
  try {
    validateHeader(name, headerValue);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return [...(previous ?? []), [name, headerValue]];
}

function target(value: string): string {
  try {
    return validateTarget(value).href;
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

const HELP_AFTER = `
Exit codes: 0 nothing at or above --fail-on; 3 findings at or above --fail-on; 1 the target could
not be reached or the audit is incomplete (probes timed out); 2 bad arguments.

Example (CI):
  gatehouse check https://api.example.com/api/posts/ --origin https://app.example.com \\
    --header "Authorization: Bearer $TOKEN" --fail-on high --json > cors-audit.json

Every finding id, its severity and its fix: docs/check.md.`;

export function registerCheckCommand(program: Command, io: CheckIo = processIo): void {
  const command = program
    .command('check')
    .description("audit a URL's CORS policy with the probes CORS scanners send; the exit code gates CI")
    .argument('<url>', 'the API URL to audit, e.g. https://api.example.com/api/posts/', target)
    .option('-o, --origin <origin...>', 'origins that should be allowed (exact, https://*.example.com patterns, or null)', collectOrigins)
    .option('--json', 'print the report as JSON')
    .option('--timeout <ms>', `per-request timeout (default ${RUNNER_DEFAULTS.timeoutMs})`, wholeNumber(600_000))
    .option('--deadline <ms>', `time limit for the whole audit (default ${RUNNER_DEFAULTS.deadlineMs})`, wholeNumber(3_600_000))
    .option('--max-requests <n>', `most requests to send (default ${RUNNER_DEFAULTS.maxRequests})`, wholeNumber(10_000))
    .option('-H, --header <name:value...>', 'a header for every request, e.g. "Authorization: Bearer ..." (values of secret headers are redacted in the report)', collectHeaders)
    .addOption(new Option('--fail-on <severity>', 'lowest severity that fails the check (exit 3)').choices(FAIL_ON_CHOICES).default('high'))
    .option('--follow-redirects', 'follow up to 5 redirects (by default the redirect itself is audited)')
    .addHelpText('after', HELP_AFTER);

  command.configureOutput({ writeOut: (text) => void io.write(text), writeErr: (text) => void io.error(text) });
  // Argument errors exit with 2, as bad input does for every gatehouse command; help exits with 0.
  command.exitOverride((error: CommanderError) => io.exitNow(error.exitCode === 0 ? CHECK_EXIT.ok : CHECK_EXIT.usage));

  command.action(async (url: string, options: CheckCliOptions) => {
    try {
      const report = await checkUrl({
        url,
        origins: options.origin ?? [],
        headers: Object.fromEntries(options.header ?? []),
        ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
        ...(options.deadline === undefined ? {} : { deadlineMs: options.deadline }),
        ...(options.maxRequests === undefined ? {} : { maxRequests: options.maxRequests }),
        followRedirects: options.followRedirects ?? false,
      });
      const outcome = verdictOf(report, options.failOn).outcome;
      const code = outcome === 'findings' ? CHECK_EXIT.findings : outcome === 'incomplete' ? CHECK_EXIT.failure : CHECK_EXIT.ok;
      await io.write(options.json ? `${JSON.stringify(reportJson(report, options.failOn, code), null, 2)}\n` : formatReport(report, options.failOn, code));
      io.setExitCode(code);
    } catch (error) {
      if (!(error instanceof CheckError)) throw error;
      const code = error.isUsage ? CHECK_EXIT.usage : CHECK_EXIT.failure;
      if (options.json) await io.write(`${JSON.stringify({ target: url, exitCode: code, error: { code: error.code, message: error.message } }, null, 2)}\n`);
      await io.error(`gatehouse check: ${error.message}\n`);
      io.setExitCode(code);
    }
  });
}
