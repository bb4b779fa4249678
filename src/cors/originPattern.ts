// Wildcard origin patterns, modelled on Spring's allowedOriginPatterns:
//   https://*.example.com               one or more labels under example.com, default port only
//   https://*.example.com:8443          that port only
//   https://*.example.com:[8080,8443]   any of those ports
//   https://*.example.com:[*]           any port, the default included
// The `*` stands only for whole labels on the left, so `https://*.example.com` can never match
// `https://example.com.evil.net` or `https://evilexample.com`.

import { getDomain } from 'tldts';
import { canonicaliseConfiguredOrigin, type ParsedOrigin } from './originSyntax.ts';

export interface OriginPattern {
  /** The pattern as configured, for logs. */
  readonly source: string;
  readonly scheme: string;
  /** The registered part under the wildcard, e.g. `example.com`. */
  readonly suffix: string;
  /** Allowed ports: '' is the default port; `any` allows every port. */
  readonly ports: ReadonlySet<string> | 'any';
}

export type PatternResult =
  | { readonly ok: true; readonly pattern: OriginPattern }
  | { readonly ok: false; readonly message: string; readonly hint: string };

const EXAMPLE = 'e.g. "https://*.example.com" or "https://*.example.com:[8080,8443]"';

export function parseOriginPattern(raw: string): PatternResult {
  const source = raw.trim();
  const schemeEnd = source.indexOf('://');
  if (schemeEnd <= 0) return { ok: false, message: 'is missing a scheme', hint: `write the scheme too, ${EXAMPLE}` };
  const scheme = source.slice(0, schemeEnd).toLowerCase();
  let rest = source.slice(schemeEnd + 3);
  if (!rest.startsWith('*.')) {
    return { ok: false, message: 'must start its host with "*." (the wildcard stands for whole leftmost labels)', hint: EXAMPLE };
  }
  rest = rest.slice(2);
  let ports: Set<string> | 'any' = new Set(['']);
  const portStart = rest.indexOf(':');
  if (portStart !== -1) {
    const portSpec = rest.slice(portStart + 1);
    rest = rest.slice(0, portStart);
    const parsedPorts = parsePortSpec(portSpec, scheme);
    if (parsedPorts === undefined) {
      return { ok: false, message: `has an invalid port part ":${portSpec}"`, hint: 'use ":8443", ":[8080,8443]" or ":[*]"' };
    }
    ports = parsedPorts;
  }
  if (rest.includes('*')) return { ok: false, message: 'has a wildcard outside the leftmost labels', hint: EXAMPLE };
  const canonical = canonicaliseConfiguredOrigin(`${scheme}://${rest}`);
  if (!canonical.ok) return { ok: false, message: canonical.message, hint: canonical.hint };
  const suffix = canonical.parsed.host;
  // A wildcard over a public suffix (`*.com`, `*.co.uk`, `*.github.io`) admits every site registered
  // under it, strangers included (Public Suffix List, private section too).
  if (suffix !== 'localhost' && getDomain(suffix, { allowPrivateDomains: true }) === null) {
    return {
      ok: false,
      message: `spans the public suffix "${suffix}", so it would allow sites owned by anyone`,
      hint: `name your own registered domain under it, e.g. "${scheme}://*.your-company.${suffix}"`,
    };
  }
  return { ok: true, pattern: { source, scheme, suffix, ports } };
}

function parsePortSpec(spec: string, scheme: string): Set<string> | 'any' | undefined {
  const list = spec.startsWith('[') && spec.endsWith(']') ? spec.slice(1, -1).split(',') : [spec];
  const ports = new Set<string>();
  for (const item of list.map((p) => p.trim())) {
    if (item === '*') return 'any';
    if (!/^[0-9]{1,5}$/.test(item) || Number(item) < 1 || Number(item) > 65535) return undefined;
    const normalised = String(Number(item));
    // A browser omits the default port, so the default port is stored as ''.
    ports.add(isDefaultPort(scheme, normalised) ? '' : normalised);
  }
  return ports.size === 0 ? undefined : ports;
}

function isDefaultPort(scheme: string, port: string): boolean {
  return ((scheme === 'http' || scheme === 'ws') && port === '80') || ((scheme === 'https' || scheme === 'wss') && port === '443');
}

/**
 * Patterns indexed by suffix, so matching walks the request host's parent domains (a few map
 * look-ups) instead of testing every pattern.
 */
export class OriginPatternIndex {
  private readonly bySuffix = new Map<string, OriginPattern[]>();
  readonly size: number;

  constructor(patterns: readonly OriginPattern[]) {
    for (const pattern of patterns) {
      const bucket = this.bySuffix.get(pattern.suffix);
      if (bucket === undefined) this.bySuffix.set(pattern.suffix, [pattern]);
      else bucket.push(pattern);
    }
    this.size = patterns.length;
  }

  match(origin: ParsedOrigin): OriginPattern | undefined {
    const host = origin.host;
    if (host.startsWith('[')) return undefined;
    // Every proper parent of host; the label(s) left of the dot are the wildcard's match, never empty
    // because parseRequestOrigin refuses empty labels.
    for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
      const bucket = this.bySuffix.get(host.slice(dot + 1));
      if (bucket === undefined) continue;
      for (const pattern of bucket) {
        if (pattern.scheme !== origin.scheme) continue;
        if (pattern.ports === 'any' || pattern.ports.has(origin.port)) return pattern;
      }
    }
    return undefined;
  }

  /** All patterns, for explanations of a refusal. */
  all(): OriginPattern[] {
    return [...this.bySuffix.values()].flat();
  }
}
