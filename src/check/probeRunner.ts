// Sends probes with undici, bounded in every direction: at most `maxRequests` requests over the whole
// audit, at most `concurrency` at once, each aborted after `timeoutMs`, all of them after the
// overall deadline; redirects are not followed unless asked, and at most `bodyLimitBytes` of a body is
// read (the verdict needs only the status and headers). undici's `request` sends the Origin header
// as given, which fetch() in Node would not let us do.

import { Agent, interceptors, request, type Dispatcher } from 'undici';
import type { Probe } from './probes.ts';

export interface RunnerOptions {
  /** Per request: connecting, waiting for headers, reading the capped body. */
  readonly timeoutMs: number;
  /** For the whole audit, from the runner's creation. */
  readonly deadlineMs: number;
  readonly maxRequests: number;
  readonly concurrency: number;
  readonly followRedirects: boolean;
  /** Sent with every GET probe (e.g. Authorization), never with preflights; never Origin or Access-Control-Request-*. */
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyLimitBytes: number;
}

export const RUNNER_DEFAULTS = {
  timeoutMs: 5_000,
  deadlineMs: 30_000,
  maxRequests: 60,
  concurrency: 4,
  followRedirects: false,
  bodyLimitBytes: 16 * 1024,
} as const;

const MAX_REDIRECTS = 5;

export interface SentRequest {
  readonly method: string;
  readonly url: string;
  /** As sent, lower-case names: the caller's headers, then Origin and the CORS request headers. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface ProbeResponse {
  readonly status: number;
  /** Lower-case names; repeated lines joined with ", " as a browser would see them. */
  readonly headers: Readonly<Record<string, string>>;
}

export type FailureCode = 'timeout' | 'deadline' | 'connection-refused' | 'dns' | 'connection-reset' | 'tls' | 'error';

export type ProbeOutcome =
  | { readonly status: 'answered'; readonly response: ProbeResponse }
  | { readonly status: 'failed'; readonly code: FailureCode; readonly message: string }
  | { readonly status: 'skipped'; readonly reason: 'max-requests' | 'deadline' };

export interface ProbeResult {
  readonly probe: Probe;
  readonly request: SentRequest;
  readonly outcome: ProbeOutcome;
}

class ProbeAbort extends Error {
  constructor(readonly code: 'timeout' | 'deadline', message: string) {
    super(message);
  }
}

export class ProbeRunner {
  private sentCount = 0;
  private inFlight = 0;
  private peak = 0;
  private readonly agent: Agent;
  private readonly dispatcher: Dispatcher;
  private readonly deadline = new AbortController();
  private readonly deadlineTimer: NodeJS.Timeout;

  constructor(
    private readonly url: URL,
    private readonly options: RunnerOptions,
  ) {
    const t = options.timeoutMs;
    this.agent = new Agent({ connect: { timeout: t }, headersTimeout: t, bodyTimeout: t, connections: options.concurrency });
    this.dispatcher = options.followRedirects ? this.agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS })) : this.agent;
    this.deadlineTimer = setTimeout(() => this.deadline.abort(new ProbeAbort('deadline', `the audit's deadline of ${options.deadlineMs} ms passed`)), options.deadlineMs);
  }

  /** Requests actually sent so far (never more than maxRequests). */
  get sent(): number {
    return this.sentCount;
  }

  /** The most requests that were in flight at once (never more than concurrency). */
  get peakConcurrency(): number {
    return this.peak;
  }

  get deadlinePassed(): boolean {
    return this.deadline.signal.aborted;
  }

  /** Sends the probes, at most `concurrency` at a time; results are in the probes' order. */
  async run(probes: readonly Probe[]): Promise<ProbeResult[]> {
    const results: ProbeResult[] = new Array(probes.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < probes.length) {
        const index = next++;
        results[index] = await this.send(probes[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, probes.length) }, worker));
    return results;
  }

  requestFor(probe: Probe): SentRequest {
    // A browser's preflight carries no credentials and none of the page's headers (Fetch
    // "CORS-preflight fetch"), so the caller's headers go with the simple requests only.
    const own = probe.method === 'OPTIONS' ? {} : lowerCaseNames(this.options.headers);
    const headers: Record<string, string> = { 'user-agent': 'gatehouse-check', ...own };
    if (probe.origin !== undefined) headers.origin = probe.origin;
    Object.assign(headers, probe.corsHeaders);
    return { method: probe.method, url: this.url.href, headers };
  }

  private async send(probe: Probe): Promise<ProbeResult> {
    const sent = this.requestFor(probe);
    if (this.deadline.signal.aborted) return { probe, request: sent, outcome: { status: 'skipped', reason: 'deadline' } };
    if (this.sentCount >= this.options.maxRequests) return { probe, request: sent, outcome: { status: 'skipped', reason: 'max-requests' } };
    this.sentCount += 1;
    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new ProbeAbort('timeout', `no complete answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    const onDeadline = (): void => controller.abort(this.deadline.signal.reason);
    this.deadline.signal.addEventListener('abort', onDeadline, { once: true });
    try {
      const response = await request(this.url, { method: sent.method as Dispatcher.HttpMethod, headers: sent.headers, dispatcher: this.dispatcher, signal: controller.signal });
      try {
        await response.body.dump({ limit: this.options.bodyLimitBytes, signal: controller.signal });
      } catch {
        // The headers are the evidence; a body that stalls or breaks after them changes nothing.
      }
      return { probe, request: sent, outcome: { status: 'answered', response: { status: response.statusCode, headers: flatHeaders(response.headers) } } };
    } catch (error) {
      return { probe, request: sent, outcome: { status: 'failed', ...describeFailure(error) } };
    } finally {
      clearTimeout(timer);
      this.deadline.signal.removeEventListener('abort', onDeadline);
      this.inFlight -= 1;
    }
  }

  /** Closes every connection, including ones to a server that never answered. */
  async close(): Promise<void> {
    clearTimeout(this.deadlineTimer);
    await this.agent.destroy();
  }
}

function lowerCaseNames(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const NETWORK_CODES: Readonly<Record<string, FailureCode>> = {
  ECONNREFUSED: 'connection-refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  ECONNRESET: 'connection-reset',
  EPIPE: 'connection-reset',
  UND_ERR_SOCKET: 'connection-reset',
  UND_ERR_CLOSED: 'connection-reset',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
};

export function describeFailure(error: unknown): { code: FailureCode; message: string } {
  if (error instanceof ProbeAbort) return { code: error.code, message: error.message };
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const message = e.message || e.cause?.message || String(error);
  if (code in NETWORK_CODES) return { code: NETWORK_CODES[code]!, message: `${code}: ${message}` };
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL')) return { code: 'tls', message: `${code}: ${message}` };
  return { code: 'error', message: code === '' ? message : `${code}: ${message}` };
}
