// The requests a CORS audit sends, planned from the target URL and the expected origins: the probes
// scanners send (Corsy, CORScanner; PortSwigger's "Exploiting CORS misconfigurations"), each a
// serialized origin a browser could really send (HTML "serialization of an origin"), so a finding is
// always something an attacker's page can reproduce.
//
// Phase 1 is simple GETs (the baseline without Origin, a random attacker origin, `null`, each
// expected origin and look-alikes of each). Phase 2 is preflights, planned from what phase 1 found:
// methods and headers are asked from an origin the server allows, since only there does the answer
// mean anything.

import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { getDomain } from 'tldts';
import type { ParsedOrigin } from '../cors/originSyntax.ts';
import type { ExpectedOrigins } from './expectedOrigins.ts';

export type ProbeKind =
  | 'baseline'
  | 'arbitrary'
  | 'null'
  | 'expected'
  | 'prefix'
  | 'suffix'
  | 'unescaped-dot'
  | 'http-downgrade'
  | 'subdomain'
  | 'preflight-methods'
  | 'preflight-origin'
  | 'preflight-private-network';

export interface Probe {
  /** Unique within one audit, e.g. `get:https://app.example.com.attacker-x1.example`. */
  readonly key: string;
  readonly kind: ProbeKind;
  readonly method: 'GET' | 'OPTIONS';
  /** undefined only for the baseline. */
  readonly origin: string | undefined;
  /** The origin a look-alike was made from. */
  readonly basis?: string;
  /** The CORS request headers besides Origin (Access-Control-Request-*), lower-case names. */
  readonly corsHeaders: Readonly<Record<string, string>>;
}

/** A method no server implements: a preflight that grants it grants anything. */
export const PROBE_METHOD = 'GATEHOUSE-PROBE';

/** The random part of the attacker names: fresh per audit, so no cache or allowlist can know it. */
export function randomToken(): string {
  return randomBytes(6).toString('hex').slice(0, 8);
}

export interface Attacker {
  /** The attacker's registrable domain, e.g. `attacker-1a2b3c4d.example` (RFC 2606 `.example`). */
  readonly domain: string;
  /** `https://<domain>`. */
  readonly origin: string;
  /** A request header name nobody uses. */
  readonly header: string;
  readonly token: string;
}

export function attackerFor(token: string): Attacker {
  const domain = `attacker-${token}.example`;
  return { domain, origin: `https://${domain}`, header: `x-gatehouse-probe-${token}`, token };
}

export function serializeOrigin(origin: ParsedOrigin): string {
  return `${origin.scheme}://${origin.host}${origin.port === '' ? '' : `:${origin.port}`}`;
}

function parseHttpOrigin(origin: string): ParsedOrigin | undefined {
  const m = /^(https?):\/\/([^/:]+|\[[^\]]+\])(?::(\d+))?$/.exec(origin);
  return m === null ? undefined : { scheme: m[1]!, host: m[2]!, port: m[3] ?? '' };
}

const isIpHost = (host: string): boolean => host.startsWith('[') || isIP(host) !== 0;

export interface LookAlike {
  readonly kind: 'prefix' | 'suffix' | 'unescaped-dot' | 'http-downgrade' | 'subdomain';
  readonly origin: string;
}

/**
 * Origins an attacker can own that flawed checks mistake for `basis`:
 *   prefix          https://app.example.com.attacker-x.example   (startsWith, a regex without $)
 *   suffix          https://evilexample.com                       (endsWith, `.*example\.com$`)
 *   unescaped-dot   https://appxexample.com                       (`app.example\.com`)
 *   http-downgrade  http://app.example.com                        (`^https?://`, both schemes listed)
 *   subdomain       https://probe-x.app.example.com               (any subdomain trusted)
 * The suffix and dot variants are made at the registrable domain (tldts, the Public Suffix List),
 * because only a new registrable domain is one an attacker can buy.
 */
export function lookAlikes(basis: ParsedOrigin, attacker: Attacker): LookAlike[] {
  const { scheme, host, port } = basis;
  const out: LookAlike[] = [];
  const make = (h: string, s = scheme): string => serializeOrigin({ scheme: s, host: h, port });
  if (!isIpHost(host)) {
    out.push({ kind: 'prefix', origin: make(`${host}.${attacker.domain}`) });
    const registrable = getDomain(host, { allowPrivateDomains: true });
    if (registrable !== null && registrable !== '') {
      out.push({ kind: 'suffix', origin: make(`evil${registrable}`) });
      // The dot just left of the registrable domain: `app.example.com` → `appxexample.com`.
      if (host.length > registrable.length && host.endsWith(`.${registrable}`)) {
        const dot = host.length - registrable.length - 1;
        out.push({ kind: 'unescaped-dot', origin: make(`${host.slice(0, dot)}x${host.slice(dot + 1)}`) });
      }
    }
    out.push({ kind: 'subdomain', origin: make(`probe-${attacker.token}.${host}`) });
  }
  if (scheme === 'https') out.push({ kind: 'http-downgrade', origin: make(host, 'http') });
  return out;
}

