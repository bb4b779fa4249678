// Fetch Metadata resource isolation (W3C Fetch Metadata Request Headers; web.dev "Protect your
// resources from web attacks with Fetch Metadata"): another site may navigate a user's browser to the
// API, and nothing else. A request whose Sec-Fetch-Site is `cross-site` is refused unless
// - it is a top-level navigation: Sec-Fetch-Mode `navigate`, method GET or HEAD, Sec-Fetch-Dest
//   `document` (or absent); an `<iframe>`, `<object>` or `<embed>` is not top-level;
// - its Origin is allowed by the CORS policy of the path, or a trusted origin (csrf.trustedOrigins);
// - its path is exempt (crossSite.fetchMetadata.exemptPaths).
// Sec-Fetch-* are forbidden header names (Fetch §2.2.2): a page cannot forge them. A request without
// Sec-Fetch-Site (curl, servers, browsers before 2023) is not judged here; CSRF and authentication
// still apply to it.

import type { ResolvedCrossSite } from '../config/crossSiteSchema.ts';
import type { Logger } from '../logger.ts';
import { problemAnswer, type EngineAnswer } from '../https/engineAnswer.ts';
import { pathListed, type PathList } from '../https/pathList.ts';
import type { RequestFacts } from '../https/requestFacts.ts';

export type ResourceIsolationFacts = Pick<RequestFacts, 'method' | 'path' | 'header' | 'origin'>;

// Fetch Metadata §2.3: same-origin, same-site and none (user-initiated: the address bar, a bookmark)
// are not cross-site. Any other value (`cross-site`, or something no browser sends) is treated as
// cross-site: a value outside the spec fails closed.
const NOT_CROSS_SITE = new Set(['same-origin', 'same-site', 'none']);

const REFUSAL = problemAnswer(
  'cross-site-request-refused',
  403,
  'Cross-site request refused',
  'Another site may link to this API, but not load it, submit to it, or call it without being allowed.',
);

export class ResourceIsolationPolicy {
  private readonly exempt: PathList;
  private readonly logger: Logger;
  private readonly explain: boolean;

  constructor(resolved: ResolvedCrossSite['fetchMetadata'], logger: Logger) {
    this.exempt = resolved.exempt;
    this.logger = logger;
    this.explain = logger.isLevelEnabled?.('info') ?? true;
  }

  /** `originAllowed`: the CORS policy of the path allows the Origin, or it is a trusted origin. */
  check(facts: ResourceIsolationFacts, originAllowed: boolean): EngineAnswer | undefined {
    const site = facts.header('sec-fetch-site');
    if (site === undefined || NOT_CROSS_SITE.has(site)) return undefined;
    const mode = facts.header('sec-fetch-mode');
    const dest = facts.header('sec-fetch-dest');
    if (mode === 'navigate' && (facts.method === 'GET' || facts.method === 'HEAD') && (dest === undefined || dest === 'document')) return undefined;
    if (originAllowed || pathListed(this.exempt, facts.path)) return undefined;
    if (this.explain) {
      const navigation = mode === 'navigate' ? `a ${facts.method} navigation into ${dest ?? 'a frame'}, not a top-level GET` : `mode ${mode ?? '(none)'}, destination ${dest ?? '(none)'}`;
      this.logger.info(
        { fetchMetadata: { reason: 'cross-site', site, mode, dest, origin: facts.origin, method: facts.method, path: facts.path } },
        `Fetch Metadata refused a cross-site ${facts.method} ${facts.path} (${navigation}${facts.origin ? `, Origin ${facts.origin}` : ''}): only top-level navigations may come from other sites; allow the origin in cors, or list the path in crossSite.fetchMetadata.exemptPaths`,
      );
    }
    return REFUSAL;
  }
}
