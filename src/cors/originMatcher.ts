// Decides whether a request's Origin is on the allowlist. Exact origins cost one hash look-up
// whatever the list's length; patterns and regexes cost a few look-ups more, and their answers are
// remembered per origin (a bounded cache) because a service sees few distinct origins.

import { OriginPatternIndex, type OriginPattern } from './originPattern.ts';
import { parseRequestOrigin } from './originSyntax.ts';

export type OriginMatch =
  | { readonly allowed: true; readonly by: 'exact' | 'null' | 'all' | 'pattern' | 'regex'; readonly rule?: string }
  | { readonly allowed: false; readonly why: 'invalid' | 'null-not-listed' | 'not-listed' };

export interface OriginMatcherInput {
  /** Canonical origins, plus the literal `null` and `file://` when configured. */
  readonly exact: readonly string[];
  readonly patterns: readonly OriginPattern[];
  readonly regexes: readonly { readonly source: string; readonly regex: RegExp }[];
  readonly allowAll: boolean;
}

const CACHE_LIMIT = 4096;

const EXACT: OriginMatch = Object.freeze({ allowed: true, by: 'exact' });
const NULL_LISTED: OriginMatch = Object.freeze({ allowed: true, by: 'null' });
const ALL: OriginMatch = Object.freeze({ allowed: true, by: 'all' });
const INVALID: OriginMatch = Object.freeze({ allowed: false, why: 'invalid' });
const NULL_NOT_LISTED: OriginMatch = Object.freeze({ allowed: false, why: 'null-not-listed' });
const NOT_LISTED: OriginMatch = Object.freeze({ allowed: false, why: 'not-listed' });

export class OriginMatcher {
  readonly exact: ReadonlySet<string>;
  readonly patterns: OriginPatternIndex;
  readonly regexes: OriginMatcherInput['regexes'];
  private readonly allowAll: boolean;
  private readonly cache = new Map<string, OriginMatch>();

  constructor(input: OriginMatcherInput) {
    this.exact = new Set(input.exact);
    this.patterns = new OriginPatternIndex(input.patterns);
    this.regexes = input.regexes;
    this.allowAll = input.allowAll;
  }

  match(origin: string): OriginMatch {
    if (this.exact.has(origin)) return origin === 'null' ? NULL_LISTED : EXACT;
    if (origin === 'null') return this.allowAll ? ALL : NULL_NOT_LISTED;
    const cached = this.cache.get(origin);
    if (cached !== undefined) return cached;
    const result = this.matchUncached(origin);
    // A flood of distinct origins must not grow memory: start over when full.
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(origin, result);
    return result;
  }

  private matchUncached(origin: string): OriginMatch {
    const parsed = parseRequestOrigin(origin);
    if (parsed === undefined) return INVALID;
    if (this.allowAll) return ALL;
    const pattern = this.patterns.size > 0 ? this.patterns.match(parsed) : undefined;
    if (pattern !== undefined) return Object.freeze({ allowed: true, by: 'pattern', rule: pattern.source });
    for (const { source, regex } of this.regexes) {
      if (regex.test(origin)) return Object.freeze({ allowed: true, by: 'regex', rule: source });
    }
    return NOT_LISTED;
  }
}
