// Opaque access tokens, checked with the authorization server's RFC 7662 introspection endpoint.
// Answers are cached by a hash of the token, never past the token's own `exp` and never longer
// than cacheMaxSeconds; an inactive answer is cached briefly so a flood of bad tokens is cheap.

import { createHash } from 'node:crypto';
import { AuthenticationError } from './authErrors.ts';
import { principal, type Principal } from './principal.ts';

export interface IntrospectionSettings {
  /** The RFC 7662 endpoint, e.g. https://auth.example.com/oauth2/introspect. */
  readonly endpoint: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly timeoutMs?: number;
  readonly cacheMaxSeconds?: number;
  readonly negativeCacheSeconds?: number;
  readonly maxEntries?: number;
  /** The claim holding roles in the introspection response; default `roles`. */
  readonly rolesClaim?: string;
}

interface CacheEntry {
  readonly principal: Principal | undefined;
  readonly until: number;
}

export interface TokenIntrospector {
  introspect(token: string): Promise<Principal>;
}

export function createIntrospector(settings: IntrospectionSettings, now: () => number = Date.now): TokenIntrospector {
  const timeoutMs = settings.timeoutMs ?? 3000;
  const cacheMax = (settings.cacheMaxSeconds ?? 300) * 1000;
  const negativeCache = (settings.negativeCacheSeconds ?? 10) * 1000;
  const maxEntries = settings.maxEntries ?? 10_000;
  const rolesClaim = settings.rolesClaim ?? 'roles';
  const authorization = `Basic ${Buffer.from(`${encodeURIComponent(settings.clientId)}:${encodeURIComponent(settings.clientSecret)}`).toString('base64')}`;
  const cache = new Map<string, CacheEntry>();
  const inFlight = new Map<string, Promise<CacheEntry>>();

  async function ask(token: string): Promise<CacheEntry> {
    let response: Response;
    try {
      // RFC 7662 §2.1: form-encoded `token`, with the caller's client authentication (§2.1, RFC 6749 §2.3.1).
      response = await fetch(settings.endpoint, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new AuthenticationError('introspection-unavailable', `${settings.endpoint}: ${(error as Error).message}`);
    }
    if (!response.ok) throw new AuthenticationError('introspection-unavailable', `${settings.endpoint} answered ${response.status}`);
    let body: Record<string, unknown>;
    try {
      const text = await response.text();
      if (text.length > 1_000_000) throw new Error('answer too large');
      body = JSON.parse(text) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null || typeof body.active !== 'boolean') throw new Error('no boolean "active" member');
    } catch (error) {
      throw new AuthenticationError('introspection-unavailable', `${settings.endpoint} answered garbage: ${(error as Error).message}`);
    }
    const at = now();
    if (body.active !== true) return { principal: undefined, until: at + negativeCache };
    const exp = typeof body.exp === 'number' ? body.exp : undefined;
    if (exp !== undefined && exp * 1000 <= at) return { principal: undefined, until: at + negativeCache };
    const subject = typeof body.sub === 'string' ? body.sub : typeof body.username === 'string' ? body.username : typeof body.client_id === 'string' ? body.client_id : undefined;
    if (subject === undefined) return { principal: undefined, until: at + negativeCache };
    const roles = body[rolesClaim];
    const found = principal({
      subject,
      kind: typeof body.sub === 'string' || typeof body.username === 'string' ? 'user' : 'client',
      scopes: typeof body.scope === 'string' ? body.scope.split(' ').filter((s) => s !== '') : [],
      roles: Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [],
      claims: body,
      method: 'introspection',
      ...(typeof body.iss === 'string' ? { issuer: body.iss } : {}),
      ...(typeof body.jti === 'string' ? { credentialId: body.jti } : {}),
      ...(exp === undefined ? {} : { expiresAt: exp }),
    });
    return { principal: found, until: Math.min(at + cacheMax, exp === undefined ? Infinity : exp * 1000) };
  }

  return {
    async introspect(token) {
      const key = createHash('sha256').update(token).digest('base64url');
      let entry = cache.get(key);
      if (entry === undefined || entry.until <= now()) {
        let pending = inFlight.get(key);
        if (pending === undefined) {
          pending = ask(token).finally(() => inFlight.delete(key));
          inFlight.set(key, pending);
        }
        entry = await pending;
        if (cache.size >= maxEntries) cache.clear();
        cache.set(key, entry);
      }
      if (entry.principal === undefined) throw new AuthenticationError('introspection-inactive', 'the authorization server says the token is not active');
      if (entry.principal.expiresAt !== undefined && entry.principal.expiresAt * 1000 <= now()) {
        throw new AuthenticationError('token-expired', 'the introspected token has expired');
      }
      return entry.principal;
    },
  };
}
