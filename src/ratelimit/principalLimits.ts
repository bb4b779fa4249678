// The per-request rate limit of the ready server and the gateway alike: anonymous callers by client IP
// (rateLimits.anon), everyone else by Principal (rateLimits.user, or the first override that matches).
// One decision per request; the caller writes the headers and, when refused, the 429.

import type { Principal } from '../auth/principal.ts';
import type { RateLimitOverride, ResolvedRateLimits } from '../config/serverSchema.ts';
import { problemJson } from '../problem.ts';
import type { Logger } from '../logger.ts';
import type { RateLimiter, RateLimitStore } from './rateLimiter.ts';
import { rateLimitHeaders } from './rateLimitHeaders.ts';

export interface RateLimitVerdict {
  readonly allowed: boolean;
  readonly headers: [string, string][];
  /** The 429 problem body, when refused. */
  readonly body?: string;
}

function matches(entry: RateLimitOverride, principal: Principal): boolean {
  return (
    (entry.subject === undefined || entry.subject === principal.subject) &&
    (entry.kind === undefined || entry.kind === principal.kind) &&
    (entry.role === undefined || principal.roles.has(entry.role)) &&
    (entry.scope === undefined || principal.scopes.has(entry.scope))
  );
}

export class PrincipalLimits {
  private readonly anon: RateLimiter | undefined;
  private readonly user: RateLimiter | undefined;
  private readonly overrides: { entry: RateLimitOverride; limiter: RateLimiter | undefined }[];

  constructor(
    store: RateLimitStore,
    settings: ResolvedRateLimits,
    private readonly logger: Logger,
  ) {
    this.anon = settings.anon && store.limiter('anon', settings.anon);
    this.user = settings.user && store.limiter('user', settings.user);
    this.overrides = settings.overrides.map((entry, i) => ({ entry, limiter: entry.rate && store.limiter(`override-${i}`, entry.rate) }));
  }

  private limiterOf(principal: Principal | undefined): RateLimiter | undefined {
    if (principal === undefined) return this.anon;
    const override = this.overrides.find(({ entry }) => matches(entry, principal));
    return override === undefined ? this.user : override.limiter;
  }

  /** undefined when no limit applies to this caller. */
  async check(principal: Principal | undefined, clientIp: string | undefined, requestId?: string): Promise<RateLimitVerdict | undefined> {
    const limiter = this.limiterOf(principal);
    if (limiter === undefined) return undefined;
    const result = await limiter.consume(principal === undefined ? `ip:${clientIp ?? 'unknown'}` : `${principal.kind}:${principal.subject}`);
    const headers = rateLimitHeaders(result);
    if (result.allowed) return { allowed: true, headers };
    const who = principal === undefined ? `anonymous ${clientIp}` : `${principal.kind} ${principal.subject}`;
    this.logger.warn({ rateLimit: { policy: result.policy, subject: principal?.subject, ip: clientIp, requestId } }, `rate limit ${result.policy} (${limiter.rate.source}) reached by ${who}`);
    return { allowed: false, headers, body: problemJson('rate-limited', 429, 'Too Many Requests', `Rate limit ${limiter.rate.source} reached; try again in ${result.resetSeconds} s.`) };
  }
}
