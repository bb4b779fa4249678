// What the client gets for a refused PermissionDecision: status, WWW-Authenticate and a problem+json
// body, built with the same RFC 6750 helpers as authentication failures. The body carries the code
// and a fixed text; the decision's `reason` is for the log line only.

import { bearerHeader, insufficientScopeChallenge } from '../auth/bearerChallenge.ts';
import { problemJson } from '../problem.ts';
import type { PermissionRefused } from './permissionCheck.ts';

export interface PermissionResponse {
  readonly status: 401 | 403 | 404;
  /** Set for 401 and for 403 insufficient-scope. */
  readonly wwwAuthenticate: string | undefined;
  readonly body: string;
}

export function permissionResponse(decision: PermissionRefused, realm: string): PermissionResponse {
  switch (decision.code) {
    case 'not-authenticated':
      // RFC 6750 §3.1: no credentials were sent, so the challenge carries no error code; §3 lets it
      // name the scope a token needs, when scopes alone would do.
      return { status: 401, wwwAuthenticate: bearerHeader(realm, undefined, decision.requiredScopes), body: problemJson('not-authenticated', 401, 'Unauthorized', 'Authentication credentials were not provided.') };
    case 'insufficient-scope': {
      const challenge = insufficientScopeChallenge(realm, decision.requiredScopes ?? []);
      return { status: 403, wwwAuthenticate: challenge.wwwAuthenticate, body: challenge.body };
    }
    case 'not-found':
      // Must read exactly like the application's own 404, or the difference tells the object exists.
      return { status: 404, wwwAuthenticate: undefined, body: problemJson('not-found', 404, 'Not Found') };
    case 'permission-denied':
      return { status: 403, wwwAuthenticate: undefined, body: problemJson('permission-denied', 403, 'Forbidden', 'You do not have permission to perform this action.') };
  }
}
