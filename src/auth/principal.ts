// Who is calling and with what: every authentication method yields one Principal.

export type PrincipalKind = 'user' | 'api-key' | 'client';

export type AuthMethod = 'jwt' | 'api-key' | 'introspection' | 'session';

export interface Principal {
  /** The stable identifier: a JWT `sub`, an API key's owner, an OAuth2 client id. */
  readonly subject: string;
  readonly kind: PrincipalKind;
  /** OAuth2 scopes (`posts:read`), from `scope`/`scp`, an API key's scopes, or introspection. */
  readonly scopes: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
  /** The verified claims (JWT payload, introspection response, API key record fields). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Which method authenticated the request. */
  readonly method: AuthMethod;
  /** The JWT issuer or introspection endpoint, when there is one. */
  readonly issuer?: string;
  /** The credential's own id: a JWT `jti`, an API key id. Never the secret. */
  readonly credentialId?: string;
  /** Seconds since the epoch when the credential stops being valid, when known. */
  readonly expiresAt?: number;
}

export function principal(fields: Omit<Principal, 'scopes' | 'roles'> & { scopes?: Iterable<string>; roles?: Iterable<string> }): Principal {
  return Object.freeze({ ...fields, scopes: new Set(fields.scopes ?? []), roles: new Set(fields.roles ?? []) });
}
