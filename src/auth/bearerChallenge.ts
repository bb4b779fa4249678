// The answer to a failed authentication or a missing scope: RFC 6750 §3 WWW-Authenticate plus an
// RFC 9457 problem+json body. The client learns the standard error code only; the log gets the rest.

import { problemJson } from '../problem.ts';
import type { AuthenticationError, BearerErrorCode } from './authErrors.ts';

export interface AuthChallenge {
  readonly status: number;
  readonly wwwAuthenticate: string;
  readonly body: string;
}

// RFC 6750 §3: realm and scope are quoted-strings; these characters would break out of one.
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[\r\n]/g, ' ')}"`;
}

export function bearerHeader(realm: string, error?: BearerErrorCode, scope?: readonly string[]): string {
  let header = `Bearer realm=${quoted(realm)}`;
  if (error !== undefined) header += `, error="${error}"`;
  if (scope !== undefined && scope.length > 0) header += `, scope=${quoted(scope.join(' '))}`;
  return header;
}

const TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 503: 'Service Unavailable' };

export function authenticationChallenge(error: AuthenticationError, realm: string): AuthChallenge {
  const code = error.bearerError ?? 'not-authenticated';
  const detail =
    error.bearerError === undefined
      ? 'Authentication credentials were not provided.'
      : error.bearerError === 'invalid_request'
        ? 'The request carries malformed or more than one set of credentials.'
        : 'The access token or API key is not valid.';
  return {
    status: error.status,
    wwwAuthenticate: bearerHeader(realm, error.status === 503 ? undefined : error.bearerError),
    body: problemJson(error.status === 503 ? 'auth-unavailable' : code.replace(/_/g, '-'), error.status, TITLES[error.status] ?? 'Unauthorized', error.status === 503 ? 'The authentication service is unavailable; try again shortly.' : detail),
  };
}

/** RFC 6750 §3.1: a valid token without the scope the resource needs is a 403 insufficient_scope. */
export function insufficientScopeChallenge(realm: string, requiredScopes: readonly string[]): AuthChallenge {
  return {
    status: 403,
    wwwAuthenticate: bearerHeader(realm, 'insufficient_scope', requiredScopes),
    body: problemJson('insufficient-scope', 403, 'Forbidden', `This request needs the scope(s): ${requiredScopes.join(' ')}.`),
  };
}
