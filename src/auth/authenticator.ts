// The authentication chain: find the presented credentials, let the first method that recognises
// their shape decide. A request without credentials yields no Principal (the permission rule then
// decides whether that is acceptable); broken or refused credentials are an AuthenticationError.

import type { Logger } from '../logger.ts';
import { AuthenticationError } from './authErrors.ts';
import { presentedCredentials, type PresentedCredentials } from './credentials.ts';
import type { AuthMethod, Principal } from './principal.ts';

export interface AuthRequestContext {
  readonly header: (name: string) => string | undefined;
  /** The client's address, for API keys bound to CIDRs. */
  readonly clientIp: string | undefined;
  readonly requestId?: string;
}

export interface AuthMethodHandler {
  readonly method: AuthMethod;
  /** Whether the credential has this method's shape: cheap, no I/O. */
  recognises(credential: PresentedCredentials): boolean;
  authenticate(credential: PresentedCredentials, context: AuthRequestContext): Promise<Principal>;
  /**
   * For credentials that are not a Bearer token or an API key (a session cookie, a client certificate
   * forwarded by a trusted proxy): asked, in order, only when the request presents neither. Returns
   * undefined when the request carries nothing of its kind.
   */
  fromRequest?(context: AuthRequestContext): Promise<Principal | undefined>;
}

export interface Authenticator {
  /** undefined when the request carries no credentials. */
  authenticate(context: AuthRequestContext): Promise<Principal | undefined>;
}

export function createAuthenticator(methods: readonly AuthMethodHandler[], options: { apiKeyHeader?: string; logger?: Logger } = {}): Authenticator {
  const apiKeyHeader = options.apiKeyHeader ?? 'x-api-key';
  const logger = options.logger;
  return {
    async authenticate(context) {
      let credential: PresentedCredentials | undefined;
      try {
        credential = presentedCredentials(context.header, apiKeyHeader);
        if (credential === undefined) {
          for (const method of methods) {
            const found = method.fromRequest === undefined ? undefined : await method.fromRequest(context);
            if (found !== undefined) return found;
          }
          return undefined;
        }
        const handler = methods.find((m) => m.recognises(credential!));
        if (handler === undefined) {
          throw new AuthenticationError('token-malformed', `no configured method (${methods.map((m) => m.method).join(', ') || 'none'}) accepts this ${credential.source === 'bearer' ? 'Bearer token' : 'API key'}`);
        }
        return await handler.authenticate(credential, context);
      } catch (error) {
        if (error instanceof AuthenticationError) {
          logger?.info(
            { auth: { reason: error.reason, status: error.status, source: credential?.source, requestId: context.requestId } },
            `authentication refused: ${error.reason}: ${error.detail}`,
          );
          throw error;
        }
        // A bug or an outage in a method must not turn into a 500 that leaks a stack: log it, refuse.
        logger?.error({ err: error, requestId: context.requestId }, 'authentication method failed');
        throw new AuthenticationError('key-source-unavailable', 'the authentication method failed', { status: 503 });
      }
    },
  };
}

/** Bearer values with JWT shape (three base64url parts): JWT verification. */
export function looksLikeJwt(value: string): boolean {
  const first = value.indexOf('.');
  return first > 0 && value.indexOf('.', first + 1) > first + 1 && value.split('.').length === 3;
}
