// API keys as one method of the authentication chain (authenticator.ts): a key in the configured
// header, or, when acceptBearer is on, `Authorization: Bearer gth_...`.

import type { AuthMethodHandler } from '../authenticator.ts';
import type { ApiKeyStore } from './apiKeyStore.ts';
import { DEFAULT_API_KEY_PREFIX } from './keyFormat.ts';

export function apiKeyMethod(store: ApiKeyStore, options: { readonly prefix?: string; readonly acceptBearer?: boolean } = {}): AuthMethodHandler {
  const prefix = options.prefix ?? DEFAULT_API_KEY_PREFIX;
  const acceptBearer = options.acceptBearer ?? true;
  return {
    method: 'api-key',
    // Whatever arrives in the API key header is an API key (possibly a malformed one); a Bearer value
    // is one only when it carries our prefix, so JWTs and opaque tokens go to their own methods.
    recognises: (credential) => credential.source === 'api-key-header' || (acceptBearer && credential.value.startsWith(prefix)),
    authenticate: (credential, context) => store.authenticate(credential.value, context.clientIp),
  };
}
