// The built-in authentication methods as links of the chain, in the order that keeps them apart:
// API keys (recognised by their prefix), then JWTs (three base64url parts), then opaque tokens for
// introspection, then any custom methods.

import type { ResolvedJwtSettings } from '../config/jwtSchema.ts';
import type { Logger } from '../logger.ts';
import { apiKeyMethod } from './apiKeys/apiKeyMethod.ts';
import type { ApiKeyStore } from './apiKeys/apiKeyStore.ts';
import { looksLikeJwt, type AuthMethodHandler } from './authenticator.ts';
import { createIntrospector, type IntrospectionSettings } from './introspection.ts';
import { createJwtVerifier } from './jwt/jwtVerifier.ts';
import type { RevocationCheck } from './jwt/revocation.ts';

export interface AuthMethodsOptions {
  readonly jwt?: ResolvedJwtSettings;
  readonly revocation?: RevocationCheck;
  readonly apiKeys?: { readonly store: ApiKeyStore; readonly prefix?: string; readonly acceptBearer?: boolean };
  readonly introspection?: IntrospectionSettings;
  readonly methods?: readonly AuthMethodHandler[];
  readonly logger: Logger;
}

export function authMethods(options: AuthMethodsOptions): AuthMethodHandler[] {
  const chain: AuthMethodHandler[] = [];
  if (options.apiKeys !== undefined) chain.push(apiKeyMethod(options.apiKeys.store, options.apiKeys));
  if (options.jwt !== undefined) {
    const verifier = createJwtVerifier(options.jwt, { logger: options.logger, ...(options.revocation ? { revocation: options.revocation } : {}) });
    chain.push({
      method: 'jwt',
      recognises: (credential) => credential.source === 'bearer' && looksLikeJwt(credential.value),
      authenticate: (credential) => verifier.verify(credential.value),
    });
  }
  if (options.introspection !== undefined) {
    const introspector = createIntrospector(options.introspection);
    chain.push({ method: 'introspection', recognises: (credential) => credential.source === 'bearer', authenticate: (credential) => introspector.introspect(credential.value) });
  }
  chain.push(...(options.methods ?? []));
  return chain;
}
