// Token-free CSRF protection for requests that carry ambient credentials (cookies, browser-managed
// Authorization), in the style of Go 1.25's net/http CrossOriginProtection, with Django's meaning for
// trusted origins and its Referer rule for HTTPS requests without Origin (CsrfViewMiddleware):
//
//  1. GET, HEAD, OPTIONS and TRACE are safe (RFC 9110 §9.2.1) and pass; they must not change state.
//  2. A request with no ambient credential, or with an explicit one (Bearer token, API key), passes:
//     a forged request gains nothing without the browser's ambient authority.
//  3. An exempt path (crossSite.csrf.exemptPaths) passes.
//  4. A trusted Origin passes: csrf.trustedOrigins (CSRF_TRUSTED_ORIGINS), and the origins CORS allows
//     with credentials on that path (they may already send credentialed requests after a preflight).
//  5. Sec-Fetch-Site `same-origin` or `none` passes; any other value (`same-site`: a sibling
//     subdomain; `cross-site`) is refused. Browsers send it since 2023 and pages cannot forge it.
//  6. Without Sec-Fetch-Site, an Origin must be the server's own (scheme from the resolved protocol,
//     host from Host): Django's _origin_verified. `null` never is.
//  7. Without either, over HTTPS the Referer must be https and its host the server's or a trusted
//     one (Django's _check_referer: "Referer checking failed - no Referer" and the like). Over plain
//     HTTP there is nothing left to vouch for the request and it is refused: every browser since 2020
//     sends Origin on a POST (Go passes it, Django would demand its token instead), and a client that
//     is not a browser authenticates with a Bearer token or an API key, which this check never sees.

import type { ResolvedCrossSite } from '../config/crossSiteSchema.ts';
import type { Logger } from '../logger.ts';
import { problemAnswer, type EngineAnswer } from '../https/engineAnswer.ts';
import { ownOrigin } from '../https/hostSyntax.ts';
import { pathListed, type PathList } from '../https/pathList.ts';
import type { RequestFacts } from '../https/requestFacts.ts';
import { credentialKind } from './requestCredentials.ts';
import { TrustedOrigins } from './trustedOrigins.ts';

export type CsrfFacts = Pick<RequestFacts, 'method' | 'path' | 'header' | 'origin' | 'secure' | 'host'>;

export type CsrfReason = 'cross-site-fetch' | 'origin-not-trusted' | 'origin-missing' | 'referer-missing' | 'referer-malformed' | 'referer-insecure' | 'referer-not-trusted';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

const REFUSAL = problemAnswer('csrf-refused', 403, 'Cross-site request refused', 'A request with cookies must come from this site or a trusted origin.');

export class CsrfPolicy {
  readonly trusted: TrustedOrigins;
  readonly trustCorsOrigins: boolean;
  private readonly exempt: PathList;
  private readonly apiKeyHeader: string;
  private readonly logger: Logger;

  constructor(resolved: ResolvedCrossSite['csrf'], apiKeyHeader: string, logger: Logger) {
    this.trusted = new TrustedOrigins(resolved.trusted);
    this.trustCorsOrigins = resolved.trustCorsOrigins;
    this.exempt = resolved.exempt;
    this.apiKeyHeader = apiKeyHeader;
    this.logger = logger;
  }

  /** `corsCredentialed`: the CORS policy of the path allows the Origin with credentials. */
  check(facts: CsrfFacts, corsCredentialed: boolean): EngineAnswer | undefined {
    if (SAFE_METHODS.has(facts.method)) return undefined;
    if (credentialKind(facts.header, this.apiKeyHeader) !== 'ambient') return undefined;
    if (pathListed(this.exempt, facts.path)) return undefined;
    const origin = facts.origin;
    if (origin !== undefined && (this.trusted.allowsOrigin(origin) || (this.trustCorsOrigins && corsCredentialed))) return undefined;
    const site = facts.header('sec-fetch-site');
    if (site !== undefined) return site === 'same-origin' || site === 'none' ? undefined : this.refuse(facts, 'cross-site-fetch', `Sec-Fetch-Site is ${site}`);
    if (origin !== undefined) {
      return origin === ownOrigin(facts.secure, facts.host) ? undefined : this.refuse(facts, 'origin-not-trusted', `Origin ${origin} is neither this server's origin nor trusted`);
    }
    if (!facts.secure) return this.refuse(facts, 'origin-missing', 'a request with cookies over plain HTTP must carry Origin or Sec-Fetch-Site');
    return this.checkReferer(facts);
  }

  private checkReferer(facts: CsrfFacts): EngineAnswer | undefined {
    const referer = facts.header('referer');
    if (referer === undefined || referer === '') return this.refuse(facts, 'referer-missing', 'an HTTPS request without Origin must carry a Referer');
    let url: URL;
    try {
      url = new URL(referer);
    } catch {
      return this.refuse(facts, 'referer-malformed', 'the Referer is not a URL');
    }
    if (url.host === '') return this.refuse(facts, 'referer-malformed', 'the Referer has no host');
    if (url.protocol !== 'https:') return this.refuse(facts, 'referer-insecure', `the Referer ${url.origin} is not https while the request is`);
    const own = ownOrigin(true, facts.host);
    if (url.origin === own || this.trusted.allowsRefererHost(url.host)) return undefined;
    return this.refuse(facts, 'referer-not-trusted', `the Referer ${url.origin} is neither this server's origin nor trusted`);
  }

  private refuse(facts: CsrfFacts, reason: CsrfReason, why: string): EngineAnswer {
    this.logger.info(
      { csrf: { reason, origin: facts.origin, site: facts.header('sec-fetch-site'), method: facts.method, path: facts.path } },
      `CSRF refused ${facts.method} ${facts.path}, which carries cookies or browser credentials: ${reason}: ${why}; list the origin in crossSite.csrf.trustedOrigins (CSRF_TRUSTED_ORIGINS) if it is yours`,
    );
    return REFUSAL;
  }
}
