// `upstream`: where `gatehouse serve --upstream URL` forwards the requests Gatehouse lets through. The
// shape (zod; wired into the main schema by config/schema.ts) and the start-up resolution: the URL is
// checked once (http or https, no credentials, no path, query or fragment), the timeouts get their
// defaults, and the gateway receives a frozen ResolvedUpstream it never re-checks.

import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { settingIssues } from './zodIssues.ts';

export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;
export const DEFAULT_UPSTREAM_CONNECTIONS = 128;
export const DEFAULT_PRINCIPAL_HEADER_PREFIX = 'X-Gatehouse-';

const TOKEN_PREFIX = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+-$/;
/** A prefix must not swallow headers a request needs: `X-` would strip X-Requested-With, `Content-`... */
const RESERVED_PREFIXES = ['accept', 'access-control-', 'authorization', 'content-', 'cookie', 'forwarded', 'host', 'if-', 'origin', 'proxy-', 'sec-', 'x-forwarded-', 'x-api-key', 'x-csrftoken', 'x-requested-with', 'x-request-id'];

const timeout = z.number().int().min(0).max(24 * 3600 * 1000);

export const upstreamObjectSchema = z.strictObject({
  /** `http://127.0.0.1:8001` or `https://api.internal:8443`: scheme, host and port only. */
  url: z.string(),
  /** Connecting, waiting for the response head and between body chunks, unless overridden below. */
  timeoutMs: timeout.min(1).optional(),
  /** From the end of the request to the upstream's response head; 504 when it runs out. 0 disables. */
  headersTimeoutMs: timeout.optional(),
  /** Longest silence between two chunks of the response body; the response is cut when it runs out. 0 disables. */
  bodyTimeoutMs: timeout.optional(),
  /** Most connections open to the upstream at once (requests beyond wait for a free one). */
  connections: z.number().int().min(1).max(65_536).optional(),
  /** Pass the upstream's own Access-Control-* response headers through instead of removing them. */
  keepUpstreamCors: z.boolean().optional(),
  /** Send the client's Host header to the upstream instead of the upstream's own host (X-Forwarded-Host has it either way). */
  preserveHost: z.boolean().optional(),
  principalHeaders: z.strictObject({ prefix: z.string().optional() }).optional(),
});

/** `upstream: http://127.0.0.1:8001`, or the object form with settings. */
export const upstreamSettingsSchema = z.union([z.string(), upstreamObjectSchema]);

export type UpstreamSettingsInput = z.input<typeof upstreamSettingsSchema>;

export interface ResolvedUpstream {
  /** The origin undici connects to: `http://127.0.0.1:8001`, no trailing slash. */
  readonly origin: string;
  /** `host[:port]` as the URL has it, for the Host header and log lines. */
  readonly host: string;
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly connections: number;
  readonly keepUpstreamCors: boolean;
  readonly preserveHost: boolean;
  /** As configured (`X-Gatehouse-`): the names of the headers set are this plus Subject, Kind, Scopes, Roles, Auth-Method. */
  readonly principalHeaderPrefix: string;
}

const KEYS = [...Object.keys(upstreamObjectSchema.shape), 'prefix'];

/** Checks the `upstream` setting once at start-up, reporting every problem together. */
export function resolveUpstreamSettings(input: unknown, setting = 'upstream'): ResolvedUpstream {
  const parsed = upstreamSettingsSchema.safeParse(input);
  if (!parsed.success) {
    // The union's two failures are noise for a string; report the object form's problems.
    const asObject = typeof input === 'object' && input !== null ? upstreamObjectSchema.safeParse(input) : undefined;
    const issues = asObject !== undefined && !asObject.success ? settingIssues(asObject.error, setting, {}, KEYS) : [{ setting, value: input, message: 'must be a URL such as "http://127.0.0.1:8001" or an object with a `url`' }];
    throw new ConfigError(issues);
  }
  const settings = typeof parsed.data === 'string' ? { url: parsed.data } : parsed.data;
  const issues: ConfigIssue[] = [];
  const url = upstreamUrl(settings.url, `${setting}${typeof parsed.data === 'string' ? '' : '.url'}`, issues);
  const prefix = settings.principalHeaders?.prefix ?? DEFAULT_PRINCIPAL_HEADER_PREFIX;
  const lowerPrefix = prefix.toLowerCase();
  if (!TOKEN_PREFIX.test(prefix)) {
    issues.push({ setting: `${setting}.principalHeaders.prefix`, value: prefix, message: 'must be the start of a header name, ending with "-"', hint: `e.g. "${DEFAULT_PRINCIPAL_HEADER_PREFIX}"` });
  } else if (RESERVED_PREFIXES.some((reserved) => reserved.startsWith(lowerPrefix) || lowerPrefix.startsWith(reserved))) {
    issues.push({
      setting: `${setting}.principalHeaders.prefix`,
      value: prefix,
      message: 'would strip headers the upstream needs: every client header starting with the prefix is removed',
      hint: `choose a prefix of your own, e.g. "${DEFAULT_PRINCIPAL_HEADER_PREFIX}" or "X-Auth-"`,
    });
  }
  if (issues.length > 0 || url === undefined) throw new ConfigError(issues);
  const base = settings.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  return Object.freeze({
    origin: url.origin,
    host: url.host,
    connectTimeoutMs: base,
    headersTimeoutMs: settings.headersTimeoutMs ?? base,
    bodyTimeoutMs: settings.bodyTimeoutMs ?? base,
    connections: settings.connections ?? DEFAULT_UPSTREAM_CONNECTIONS,
    keepUpstreamCors: settings.keepUpstreamCors ?? false,
    preserveHost: settings.preserveHost ?? false,
    principalHeaderPrefix: prefix,
  });
}

function upstreamUrl(value: string, setting: string, issues: ConfigIssue[]): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    issues.push({ setting, value, message: 'is not a URL', hint: 'write the scheme, host and port, e.g. "http://127.0.0.1:8001"' });
    return undefined;
  }
  const before = issues.length;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    issues.push({ setting, value, message: `has the scheme "${url.protocol.slice(0, -1)}"; the upstream is reached over http or https`, hint: 'write "http://host:port" or "https://host:port"' });
  }
  if (url.username !== '' || url.password !== '') {
    // Credentials in a URL end up in logs and process lists, and would be sent on every request.
    issues.push({ setting, value: redacted(url), message: 'carries credentials; Gatehouse does not log in to the upstream', hint: 'remove "user:password@": the upstream should trust the gateway by network (bind it to 127.0.0.1 or a private network)' });
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    issues.push({ setting, value, message: 'has a path, query or fragment; requests keep their own path', hint: `write "${url.origin}" and mount the upstream's routes at its root` });
  }
  return issues.length === before ? url : undefined;
}

function redacted(url: URL): string {
  const copy = new URL(url.href);
  copy.username = copy.username === '' ? '' : '***';
  copy.password = copy.password === '' ? '' : '***';
  return copy.href;
}
