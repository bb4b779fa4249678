// `gatehouse check URL` as a function: validates the input, sends the planned probes through a
// bounded runner, and returns the report. Framework-free; the CLI only parses arguments and prints.

import { GatehouseError } from '../errors.ts';
import { analyse, grantOf, type Finding } from './analysis.ts';
import { ExpectedOrigins } from './expectedOrigins.ts';
import { ProbeRunner, RUNNER_DEFAULTS, type FailureCode, type ProbeResult } from './probeRunner.ts';
import { attackerFor, planOriginProbes, planPreflights, randomToken } from './probes.ts';

export type CheckErrorCode = 'check-invalid-url' | 'check-invalid-origin' | 'check-invalid-header' | 'check-invalid-option' | 'check-unreachable' | 'check-timeout';

/** A check that could not run: bad input (the CLI's exit code 2) or an unreachable target (1). */
export class CheckError extends GatehouseError {
  declare readonly code: CheckErrorCode;
  constructor(code: CheckErrorCode, message: string) {
    super(code, message);
  }
  get isUsage(): boolean {
    return this.code.startsWith('check-invalid');
  }
}

export interface CheckOptions {
  readonly url: string;
  /** Origins (or `https://*.example.com` patterns, or `null`) that should be allowed. */
  readonly origins?: readonly string[];
  /** Sent with every probe, e.g. `{ authorization: 'Bearer ...' }` for an API that needs it. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly deadlineMs?: number;
  readonly maxRequests?: number;
  readonly concurrency?: number;
  readonly followRedirects?: boolean;
  readonly bodyLimitBytes?: number;
  /** The random part of the attacker's names; fixed only in tests. */
  readonly token?: string;
}

export interface IncompleteProbe {
  readonly probe: string;
  readonly method: string;
  readonly origin: string | undefined;
  readonly code: FailureCode;
  readonly message: string;
}

export interface CheckReport {
  readonly target: string;
  /** The --origin values, canonicalised. */
  readonly expectedOrigins: readonly string[];
  readonly findings: readonly Finding[];
  readonly requests: { readonly sent: number; readonly limit: number; readonly skipped: number };
  /** Probes that failed or ran out of time: the audit did not see their answer. */
  readonly incomplete: readonly IncompleteProbe[];
  readonly durationMs: number;
}

// Header names the auditor sets itself, or that would corrupt the request.
const RESERVED_HEADER = /^(origin|host|content-length|transfer-encoding|connection|upgrade|access-control-request-.*)$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function validateTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CheckError('check-invalid-url', `${JSON.stringify(raw)} is not a URL; write it in full, e.g. https://api.example.com/api/posts/`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CheckError('check-invalid-url', `${JSON.stringify(raw)} is not an http(s) URL`);
  if (url.username !== '' || url.password !== '') throw new CheckError('check-invalid-url', `${JSON.stringify(raw)} has user information; send credentials with --header instead`);
  url.hash = '';
  return url;
}

export function validateHeader(name: string, value: string): void {
  if (!TOKEN.test(name)) throw new CheckError('check-invalid-header', `${JSON.stringify(name)} is not a header name`);
  if (RESERVED_HEADER.test(name.toLowerCase())) throw new CheckError('check-invalid-header', `${name} is set by the auditor itself (it sends its own Origin and Access-Control-Request-* headers)`);
  if (/[\r\n\0]/.test(value)) throw new CheckError('check-invalid-header', `the value of ${name} contains a line break or NUL`);
}

function positive(name: string, value: number | undefined, fallback: number, max: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CheckError('check-invalid-option', `${name} must be a whole number from 1 to ${max}, got ${String(value)}`);
  return n;
}

export async function checkUrl(options: CheckOptions): Promise<CheckReport> {
  const started = performance.now();
  const url = validateTarget(options.url);
  const parsedOrigins = ExpectedOrigins.parse(options.origins ?? [], url.origin);
  if (!parsedOrigins.ok) throw new CheckError('check-invalid-origin', parsedOrigins.problems.join('\n'));
  const expected = parsedOrigins.value;
  const headers = options.headers ?? {};
  for (const [name, value] of Object.entries(headers)) validateHeader(name, value);
  const runnerOptions = {
    timeoutMs: positive('the timeout', options.timeoutMs, RUNNER_DEFAULTS.timeoutMs, 600_000),
    deadlineMs: positive('the deadline', options.deadlineMs, RUNNER_DEFAULTS.deadlineMs, 3_600_000),
    maxRequests: positive('max requests', options.maxRequests, RUNNER_DEFAULTS.maxRequests, 10_000),
    concurrency: positive('concurrency', options.concurrency, RUNNER_DEFAULTS.concurrency, 64),
    followRedirects: options.followRedirects ?? RUNNER_DEFAULTS.followRedirects,
    headers,
    bodyLimitBytes: options.bodyLimitBytes ?? RUNNER_DEFAULTS.bodyLimitBytes,
  };
  const attacker = attackerFor(options.token ?? randomToken());

  const runner = new ProbeRunner(url, runnerOptions);
  let results: ProbeResult[];
  try {
    const [baselineProbe, ...originProbes] = planOriginProbes({ target: url, expected, attacker });
    const [baseline] = await runner.run([baselineProbe!]);
    const outcome = baseline!.outcome;
    if (outcome.status === 'failed') {
      const timedOut = outcome.code === 'timeout' || outcome.code === 'deadline';
      throw new CheckError(timedOut ? 'check-timeout' : 'check-unreachable', `cannot check ${url.href}: ${timedOut ? 'it did not answer in time' : 'it cannot be reached'} (${outcome.message})`);
    }
    if (outcome.status === 'skipped') throw new CheckError('check-timeout', `cannot check ${url.href}: ${outcome.reason === 'deadline' ? 'the deadline passed before the first request' : 'max requests allows no request'}`);
    const phase1 = await runner.run(originProbes);
    const granted: string[] = [];
    for (const result of phase1) {
      if (result.outcome.status !== 'answered' || result.probe.origin === undefined) continue;
      const grant = grantOf(result.probe.origin, result.outcome.response);
      if (grant.echoed || grant.wildcard) granted.push(result.probe.origin);
    }
    const phase2 = await runner.run(planPreflights({ attacker, expected, granted }));
    results = [baseline!, ...phase1, ...phase2];
  } finally {
    await runner.close();
  }

  const incomplete: IncompleteProbe[] = [];
  let skipped = 0;
  for (const { probe, outcome } of results) {
    if (outcome.status === 'failed') incomplete.push({ probe: probe.key, method: probe.method, origin: probe.origin, code: outcome.code, message: outcome.message });
    else if (outcome.status === 'skipped' && outcome.reason === 'deadline') incomplete.push({ probe: probe.key, method: probe.method, origin: probe.origin, code: 'deadline', message: 'not sent: the deadline had passed' });
    else if (outcome.status === 'skipped') skipped += 1;
  }
  return {
    target: url.href,
    expectedOrigins: expected.describe(),
    findings: analyse({ results, expected, attacker }),
    requests: { sent: runner.sent, limit: runnerOptions.maxRequests, skipped },
    incomplete,
    durationMs: Math.round(performance.now() - started),
  };
}
