// Explains a refused origin: the nearest allowed origin and what differs (scheme, host, port), so a
// developer reading the log sees at once that `http://app.example.com` was refused because only
// `https://app.example.com` is allowed. Runs only on refusals, and remembers its answers.

import { getDomain } from 'tldts';
import { editDistance } from '../text/editDistance.ts';
import { describeInvalidOrigin, parseRequestOrigin, type ParsedOrigin } from './originSyntax.ts';
import type { OriginMatcher } from './originMatcher.ts';

export interface OriginExplanation {
  readonly nearest?: string;
  readonly differs?: readonly ('scheme' | 'host' | 'port')[];
  readonly note?: string;
}

// Past this many exact origins, a whole-list edit-distance scan per refusal costs too much.
const FULL_SCAN_LIMIT = 100;
const CACHE_LIMIT = 1024;
// A flood of distinct refused origins must not buy CPU: past this many new explanations a second,
// refusals are logged without the nearest-origin search.
const EXPLANATIONS_PER_SECOND = 200;

export class OriginExplainer {
  private byHost?: Map<string, ParsedOrigin[]>;
  private byDomain?: Map<string, ParsedOrigin[]>;
  private readonly cache = new Map<string, OriginExplanation>();
  private windowStart = 0;
  private spent = 0;

  constructor(
    private readonly matcher: OriginMatcher,
    private readonly now: () => number = Date.now,
  ) {}

  explain(origin: string): OriginExplanation {
    let found = this.cache.get(origin);
    if (found === undefined) {
      const at = this.now();
      if (at - this.windowStart >= 1000) {
        this.windowStart = at;
        this.spent = 0;
      }
      if (++this.spent > EXPLANATIONS_PER_SECOND) return { note: 'not explained: too many distinct refused origins this second' };
      found = this.compute(origin);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(origin, found);
    }
    return found;
  }

  private compute(origin: string): OriginExplanation {
    if (origin === 'null') return { note: 'the null origin (sandboxed iframe, data: or file: page) is allowed only when allowedOrigins lists "null"' };
    const request = parseRequestOrigin(origin);
    if (request === undefined) return { note: `the Origin header ${describeInvalidOrigin(origin)}` };
    this.buildIndexes();
    const sameHost = this.byHost!.get(request.host);
    if (sameHost !== undefined) return describe(request, sameHost[0]!);
    for (const pattern of this.matcher.patterns.all()) {
      if (pattern.suffix === request.host) {
        return { nearest: pattern.source, differs: ['host'], note: `the pattern ${pattern.source} needs at least one label before ${pattern.suffix}` };
      }
    }
    const domain = getDomain(request.host);
    const sameDomain = domain === null ? undefined : this.byDomain!.get(domain);
    if (sameDomain !== undefined) return describe(request, sameDomain[0]!);
    if (this.matcher.exact.size > 0 && this.matcher.exact.size <= FULL_SCAN_LIMIT) {
      let best: string | undefined;
      let bestDistance = Infinity;
      for (const candidate of this.matcher.exact) {
        // The length difference is a lower bound of the distance: skip what cannot win.
        if (Math.abs(candidate.length - origin.length) >= bestDistance) continue;
        const distance = editDistance(origin, candidate);
        if (distance < bestDistance) {
          best = candidate;
          bestDistance = distance;
        }
      }
      const parsed = best === undefined ? undefined : parseRequestOrigin(best);
      if (parsed !== undefined) return describe(request, parsed);
    }
    return { note: 'no allowed origin shares its host or domain' };
  }

  private buildIndexes(): void {
    if (this.byHost !== undefined) return;
    this.byHost = new Map();
    this.byDomain = new Map();
    for (const entry of this.matcher.exact) {
      const parsed = parseRequestOrigin(entry);
      if (parsed === undefined) continue;
      push(this.byHost, parsed.host, parsed);
      const domain = getDomain(parsed.host);
      if (domain !== null) push(this.byDomain, domain, parsed);
    }
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const bucket = map.get(key);
  if (bucket === undefined) map.set(key, [value]);
  else bucket.push(value);
}

function describe(request: ParsedOrigin, allowed: ParsedOrigin): OriginExplanation {
  const differs: ('scheme' | 'host' | 'port')[] = [];
  if (request.scheme !== allowed.scheme) differs.push('scheme');
  if (request.host !== allowed.host) differs.push('host');
  if (request.port !== allowed.port) differs.push('port');
  const nearest = `${allowed.scheme}://${allowed.host}${allowed.port === '' ? '' : `:${allowed.port}`}`;
  return { nearest, differs };
}
