// Writing a CORS decision onto any framework's response headers, through a three-method view.

import type { CorsDecision } from '../cors/corsEngine.ts';

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
