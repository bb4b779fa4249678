// Cookie sessions for browser front ends on the same site as the API: POST /api/session/ logs in and
// sets an HttpOnly cookie carrying an access token; the `session` authentication method reads it on
// later requests. Unsafe requests authenticated this way are what the CSRF check guards (Origin must be
// the API's own or a trusted one); Bearer tokens and API keys are not cookies, so it leaves them alone.
//
// The cookie is Secure, HttpOnly and SameSite=Lax (src/https/setCookie.ts), except that Secure is left
// off for a plain-HTTP server on a loopback address, where a browser would otherwise never send it back.

import { AuthenticationError } from '../auth/authErrors.ts';
import type { AuthMethodHandler } from '../auth/authenticator.ts';
import { principal } from '../auth/principal.ts';
import { TokenError, type TokenService } from '../auth/tokens/tokenService.ts';
import { setCookieHeader } from '../https/setCookie.ts';
import type { Logger } from '../logger.ts';

export const SESSION_COOKIE = 'gatehouse_session';
const LOOPBACK = /^(?:localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(?::\d+)?$/i;

/** The session cookie's value in a Cookie header, or undefined. */
export function sessionCookieOf(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(value: string, options: { secure: boolean; host: string | undefined; maxAgeSeconds: number }): string {
  const secure = options.secure || options.host === undefined || !LOOPBACK.test(options.host);
  return setCookieHeader(SESSION_COOKIE, value, { secure, httpOnly: true, sameSite: 'Lax', maxAge: options.maxAgeSeconds });
}

/** The `session` method: asked only when a request presents neither a Bearer token nor an API key. */
export function sessionMethod(tokens: TokenService, logger: Logger): AuthMethodHandler {
  return {
    method: 'session',
    recognises: () => false,
    authenticate: () => Promise.reject(new AuthenticationError('token-malformed', 'not a session credential')),
    async fromRequest(context) {
      const token = sessionCookieOf(context.header('cookie'));
      if (token === undefined || token === '') return undefined;
      try {
        const claims = await tokens.verifyAccess(token);
        return principal({
          subject: claims.sub!,
          kind: 'user',
          method: 'session',
          scopes: typeof claims.scope === 'string' ? claims.scope.split(' ').filter((s) => s !== '') : [],
          roles: Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [],
          claims,
          issuer: claims.iss!,
          credentialId: claims.jti!,
          expiresAt: claims.exp!,
        });
      } catch (error) {
        // An expired or revoked session is no session, as in Django: the caller is anonymous, so a
        // browser holding a stale cookie can still reach the login, and the rule decides the rest.
        if (error instanceof TokenError) {
          logger.debug({ session: { reason: error.reason, requestId: context.requestId } }, `session cookie ignored: ${error.reason}`);
          return undefined;
        }
        throw error;
      }
    },
  };
}
