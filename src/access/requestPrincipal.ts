// Where adapters keep the Principal of a request, and the request id its log lines share.

import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.ts';

// Kept on the request object under a symbol no one else holds: a WeakMap entry per request costs
// about 20 times more (its insertion, and the ephemeron work it gives every garbage collection). A
// request that cannot take a property (frozen, sealed) goes to the WeakMap.
const PRINCIPAL = Symbol('gatehouse.principal');
const principals = new WeakMap<object, Principal>();

type Holder = { [PRINCIPAL]?: Principal };

/** Remembers the Principal for a request object (node's IncomingMessage, a Fetch Request). */
export function setPrincipal(request: object, principal: Principal | undefined): void {
  if (principal === undefined) return;
  if (Object.isExtensible(request)) (request as Holder)[PRINCIPAL] = principal;
  else principals.set(request, principal);
}

/** The authenticated Principal of a request, undefined for anonymous callers (or before Gatehouse ran). */
export function principalOf(request: object): Principal | undefined {
  return (request as Holder)[PRINCIPAL] ?? principals.get(request);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when it is a plain token (a proxy's), else a fresh UUID. */
export function requestIdOf(header: (name: string) => string | undefined): string {
  const given = header('x-request-id');
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
}
