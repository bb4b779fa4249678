// Turns probe results into findings. Pure: results in, findings out.
//
// "Readable" is the browser's own test (Fetch "CORS check"): Access-Control-Allow-Origin equal to the
// request's Origin byte for byte, or `*` for a request without credentials; with credentials also
// Access-Control-Allow-Credentials exactly `true`. A look-alike only counts when its exact origin is
// echoed: under `*` every origin reads, which is one finding (origin-wildcard), not one per probe.

import { getDomain } from 'tldts';
import type { ExpectedOrigins } from './expectedOrigins.ts';
import { findingKind, type FindingContext, type FindingId, type Fix } from './findings.ts';
import type { ProbeResponse, ProbeResult, SentRequest } from './probeRunner.ts';
import { PROBE_METHOD, type Attacker, type ProbeKind } from './probes.ts';
import { bySeverityDescending, type Severity } from './severity.ts';

export interface Evidence {
  /** The request as sent; secrets in the caller's headers are redacted. */
  readonly request: SentRequest;
  /** The status and the headers that decide CORS (Access-Control-*, Vary, Location). */
  readonly response: ProbeResponse;
}

export interface Finding {
  readonly id: FindingId;
  readonly severity: Severity;
  readonly title: string;
  readonly detail: string;
  /** The Origin of the request that proves it. */
  readonly origin: string | undefined;
  readonly credentials: boolean;
  readonly evidence: Evidence;
  readonly fix: Fix;
  readonly references: readonly string[];
}

export interface AnalysisInput {
  readonly results: readonly ProbeResult[];
  readonly expected: ExpectedOrigins;
  readonly attacker: Attacker;
}

const LOOK_ALIKE_IDS: Partial<Record<ProbeKind, FindingId>> = {
  prefix: 'origin-prefix-match',
  suffix: 'origin-suffix-match',
  'unescaped-dot': 'origin-unescaped-dot',
  'http-downgrade': 'origin-http-downgrade',
  subdomain: 'origin-any-subdomain',
};

interface Answered {
  readonly result: ProbeResult;
  readonly response: ProbeResponse;
}

function header(response: ProbeResponse, name: string): string | undefined {
  return response.headers[name];
}

/** What the browser would grant this probe's origin. */
export function grantOf(origin: string | undefined, response: ProbeResponse): { echoed: boolean; wildcard: boolean; credentials: boolean } {
  const acao = header(response, 'access-control-allow-origin');
  return {
    echoed: origin !== undefined && acao === origin,
    wildcard: acao === '*',
    credentials: header(response, 'access-control-allow-credentials') === 'true',
  };
}

const registrableOf = (origin: string): string => getDomain(new URL(origin).hostname, { allowPrivateDomains: true }) ?? origin;

const list = (value: string | undefined): string[] => (value ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');

function varyHasOrigin(response: ProbeResponse): boolean {
  return list(header(response, 'vary')).some((v) => v === '*' || v.toLowerCase() === 'origin');
}

const EVIDENCE_HEADERS = /^(access-control-|vary$|location$|x-gatehouse-cors$)/;
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie)$|token|secret|key|session|auth/;

export function evidenceOf(result: ProbeResult, response: ProbeResponse): Evidence {
  const requestHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.request.headers)) {
    const corsOwn = name === 'origin' || name.startsWith('access-control-request-');
    requestHeaders[name] = !corsOwn && SECRET_HEADER.test(name) ? '<redacted>' : value;
  }
  const responseHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) if (EVIDENCE_HEADERS.test(name)) responseHeaders[name] = value;
  return { request: { ...result.request, headers: requestHeaders }, response: { status: response.status, headers: responseHeaders } };
}