function get(kind: ProbeKind, origin: string | undefined, basis?: string): Probe {
  return { key: `get:${origin ?? '(none)'}`, kind, method: 'GET', origin, ...(basis === undefined ? {} : { basis }), corsHeaders: {} };
}

export interface OriginPlanInput {
  readonly target: URL;
  readonly expected: ExpectedOrigins;
  readonly attacker: Attacker;
}

/** The bases look-alikes are made from: each expected origin or pattern domain, and the target. */
export function lookAlikeBases(input: OriginPlanInput): ParsedOrigin[] {
  const bases: ParsedOrigin[] = [];
  for (const origin of input.expected.exact) {
    const parsed = parseHttpOrigin(origin);
    if (parsed !== undefined) bases.push(parsed);
  }
  for (const pattern of input.expected.patterns) {
    const port = pattern.ports === 'any' ? '' : ([...pattern.ports][0] ?? '');
    bases.push({ scheme: pattern.scheme, host: pattern.suffix, port });
  }
  const target = input.target;
  const targetHost = target.hostname;
  if (!isIpHost(targetHost)) bases.push({ scheme: target.protocol.slice(0, -1), host: targetHost, port: target.port });
  return bases;
}

/** Phase 1: the baseline first, then the origins most likely to matter, each origin once. */
export function planOriginProbes(input: OriginPlanInput): Probe[] {
  const probes: Probe[] = [get('baseline', undefined)];
  const seen = new Set<string>();
  const add = (probe: Probe): void => {
    if (probe.origin !== undefined && seen.has(probe.origin)) return;
    if (probe.origin !== undefined) seen.add(probe.origin);
    probes.push(probe);
  };
  add(get('arbitrary', input.attacker.origin));
  if (!input.expected.covers('null')) add(get('null', 'null'));
  const targetOrigin = input.target.origin;
  // The target's own origin needs no CORS headers (a same-origin request), so it is not asked.
  for (const origin of input.expected.exact) if (origin !== 'null' && origin !== targetOrigin) add(get('expected', origin));
  for (const basis of lookAlikeBases(input)) {
    const basisOrigin = serializeOrigin(basis);
    for (const lookAlike of lookAlikes(basis, input.attacker)) {
      if (lookAlike.origin === targetOrigin || input.expected.covers(lookAlike.origin)) continue;
      add(get(lookAlike.kind, lookAlike.origin, basisOrigin));
    }
  }
  return probes;
}

export interface PreflightPlanInput {
  readonly attacker: Attacker;
  readonly expected: ExpectedOrigins;
  /** Origins phase 1 found readable (echoed, or `*`), expected ones first. */
  readonly granted: readonly string[];
  /** How many origins to ask about methods and headers (each costs two preflights). */
  readonly maxPreflightOrigins?: number;
}

/**
 * Phase 2: the attacker asks for DELETE and private-network access (is any origin granted a
 * preflight?); each granted expected origin asks for a made-up method and header, and for
 * private-network access. When no expected origin is granted, one granted stranger asks about methods
 * and headers (the answer is the policy's, whoever asks); its private-network answer would only
 * repeat the hole that let it in.
 */
export function planPreflights(input: PreflightPlanInput): Probe[] {
  const { attacker } = input;
  const probes: Probe[] = [
    {
      key: `options-origin:${attacker.origin}`,
      kind: 'preflight-origin',
      method: 'OPTIONS',
      origin: attacker.origin,
      corsHeaders: { 'access-control-request-method': 'DELETE', 'access-control-request-private-network': 'true' },
    },
  ];
  const candidates = input.granted.filter((o) => o !== 'null');
  const expected = candidates.filter((o) => input.expected.covers(o)).slice(0, input.maxPreflightOrigins ?? 3);
  const askers = expected.length > 0 ? expected : candidates.slice(0, 1);
  for (const origin of askers) {
    probes.push({
      key: `options-methods:${origin}`,
      kind: 'preflight-methods',
      method: 'OPTIONS',
      origin,
      corsHeaders: { 'access-control-request-method': PROBE_METHOD, 'access-control-request-headers': attacker.header },
    });
  }
  for (const origin of expected) {
    probes.push({
      key: `options-pna:${origin}`,
      kind: 'preflight-private-network',
      method: 'OPTIONS',
      origin,
      corsHeaders: { 'access-control-request-method': 'GET', 'access-control-request-private-network': 'true' },
    });
  }
  return probes;
}
