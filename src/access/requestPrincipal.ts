// Where adapters keep the Principal of a request, and the request id its log lines share.

import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.ts';
import { requestSlot } from '../requestSlot.ts';

const principals = requestSlot<Principal>('gatehouse.principal');

/** Remembers the Principal for a request object (node's IncomingMessage, a Fetch Request). */
export function setPrincipal(request: object, principal: Principal | undefined): void {
  if (principal === undefined) return;
  principals.set(request, principal);
}

/** The authenticated Principal of a request, undefined for anonymous callers (or before Gatehouse ran). */
export function principalOf(request: object): Principal | undefined {
  return principals.get(request);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when it is a plain token (a proxy's), else a fresh UUID. */
export function requestIdOf(header: (name: string) => string | undefined): string {
  const given = header('x-request-id');
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
}
