// The facts every decision is made from, as adapters read them: the CORS facts plus the client's
// address and the raw request target, with `secure`, `host` and `clientIp` already resolved through
// the trusted proxies. Handlers read the resolved client with clientOf(rawRequest).

import type { CorsRequest } from '../cors/corsEngine.ts';
import { requestSlot } from '../requestSlot.ts';

export interface RequestFacts extends CorsRequest {
  /** The request target as received, path and query (`/api/posts?page=2`), for the redirect's Location. */
  readonly target: string;
  /** The client's address: the socket's peer, or what the trusted proxies reported. */
  readonly clientIp: string | undefined;
}

/** How the client reached the service, after the trusted proxies' word was taken into account. */
export interface ResolvedClient {
  readonly ip: string | undefined;
  readonly protocol: 'http' | 'https';
  readonly secure: boolean;
  readonly host: string | undefined;
}

const facts = requestSlot<RequestFacts>('gatehouse.requestFacts');

/** Remembers the facts for a request object (node's IncomingMessage, a Fetch Request). */
export function rememberFacts(request: object, requestFacts: RequestFacts): void {
  facts.set(request, requestFacts);
}

/** The client of a request Gatehouse has seen: its address, protocol and host; undefined before that. */
export function clientOf(request: object): ResolvedClient | undefined {
  const known = facts.get(request);
  if (known === undefined) return undefined;
  return { ip: known.clientIp, protocol: known.secure ? 'https' : 'http', secure: known.secure, host: known.host };
}
