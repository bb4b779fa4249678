// HTTPS: where an HTTP request is redirected (Django's SECURE_SSL_REDIRECT, SECURE_SSL_HOST,
// SECURE_REDIRECT_EXEMPT) and the Strict-Transport-Security value (SECURE_HSTS_*), both computed from
// the request's facts after the trusted proxies had their say.

import type { ResolvedHttps } from '../config/httpsSchema.ts';
import type { Logger } from '../logger.ts';
import { problemAnswer, type EngineAnswer } from './engineAnswer.ts';
import { hostName, isValidHost } from './hostSyntax.ts';
import { pathListed, type PathList } from './pathList.ts';
import type { RequestFacts } from './requestFacts.ts';

export type RedirectFacts = Pick<RequestFacts, 'method' | 'path' | 'target' | 'secure' | 'host'>;

export class HttpsPolicy {
  /** The Strict-Transport-Security value for HTTPS responses; undefined while hsts.maxAge is 0. */
  readonly hsts: string | undefined;
  /** `https.redirect`: the adapters redirect HTTP requests themselves. */
  readonly redirectEnabled: boolean;
  private readonly redirectHost: string | undefined;
  private readonly exempt: PathList;
  private readonly exemptRegexes: readonly RegExp[];
  private readonly logger: Logger;

  constructor(resolved: ResolvedHttps, logger: Logger) {
    this.hsts = resolved.hsts;
    this.redirectEnabled = resolved.redirect;
    this.redirectHost = resolved.redirectHost;
    this.exempt = resolved.redirectExempt;
    this.exemptRegexes = resolved.redirectExemptRegexes;
    this.logger = logger;
  }

  /** Whether the path is exempt from the redirect (redirectExempt, or Django's SECURE_REDIRECT_EXEMPT). */
  exempted(path: string): boolean {
    if (pathListed(this.exempt, path)) return true;
    if (this.exemptRegexes.length === 0) return false;
    // Django searches request.path with its leading slashes stripped.
    const stripped = path.replace(/^\/+/, '');
    return this.exemptRegexes.some((regex) => regex.test(stripped));
  }

  /**
   * The answer to a request that arrived over plain HTTP and is not exempt: a permanent redirect to the
   * same target over HTTPS (RFC 6797 §7.2), 301 for GET and HEAD, 308 otherwise so the method and body
   * are kept (RFC 9110 §15.4.2 lets clients turn a 301 POST into a GET; §15.4.9 and RFC 7538 forbid it
   * for 308). undefined when the request is secure or exempt. Whether to redirect at all
   * (`redirectEnabled`) is the caller's: the redirect listener always does.
   */
  redirect(facts: RedirectFacts): EngineAnswer | undefined {
    if (facts.secure || this.exempted(facts.path)) return undefined;
    let host = this.redirectHost;
    if (host === undefined) {
      if (!isValidHost(facts.host)) {
        this.logger.info({ https: { reason: 'host-invalid', host: facts.host, method: facts.method, path: facts.path } }, `HTTPS redirect of ${facts.method} ${facts.path} refused: the Host header ${JSON.stringify(facts.host ?? null)} is not a host[:port]; set https.redirectHost (SECURE_SSL_HOST)`);
        return problemAnswer('https-redirect-host-invalid', 400, 'Bad Request', 'The request has no valid Host header to redirect to HTTPS with.');
      }
      // The HTTP port says nothing about the HTTPS one: drop it (HTTPS on another port: set redirectHost).
      host = hostName(facts.host).toLowerCase();
    }
    const location = `https://${host}${originForm(facts.target)}`;
    const status = facts.method === 'GET' || facts.method === 'HEAD' ? 301 : 308;
    return { status, headers: [['Location', location], ['Content-Length', '0']], body: '', code: 'https-redirect' };
  }
}

/** The path and query of a request target in origin form or absolute form (RFC 9112 §3.2). */
export function originForm(target: string): string {
  if (target.startsWith('/')) return target;
  const schemeEnd = target.indexOf('://');
  if (schemeEnd === -1) return '/'; // asterisk-form (OPTIONS *) or garbage
  const slash = target.indexOf('/', schemeEnd + 3);
  const query = target.indexOf('?', schemeEnd + 3);
  if (slash === -1 || (query !== -1 && query < slash)) return query === -1 ? '/' : `/${target.slice(query)}`;
  return target.slice(slash);
}
