// The headers of a rate-limited response. RateLimit-Policy and RateLimit follow the IETF httpapi
// draft (draft-ietf-httpapi-ratelimit-headers-09, structured fields: `"name";q=<quota>;w=<window>`
// and `"name";r=<remaining>;t=<seconds to reset>`); Retry-After (RFC 9110 §10.2.3) goes on a 429.

import type { RateLimitResult } from './rateLimiter.ts';

export function rateLimitHeaders(result: RateLimitResult): [string, string][] {
  const name = `"${result.policy.replace(/["\\]/g, '')}"`;
  const headers: [string, string][] = [
    ['RateLimit-Policy', `${name};q=${result.limit};w=${result.windowSeconds}`],
    ['RateLimit', `${name};r=${result.remaining};t=${result.resetSeconds}`],
  ];
  if (!result.allowed) headers.push(['Retry-After', String(result.resetSeconds)]);
  return headers;
}
