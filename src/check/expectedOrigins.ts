// The origins the caller says should be allowed (`--origin`), plus the target's own origin: a probe
// origin they cover is never reported as a hole. Exact origins are canonicalised as in the config
// (docs/cors.md), wildcard patterns use Gatehouse's pattern syntax (`https://*.example.com`), and
// `null` may be listed when a sandboxed page of one's own really calls the API.

import { OriginMatcher } from '../cors/originMatcher.ts';
import { parseOriginPattern, type OriginPattern } from '../cors/originPattern.ts';
import { canonicaliseConfiguredOrigin } from '../cors/originSyntax.ts';

export type ParsedExpected = { readonly ok: true; readonly kind: 'exact'; readonly origin: string } | { readonly ok: true; readonly kind: 'pattern'; readonly pattern: OriginPattern } | { readonly ok: false; readonly message: string };

/** Parses one `--origin` value. */
export function parseExpectedOrigin(raw: string): ParsedExpected {
  const value = raw.trim();
  if (value === 'null') return { ok: true, kind: 'exact', origin: 'null' };
  if (value === '*') return { ok: false, message: '"*" is not an origin: leave --origin out to audit a public API (Access-Control-Allow-Origin: * is reported as info)' };
  if (value.includes('*')) {
    const parsed = parseOriginPattern(value);
    return parsed.ok ? { ok: true, kind: 'pattern', pattern: parsed.pattern } : { ok: false, message: `${JSON.stringify(raw)} ${parsed.message}; ${parsed.hint}` };
  }
  const canonical = canonicaliseConfiguredOrigin(value);
  if (!canonical.ok) return { ok: false, message: `${JSON.stringify(raw)} ${canonical.message}; ${canonical.hint}` };
  if (canonical.parsed.scheme !== 'http' && canonical.parsed.scheme !== 'https') {
    return { ok: false, message: `${JSON.stringify(raw)} is not an http(s) origin` };
  }
  return { ok: true, kind: 'exact', origin: canonical.origin };
}

export class ExpectedOrigins {
  /** Canonical exact origins, in the order given (may include `null`). */
  readonly exact: readonly string[];
  readonly patterns: readonly OriginPattern[];
  private readonly matcher: OriginMatcher;

  constructor(exact: readonly string[], patterns: readonly OriginPattern[], private readonly targetOrigin: string) {
    this.exact = [...new Set(exact)];
    this.patterns = patterns;
    this.matcher = new OriginMatcher({ exact: this.exact, patterns, regexes: [], allowAll: false });
  }

  /** Parses every value; throws nothing, returns the problems instead. */
  static parse(values: readonly string[], targetOrigin: string): { ok: true; value: ExpectedOrigins } | { ok: false; problems: string[] } {
    const exact: string[] = [];
    const patterns: OriginPattern[] = [];
    const problems: string[] = [];
    for (const value of values) {
      const parsed = parseExpectedOrigin(value);
      if (!parsed.ok) problems.push(parsed.message);
      else if (parsed.kind === 'exact') exact.push(parsed.origin);
      else patterns.push(parsed.pattern);
    }
    return problems.length > 0 ? { ok: false, problems } : { ok: true, value: new ExpectedOrigins(exact, patterns, targetOrigin) };
  }

  /** True when the caller allows this origin (or it is the target's own origin). */
  covers(origin: string): boolean {
    return origin === this.targetOrigin || this.matcher.match(origin).allowed;
  }

  /** Everything given, for the report: exact origins, then patterns. */
  describe(): string[] {
    return [...this.exact, ...this.patterns.map((p) => p.source)];
  }
}
