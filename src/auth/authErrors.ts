// One error contract for every authentication method. The client sees only the RFC 6750 error code
// (§3.1: invalid_request, invalid_token, insufficient_scope) in WWW-Authenticate and a problem+json
// body; the exact failure (`reason`) goes to the log with the request id.

import { GatehouseError } from '../errors.ts';

/** RFC 6750 §3.1 error codes; `undefined` when no credentials were sent (§3.1: no error attribute). */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/** What exactly failed, for logs and docs/auth.md; never sent to the client. */
export type AuthFailureReason =
  | 'credentials-missing'
  | 'malformed-header'
  | 'multiple-credentials'
  | 'token-malformed'
  | 'token-expired'
  | 'token-not-yet-valid'
  | 'token-too-old'
  | 'token-revoked'
  | 'token-wrong-type'
  | 'signature-invalid'
  | 'algorithm-not-allowed'
  | 'issuer-unknown'
  | 'audience-mismatch'
  | 'claim-missing'
  | 'claim-value-mismatch'
  | 'key-unknown'
  | 'key-source-unavailable'
  | 'api-key-malformed'
  | 'api-key-checksum'
  | 'api-key-unknown'
  | 'api-key-expired'
  | 'api-key-revoked'
  | 'api-key-disabled'
  | 'api-key-ip-refused'
  | 'introspection-inactive'
  | 'introspection-unavailable';

export class AuthenticationError extends GatehouseError {
  readonly status: 400 | 401 | 503;
  readonly bearerError: BearerErrorCode | undefined;
  readonly reason: AuthFailureReason;
  /** Safe detail for logs (never a secret or a whole token). */
  readonly detail: string;

  constructor(reason: AuthFailureReason, detail: string, options: { status?: 400 | 401 | 503; bearerError?: BearerErrorCode | null } = {}) {
    super(`auth-${reason}`, `authentication failed: ${reason}: ${detail}`);
    this.reason = reason;
    this.detail = detail;
    this.status = options.status ?? (reason === 'malformed-header' || reason === 'multiple-credentials' ? 400 : reason.endsWith('-unavailable') ? 503 : 401);
    this.bearerError =
      options.bearerError === null ? undefined : options.bearerError ?? (reason === 'credentials-missing' ? undefined : this.status === 400 ? 'invalid_request' : 'invalid_token');
  }
}
