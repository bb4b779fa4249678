// Django's CSRF_TRUSTED_ORIGINS, with Django's meaning (CsrfViewMiddleware, Django ≥ 4.0):
// - `https://app.example.com` trusts exactly that Origin;
// - `https://*.example.com` trusts that scheme on example.com and every subdomain of it, on the
//   default port only (Django compares the whole netloc: `.example.com` never matches
//   `a.example.com:8443`); `https://*.example.com:8443` trusts that port;
// - for the Referer check (HTTPS requests without Origin) only the host[:port] part counts, the
//   scheme being https by then.
// Matching is a hash look-up per label of the request's host, never a scan of the list.

import { parseRequestOrigin } from '../cors/originSyntax.ts';

export interface ResolvedTrustedOrigins {
  /** Canonical origins, compared byte for byte with the request's Origin. */
  readonly exact: ReadonlySet<string>;
  /** `scheme://domain[:port]` of each wildcard entry: the domain and its subdomains are trusted. */
  readonly wildcards: ReadonlySet<string>;
  /** host[:port] of the exact entries, for the Referer check. */
  readonly hosts: ReadonlySet<string>;
  /** domain[:port] of the wildcard entries, for the Referer check. */
  readonly wildcardHosts: ReadonlySet<string>;
  /** As configured, for logs. */
  readonly sources: readonly string[];
}

export const NO_TRUSTED_ORIGINS: ResolvedTrustedOrigins = Object.freeze({
  exact: new Set<string>(),
  wildcards: new Set<string>(),
  hosts: new Set<string>(),
  wildcardHosts: new Set<string>(),
  sources: Object.freeze([]),
});

export class TrustedOrigins {
  constructor(private readonly resolved: ResolvedTrustedOrigins) {}

  get size(): number {
    return this.resolved.sources.length;
  }

  /** Whether a request's Origin header is trusted. */
  allowsOrigin(origin: string): boolean {
    if (this.resolved.exact.has(origin)) return true;
    if (this.resolved.wildcards.size === 0) return false;
    const parsed = parseRequestOrigin(origin);
    if (parsed === undefined) return false;
    return underWildcard(this.resolved.wildcards, `${parsed.scheme}://`, parsed.host, parsed.port === '' ? '' : `:${parsed.port}`);
  }

  /** Whether a Referer's host[:port] (lower-case, default port dropped) belongs to a trusted origin. */
  allowsRefererHost(hostAndPort: string): boolean {
    if (this.resolved.hosts.has(hostAndPort)) return true;
    if (this.resolved.wildcardHosts.size === 0) return false;
    const colon = hostAndPort.startsWith('[') ? hostAndPort.indexOf(':', hostAndPort.indexOf(']')) : hostAndPort.indexOf(':');
    const host = colon === -1 ? hostAndPort : hostAndPort.slice(0, colon);
    const port = colon === -1 ? '' : hostAndPort.slice(colon);
    return underWildcard(this.resolved.wildcardHosts, '', host, port);
  }
}

/** The host itself, then each parent domain: `a.b.example.com` → `b.example.com` → `example.com` → `com`. */
function underWildcard(set: ReadonlySet<string>, scheme: string, host: string, port: string): boolean {
  let candidate = host;
  for (;;) {
    if (set.has(`${scheme}${candidate}${port}`)) return true;
    const dot = candidate.indexOf('.');
    if (dot === -1) return false;
    candidate = candidate.slice(dot + 1);
  }
}