export function analyse(input: AnalysisInput): Finding[] {
  const { expected, attacker } = input;
  const allowed = expected.exact.filter((o) => o !== 'null');
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const report = (id: FindingId, at: Answered, extra: Partial<FindingContext> & { credentials: boolean }): void => {
    const origin = at.result.probe.origin;
    const key = `${id} ${origin ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    const kind = findingKind(id);
    const context: FindingContext = { origin, basis: at.result.probe.basis, allowed, ...extra };
    findings.push({
      id,
      severity: context.credentials ? kind.severity.withCredentials : kind.severity.withoutCredentials,
      title: kind.title,
      detail: kind.describe(context),
      origin,
      credentials: context.credentials,
      evidence: evidenceOf(at.result, at.response),
      fix: kind.fix(context),
      references: kind.references,
    });
  };

  const answered: Answered[] = [];
  for (const result of input.results) if (result.outcome.status === 'answered') answered.push({ result, response: result.outcome.response });
  const gets = answered.filter((a) => a.result.probe.method === 'GET');
  const preflights = answered.filter((a) => a.result.probe.method === 'OPTIONS');

  // Any origin: the random attacker origin echoed. Everything narrower is then implied.
  const arbitrary = gets.find((a) => a.result.probe.kind === 'arbitrary');
  const reflected = arbitrary !== undefined && grantOf(attacker.origin, arbitrary.response).echoed;
  if (arbitrary !== undefined && reflected) report('origin-reflected', arbitrary, { credentials: grantOf(attacker.origin, arbitrary.response).credentials });

  // `*` anywhere, the baseline without Origin included.
  const wildcard = gets.find((a) => grantOf(a.result.probe.origin, a.response).wildcard);
  if (wildcard !== undefined) {
    const credentials = grantOf(undefined, wildcard.response).credentials;
    report(credentials ? 'wildcard-with-credentials' : 'origin-wildcard', wildcard, { credentials });
  }

  // A check that accepts `evilexample.com` (endsWith) also accepts `appxexample.com`: one flaw, one
  // finding, so the unescaped-dot look-alike is reported only where the suffix one was refused.
  const suffixGranted = new Set<string>();
  for (const at of gets) {
    const { probe } = at.result;
    if (probe.kind === 'suffix' && grantOf(probe.origin, at.response).echoed) suffixGranted.add(registrableOf(probe.origin!.replace('://evil', '://')));
  }

  for (const at of gets) {
    const { probe } = at.result;
    if (probe.origin === undefined) continue;
    if (probe.kind === 'unescaped-dot' && probe.basis !== undefined && suffixGranted.has(registrableOf(probe.basis))) continue;
    const grant = grantOf(probe.origin, at.response);
    if (probe.kind === 'expected') {
      if (!grant.echoed && !grant.wildcard) {
        const acao = header(at.response, 'access-control-allow-origin');
        report('expected-origin-refused', at, { credentials: false, ...(acao === undefined ? {} : { quoted: `Access-Control-Allow-Origin: ${acao}` }) });
      }
      continue;
    }
    if (reflected || !grant.echoed || expected.covers(probe.origin)) continue;
    if (probe.kind === 'null') report('origin-null', at, { credentials: grant.credentials });
    const lookAlike = LOOK_ALIKE_IDS[probe.kind];
    if (lookAlike !== undefined) report(lookAlike, at, { credentials: grant.credentials });
  }

  // Fetch "CORS protocol and HTTP caches": an answer that depends on Origin needs Vary: Origin.
  const withOrigin = gets.filter((a) => a.result.probe.origin !== undefined);
  const answers = new Set(withOrigin.map((a) => header(a.response, 'access-control-allow-origin') ?? ''));
  if (answers.size > 1) {
    const missing = withOrigin.filter((a) => !varyHasOrigin(a.response));
    const worst = missing.find((a) => header(a.response, 'access-control-allow-origin') !== undefined) ?? missing[0];
    if (worst !== undefined) report('vary-origin-missing', worst, { credentials: grantOf(undefined, worst.response).credentials, distinctAnswers: answers.size });
  }

  for (const at of preflights) {
    const { probe } = at.result;
    const origin = probe.origin!;
    const grant = grantOf(origin, at.response);
    // Fetch "CORS check" on the preflight: `*` passes only for a request without credentials.
    const granted = grant.echoed || grant.wildcard;
    if (!granted) continue;
    if (probe.kind === 'preflight-origin') {
      if (grant.echoed && !reflected) report('preflight-any-origin', at, { credentials: grant.credentials });
      if (header(at.response, 'access-control-allow-private-network') === 'true') report('private-network-any-origin', at, { credentials: grant.credentials });
    } else if (probe.kind === 'preflight-private-network') {
      if (header(at.response, 'access-control-allow-private-network') !== 'true') continue;
      report(expected.covers(origin) ? 'private-network-allowed' : 'private-network-any-origin', at, { credentials: grant.credentials });
    } else if (probe.kind === 'preflight-methods') {
      // Fetch "CORS-preflight fetch": methods compare case-sensitively, header names without case;
      // `*` is a wildcard for every request without credentials, even from a credentialed policy.
      const methods = list(header(at.response, 'access-control-allow-methods'));
      if (methods.includes(PROBE_METHOD) || methods.includes('*')) {
        report('preflight-any-method', at, { credentials: grant.credentials, asked: PROBE_METHOD, quoted: header(at.response, 'access-control-allow-methods')! });
      }
      const headers = list(header(at.response, 'access-control-allow-headers')).map((h) => h.toLowerCase());
      if (headers.includes(attacker.header) || headers.includes('*')) {
        report('preflight-any-header', at, { credentials: grant.credentials, asked: attacker.header, quoted: header(at.response, 'access-control-allow-headers')! });
      }
    }
  }

  return findings.sort((a, b) => bySeverityDescending(a.severity, b.severity) || a.id.localeCompare(b.id));
}
