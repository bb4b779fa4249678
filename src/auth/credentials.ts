// Finding the credentials in a request: `Authorization: Bearer <token>` (RFC 6750 §2.1) or an API key
// header. Only the header forms are read: RFC 6750 §2.3's query parameter leaks tokens into logs.

import { AuthenticationError } from './authErrors.ts';

export interface PresentedCredentials {
  /** `bearer` for the Authorization header, `api-key-header` for X-API-Key (or the configured name). */
  readonly source: 'bearer' | 'api-key-header';
  readonly value: string;
}

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Longer than any real token: a JWT with a large claim set is a few KB. */
export const MAX_CREDENTIAL_LENGTH = 8192;

/**
 * The credentials presented, undefined when none. Throws `malformed-header` (400, invalid_request)
 * for an Authorization header that is not a well-formed Bearer, and `multiple-credentials` when more
 * than one method is used at once (RFC 6750 §2: clients MUST NOT use more than one).
 */
export function presentedCredentials(header: (name: string) => string | undefined, apiKeyHeader = 'x-api-key'): PresentedCredentials | undefined {
  const authorization = header('authorization');
  const apiKey = header(apiKeyHeader);
  const found: PresentedCredentials[] = [];
  if (authorization !== undefined && authorization !== '') found.push({ source: 'bearer', value: bearerToken(authorization) });
  if (apiKey !== undefined && apiKey !== '') {
    if (apiKey.length > MAX_CREDENTIAL_LENGTH || apiKey.includes(',')) {
      throw new AuthenticationError('malformed-header', `the ${apiKeyHeader} header is not one key`);
    }
    found.push({ source: 'api-key-header', value: apiKey.trim() });
  }
  if (found.length > 1) throw new AuthenticationError('multiple-credentials', `both Authorization and ${apiKeyHeader} were sent`);
  return found[0];
}

function bearerToken(authorization: string): string {
  if (authorization.length > MAX_CREDENTIAL_LENGTH) throw new AuthenticationError('malformed-header', `Authorization header longer than ${MAX_CREDENTIAL_LENGTH} characters`);
  const space = authorization.indexOf(' ');
  const scheme = space === -1 ? authorization : authorization.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') {
    // Another scheme (Basic, Digest) is not ours to judge: report it as missing Bearer credentials.
    throw new AuthenticationError('malformed-header', `Authorization scheme "${scheme.slice(0, 20)}" is not Bearer`, { status: 401, bearerError: null });
  }
  // `Bearer` alone carries no token: a malformed request (RFC 6750 §3.1 invalid_request), not a token.
  const token = space === -1 ? '' : authorization.slice(space + 1).trim();
  if (!B64TOKEN.test(token)) throw new AuthenticationError('malformed-header', 'the Bearer token is not a b64token (RFC 6750 §2.1)');
  return token;
}
