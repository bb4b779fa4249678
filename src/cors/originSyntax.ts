// The syntax of an origin: what a browser sends (strict) and what a user configures (canonicalised).
//
// HTML's "serialization of an origin" is scheme "://" host [":" port], with a lower-case scheme and
// host, IDNA-encoded host and no default port; an opaque origin serialises as `null`
// (HTML §7.5 origin, RFC 6454 §7). Browsers send nothing else, so a request Origin that is not in
// this form did not come from a browser's own serialisation and can never equal a configured entry.

export interface ParsedOrigin {
  readonly scheme: string;
  readonly host: string;
  /** The port digits, or '' for the scheme's default port. */
  readonly port: string;
}

/** Longer than any real origin (a 253-byte host plus scheme and port); keeps parsing bounded. */
export const MAX_ORIGIN_LENGTH = 1024;

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443', ws: '80', wss: '443' };

// Disjoint character classes and no nested quantifiers: linear time on any input.
const SERIALIZED_ORIGIN = /^([a-z][a-z0-9+.-]*):\/\/(\[[0-9a-f:.]+\]|[a-z0-9_~-]+(?:\.[a-z0-9_~-]+)*\.?)(?::([1-9][0-9]{0,4}))?$/;

/** Parses a request's Origin header strictly; undefined when it is not a serialized origin. */
export function parseRequestOrigin(value: string): ParsedOrigin | undefined {
  if (value.length > MAX_ORIGIN_LENGTH) return undefined;
  const m = SERIALIZED_ORIGIN.exec(value);
  if (m === null) return undefined;
  const scheme = m[1]!;
  const port = m[3] ?? '';
  if (port !== '' && (Number(port) > 65535 || DEFAULT_PORTS[scheme] === port)) return undefined;
  return { scheme, host: m[2]!, port };
}

/** Why a request Origin is not a serialized origin, in words for the log. */
export function describeInvalidOrigin(value: string): string {
  if (value.length > MAX_ORIGIN_LENGTH) return `longer than ${MAX_ORIGIN_LENGTH} characters`;
  if (value.includes(',')) return 'more than one origin (repeated Origin header lines are joined with ", ")';
  if (/\s/.test(value)) return 'contains white space';
  if (!value.includes('://')) return 'has no scheme://';
  const rest = value.slice(value.indexOf('://') + 3);
  if (rest.includes('/')) return 'has a path (an Origin is only scheme://host[:port])';
  if (rest.includes('@')) return 'has user information';
  if (rest.includes('?') || rest.includes('#')) return 'has a query or fragment';
  if (value !== value.toLowerCase()) return 'is not lower-case (browsers always send lower-case)';
  if (/:0*(80|443)$/.test(value) || /:0\d/.test(value)) return 'names the default port or a zero-padded port explicitly';
  return 'is not a serialized origin (scheme://host[:port])';
}

export type CanonicalResult =
  | { readonly ok: true; readonly origin: string; readonly parsed: ParsedOrigin }
  | { readonly ok: false; readonly message: string; readonly hint: string };

/**
 * Canonicalises a configured origin as a browser would serialise it: lower-case scheme and host,
 * IDNA (punycode) host, default port dropped. Refuses what django-cors-headers' checks refuse (no
 * scheme or host, a path, query or fragment) and a trailing slash, which is a path.
 */
export function canonicaliseConfiguredOrigin(raw: string): CanonicalResult {
  const value = raw.trim();
  if (value === '') return { ok: false, message: 'is empty', hint: 'remove the empty entry' };
  if (value.includes('*')) {
    return {
      ok: false,
      message: 'contains a wildcard, which allowedOrigins never expands',
      hint: `move it to allowedOriginPatterns (CORS_ALLOWED_ORIGIN_PATTERNS), e.g. "${value}"`,
    };
  }
  const schemeEnd = value.indexOf('://');
  if (schemeEnd <= 0) {
    return {
      ok: false,
      message: 'is missing a scheme or host',
      hint: `write the full origin, e.g. "https://${value.replace(/^\/+/, '')}"`,
    };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, message: 'is not a valid URL origin', hint: 'write it as scheme://host[:port], e.g. "https://app.example.com"' };
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  const host = url.hostname.toLowerCase();
  if (host === '') {
    return { ok: false, message: 'is missing a host', hint: 'write it as scheme://host[:port], e.g. "https://app.example.com"' };
  }
  const suggestion = `${scheme}://${url.host.toLowerCase()}`;
  const afterAuthority = value.slice(schemeEnd + 3).replace(/^[^/?#]*/, '');
  if (url.username !== '' || url.password !== '') {
    return { ok: false, message: 'should not have user information', hint: `write "${suggestion.replace(/^[^:]+:\/\/[^@]*@/, `${scheme}://`)}"` };
  }
  if (afterAuthority.startsWith('/')) {
    const what = afterAuthority === '/' ? 'a trailing slash' : 'a path';
    return { ok: false, message: `should not have ${what}; an origin is only scheme://host[:port]`, hint: `write "${suggestion}"` };
  }
  if (afterAuthority.startsWith('?')) return { ok: false, message: 'should not have a query', hint: `write "${suggestion}"` };
  if (afterAuthority.startsWith('#')) return { ok: false, message: 'should not have a fragment', hint: `write "${suggestion}"` };
  // url.port is '' for the scheme's default port on special schemes (WHATWG URL §4.4).
  const port = url.port;
  const origin = port === '' ? `${scheme}://${host}` : `${scheme}://${host}:${port}`;
  return { ok: true, origin, parsed: { scheme, host, port } };
}
