// One resolved policy turned into everything a request needs: the origin matcher and the exact
// response headers for each outcome, built once at start-up.

import type { ResolvedCorsPolicy } from '../config/corsSettings.ts';
import { OriginExplainer } from './nearestOrigin.ts';
import { OriginMatcher } from './originMatcher.ts';

export type Header = readonly [name: string, value: string];

// Fetch §2.2.1: GET, HEAD and POST never need to be listed in Access-Control-Allow-Methods.
const SAFELISTED_METHODS = new Set(['GET', 'HEAD', 'POST']);

export class CorsPolicy {
  readonly matcher: OriginMatcher;
  readonly explainer: OriginExplainer;
  /** `*` instead of the echoed origin: allowAllOrigins without credentials. */
  readonly wildcardOrigin: boolean;
  readonly strict: boolean;
  readonly debugHeader: boolean;
  readonly allowPrivateNetwork: boolean;
  /** Headers for an allowed non-OPTIONS request (besides Access-Control-Allow-Origin). */
  readonly actualHeaders: readonly Header[];
  /** Headers for an allowed OPTIONS request, preflight or not, as django-cors-headers sends them. */
  readonly optionsHeaders: readonly Header[];
  /** optionsHeaders plus Access-Control-Allow-Private-Network. */
  readonly privateNetworkHeaders: readonly Header[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  private readonly methodSet: ReadonlySet<string>;
  private readonly headerSet: ReadonlySet<string>;
  private readonly wildcardMethods: boolean;
  private readonly wildcardHeaders: boolean;

  constructor(resolved: ResolvedCorsPolicy) {
    this.matcher = new OriginMatcher({
      exact: resolved.exactOrigins,
      patterns: resolved.patterns,
      regexes: resolved.regexes,
      allowAll: resolved.allowAllOrigins,
    });
    this.explainer = new OriginExplainer(this.matcher);
    this.wildcardOrigin = resolved.allowAllOrigins && !resolved.allowCredentials;
    this.strict = resolved.strict;
    this.debugHeader = resolved.debugHeader;
    this.allowPrivateNetwork = resolved.allowPrivateNetwork;
    this.allowMethods = resolved.allowMethods;
    this.allowHeaders = resolved.allowHeaders;

    const actual: Header[] = [];
    if (resolved.allowCredentials) actual.push(['Access-Control-Allow-Credentials', 'true']);
    if (resolved.exposeHeaders.length > 0) actual.push(['Access-Control-Expose-Headers', resolved.exposeHeaders.join(', ')]);
    const options: Header[] = [
      ...actual,
      ['Access-Control-Allow-Headers', resolved.allowHeaders.join(', ')],
      ['Access-Control-Allow-Methods', resolved.allowMethods.join(', ')],
    ];
    // A max-age of 0 sends no header, as django-cors-headers does; browsers then cache for 5 s.
    if (resolved.preflightMaxAge > 0) options.push(['Access-Control-Max-Age', String(resolved.preflightMaxAge)]);
    this.actualHeaders = Object.freeze(actual);
    this.optionsHeaders = Object.freeze(options);
    this.privateNetworkHeaders = Object.freeze([...options, ['Access-Control-Allow-Private-Network', 'true'] as const]);

    // Fetch §4.8 (CORS-preflight fetch): `*` is a wildcard only for requests without credentials;
    // methods compare case-sensitively, header names case-insensitively.
    this.methodSet = new Set(resolved.allowMethods);
    this.headerSet = new Set(resolved.allowHeaders.map((h) => h.toLowerCase()));
    this.wildcardMethods = this.methodSet.has('*') && !resolved.allowCredentials;
    this.wildcardHeaders = this.headerSet.has('*') && !resolved.allowCredentials;
  }

  methodAllowed(method: string): boolean {
    return this.methodSet.has(method) || SAFELISTED_METHODS.has(method) || this.wildcardMethods;
  }

  /** `lowerName` is lower-case. Authorization is never covered by `*` (Fetch §4.8 step 7). */
  headerAllowed = (lowerName: string): boolean =>
    this.headerSet.has(lowerName) || (this.wildcardHeaders && lowerName !== 'authorization');
}
