// What every benchmark variant serves and is asked: the allowlists, the CORS policy every server is
// configured with (Gatehouse and its peers alike), and the three requests measured. One place, so a
// peer can never be benchmarked with a cheaper policy than Gatehouse.

import type { CorsSettings } from '../src/cors/settings.ts';

/** The allowlist shapes measured. */
export const LISTS = ['3', '10k', 'patterns', 'regexes'] as const;
export type ListId = (typeof LISTS)[number];

export const LIST_LABELS: Readonly<Record<ListId, string>> = {
  '3': '3 exact origins',
  '10k': '10,000 exact origins',
  patterns: '100 wildcard patterns',
  regexes: '100 regexes',
};

export function isListId(value: string | undefined): value is ListId {
  return (LISTS as readonly string[]).includes(value ?? '');
}

const EXACT_3 = ['https://app.example.com', 'https://admin.example.com', 'https://www.example.org'];
const EXACT_10K = Array.from({ length: 10_000 }, (_, i) => `https://customer${i}.example.com`);
const TENANTS = Array.from({ length: 100 }, (_, i) => `tenant${i}.example.com`);
/** Gatehouse `allowedOriginPatterns`: one or more labels under each tenant's domain. */
const PATTERNS = TENANTS.map((domain) => `https://*.${domain}`);
/**
 * The same 100 rules written as regexes: Gatehouse's `allowedOriginRegexes` and every peer's RegExp
 * list. The peers have no wildcard patterns, so in the pattern case they get these regexes too.
 */
const REGEX_SOURCES = TENANTS.map((domain) => `^https://([a-z0-9-]+\\.)+${domain.replaceAll('.', '\\.')}$`);

/** The allowed origin is the list's LAST entry: the worst case for a peer that scans the list. */
export const ALLOWED_ORIGIN: Readonly<Record<ListId, string>> = {
  '3': EXACT_3.at(-1)!,
  '10k': EXACT_10K.at(-1)!,
  patterns: `https://app.${TENANTS.at(-1)!}`,
  regexes: `https://app.${TENANTS.at(-1)!}`,
};
/** On no list: a refusal walks every entry of a scanned list. */
export const REFUSED_ORIGIN = 'https://evil.example.net';

/** The policy besides the origins, identical for every variant. */
export const POLICY = Object.freeze({
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: ['accept', 'authorization', 'content-type', 'x-requested-with'],
  exposeHeaders: ['x-request-id'],
  credentials: true,
  maxAge: 86400,
});

export function gatehouseCors(list: ListId): CorsSettings {
  const policy: CorsSettings = {
    allowCredentials: POLICY.credentials,
    allowMethods: POLICY.methods,
    allowHeaders: POLICY.allowHeaders,
    exposeHeaders: POLICY.exposeHeaders,
    preflightMaxAge: POLICY.maxAge,
  };
  if (list === 'patterns') return { ...policy, allowedOriginPatterns: PATTERNS };
  if (list === 'regexes') return { ...policy, allowedOriginRegexes: REGEX_SOURCES };
  return { ...policy, allowedOrigins: exactList(list) };
}

/**
 * What a peer is given as its origin option: an array of strings, or of RegExp for the pattern and
 * regex cases (no peer has wildcard patterns). Peers that take no array wrap this in a function.
 */
export function peerOrigins(list: ListId): string[] | RegExp[] {
  if (list === 'patterns' || list === 'regexes') return REGEX_SOURCES.map((source) => new RegExp(source));
  return [...exactList(list)];
}

function exactList(list: '3' | '10k'): readonly string[] {
  return list === '3' ? EXACT_3 : EXACT_10K;
}

/** A predicate over peerOrigins(list), written the way a user of a function-only peer writes it. */
export function peerOriginPredicate(list: ListId): (origin: string) => boolean {
  const origins = peerOrigins(list);
  if (origins[0] instanceof RegExp) {
    const regexes = origins as RegExp[];
    return (origin) => regexes.some((regex) => regex.test(origin));
  }
  const exact = origins as string[];
  return (origin) => exact.includes(origin);
}

export const ROUTE = '/api/posts/1';
export const POST = Object.freeze({ id: 1, title: 'hello' });
export const POST_JSON = JSON.stringify(POST);

/** The three kinds every CORS variant is measured with. */
export const REQUEST_KINDS = ['allowed', 'refused', 'preflight'] as const;
/**
 * 'refused-distinct': a new refused origin on every request, as from a scanner, which defeats
 * Gatehouse's per-origin caches (measured on node:http only; the peers keep no cache).
 */
export type RequestKind = (typeof REQUEST_KINDS)[number] | 'refused-distinct';

export const KIND_LABELS: Readonly<Record<RequestKind, string>> = {
  allowed: 'GET, allowed origin',
  refused: 'GET, refused origin',
  preflight: 'preflight',
  'refused-distinct': 'GET, a new refused origin each time',
};

export interface BenchRequest {
  readonly method: 'GET' | 'OPTIONS';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Replace the Origin of each request by a new refused one (`https://x<n>.evil.example.net`). */
  readonly distinctOrigins?: boolean;
  /** The status every answer must have; absent: any 2xx. Another status counts as a failure. */
  readonly expectStatus?: number;
  /** Give each request the next of these values of one header, in turn (distinct credentials). */
  readonly headerCycle?: { readonly name: string; readonly values: readonly string[] };
}

export function benchRequest(kind: RequestKind, list: ListId): BenchRequest {
  if (kind === 'refused-distinct') return { method: 'GET', path: ROUTE, headers: { origin: 'https://x0.evil.example.net' }, distinctOrigins: true };
  if (kind === 'preflight') {
    return {
      method: 'OPTIONS',
      path: ROUTE,
      headers: {
        origin: ALLOWED_ORIGIN[list],
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type,authorization',
      },
    };
  }
  return { method: 'GET', path: ROUTE, headers: { origin: kind === 'allowed' ? ALLOWED_ORIGIN[list] : REFUSED_ORIGIN } };
}
