// Writing the engine's decisions onto any framework's response headers, through a three-method view:
// the CORS headers, then the security headers (HSTS, nosniff, CORP, no-store).

import type { CorsDecision } from '../cors/corsEngine.ts';
import { isJsonContentType, type SecurityHeaderPlan } from '../https/securityHeaders.ts';
import type { GateDecision } from './requestGate.ts';

export interface HeaderTarget {
  /** The current value (repeated values joined with ", "), by case-insensitive name. */
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  delete(name: string): void;
}

/**
 * On a CORS-enabled path the engine's answer is the only one: Access-Control-Allow-Origin and
 * -Credentials that a handler (or a proxied upstream) set are replaced or removed, so nothing but the
 * policy can widen access. Origin is added to Vary without dropping what the handler listed.
 */
export function applyCorsHeaders(decision: CorsDecision, target: HeaderTarget): void {
  if (decision.vary) {
    const vary = target.get('vary');
    if (vary === undefined || vary === '') target.set('Vary', 'Origin');
    else if (!listsToken(vary, 'origin') && vary.trim() !== '*') target.set('Vary', `${vary}, Origin`);
    if (decision.allowOrigin === undefined) {
      target.delete('Access-Control-Allow-Origin');
      target.delete('Access-Control-Allow-Credentials');
    }
  }
  if (decision.allowOrigin !== undefined) target.set('Access-Control-Allow-Origin', decision.allowOrigin);
  for (const [name, value] of decision.headers) target.set(name, value);
}

/**
 * The security headers of the plan, each only when the response does not have it already (the
 * handler's own HSTS, Cache-Control or CORP stays: RFC 6797 and Django never overwrite HSTS either).
 * CORP and no-store go on JSON responses only: they are what another site's no-cors read or a shared
 * cache could take.
 */
export function applySecurityHeaders(plan: SecurityHeaderPlan, target: HeaderTarget): void {
  if (plan.hsts !== undefined && target.get('strict-transport-security') === undefined) target.set('Strict-Transport-Security', plan.hsts);
  if (plan.nosniff && target.get('x-content-type-options') === undefined) target.set('X-Content-Type-Options', 'nosniff');
  if (plan.resourcePolicy === undefined && !plan.noStore) return;
  if (!isJsonContentType(target.get('content-type'))) return;
  if (plan.resourcePolicy !== undefined && target.get('cross-origin-resource-policy') === undefined) target.set('Cross-Origin-Resource-Policy', plan.resourcePolicy);
  if (plan.noStore && target.get('cache-control') === undefined) target.set('Cache-Control', 'no-store');
}

/** Everything the gate decided for the response: CORS headers, then the security headers. */
export function applyResponseHeaders(gate: GateDecision, target: HeaderTarget): void {
  if (gate.cors !== undefined) applyCorsHeaders(gate.cors, target);
  applySecurityHeaders(gate.security, target);
}

/** Whether a comma-separated header value lists `token` (compared case-insensitively). */
export function listsToken(value: string, token: string): boolean {
  let start = 0;
  while (start <= value.length) {
    let end = value.indexOf(',', start);
    if (end === -1) end = value.length;
    if (value.slice(start, end).trim().toLowerCase() === token) return true;
    start = end + 1;
  }
  return false;
}
