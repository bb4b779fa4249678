// Who may do what: authenticate the request (the first method that recognises the credentials
// decides), then check the permission rule of its route. Runs after CORS has answered preflights, so
// a browser's preflight never needs credentials. One error contract: RFC 6750 WWW-Authenticate and an
// RFC 9457 body; the precise reason goes to the log only.

import { AuthenticationError } from '../auth/authErrors.ts';
import type { Authenticator, AuthRequestContext } from '../auth/authenticator.ts';
import { authenticationChallenge } from '../auth/bearerChallenge.ts';
import type { Principal } from '../auth/principal.ts';
import type { CorsRequest } from '../cors/corsEngine.ts';
import type { Header } from '../cors/corsPolicy.ts';
import type { Logger } from '../logger.ts';
import { checkRequest } from '../permissions/permissionCheck.ts';
import { permissionResponse } from '../permissions/permissionResponse.ts';
import { matchRoute, type PermissionTable } from '../permissions/permissionRoutes.ts';
import { parseRule } from '../permissions/ruleParser.ts';
import type { Rule } from '../permissions/rule.ts';
import { PROBLEM_CONTENT_TYPE } from '../problem.ts';
import { requestIdOf } from './requestPrincipal.ts';

export interface AccessRequest {
  readonly method: string;
  /** requestPath(): decoded, without the query, as for CORS `paths`. */
  readonly path: string;
  header(name: string): string | undefined;
  readonly clientIp: string | undefined;
  readonly requestId?: string;
}

/** The access facts of a request, from the CORS facts an adapter already read and the client's address. */
export function accessRequestOf(facts: CorsRequest, clientIp: string | undefined): AccessRequest {
  return { method: facts.method, path: facts.path, header: facts.header, clientIp, requestId: requestIdOf(facts.header) };
}

export type AccessDecision =
  | { readonly allowed: true; readonly principal: Principal | undefined; readonly rule: Rule }
  | { readonly allowed: false; readonly status: number; readonly headers: readonly Header[]; readonly body: string; readonly code: string };

export class AccessEngine {
  readonly realm: string;
  private readonly authenticator: Authenticator;
  private readonly table: PermissionTable;
  private readonly logger: Logger;
  private readonly parsed = new Map<string, Rule>();

  constructor(options: { authenticator: Authenticator; table: PermissionTable; realm: string; logger: Logger }) {
    this.authenticator = options.authenticator;
    this.table = options.table;
    this.realm = options.realm;
    this.logger = options.logger;
  }

  /** Authenticates the request and checks its route's rule (the configured `permissions` table). */
  async check(request: AccessRequest): Promise<AccessDecision> {
    const authenticated = await this.authenticate(request);
    if ('refused' in authenticated) return authenticated.refused;
    return this.authorize(request, authenticated.principal, matchRoute(this.table, request.method, request.path));
  }

  /** The rule the `permissions` table gives this method and path: for a handler's object checks. */
  ruleFor(method: string, path: string): Rule {
    return matchRoute(this.table, method, path);
  }

  /** Checks a rule a route declared in code (a Rule, or the string form, parsed once and kept). */
  authorize(request: Pick<AccessRequest, 'method' | 'path' | 'requestId'>, principal: Principal | undefined, rule: Rule | string): AccessDecision {
    const compiled = typeof rule === 'string' ? this.compile(rule) : rule;
    const decision = checkRequest(compiled, { principal, method: request.method, path: request.path });
    if (decision.allowed) return { allowed: true, principal, rule: compiled };
    this.logger.info(
      { access: { code: decision.code, rule: compiled.source, method: request.method, path: request.path, subject: principal?.subject, requestId: request.requestId } },
      `permission refused ${request.method} ${request.path} to ${principal === undefined ? 'an anonymous caller' : `${principal.kind} ${principal.subject}`}: ${decision.reason} (rule: ${compiled.source})`,
    );
    const response = permissionResponse(decision, this.realm);
    return refusal(response.status, response.body, response.wwwAuthenticate, decision.code);
  }

  private async authenticate(request: AccessRequest): Promise<{ principal: Principal | undefined } | { refused: AccessDecision }> {
    try {
      // bind, not an arrow: under tsx (esbuild keepNames) a named closure per request costs an
      // Object.defineProperty; the methods read `header` off the context, unbound.
      const context: AuthRequestContext = { header: request.header.bind(request), clientIp: request.clientIp, requestId: request.requestId };
      return { principal: await this.authenticator.authenticate(context) };
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      const challenge = authenticationChallenge(error, this.realm);
      return { refused: refusal(challenge.status, challenge.body, challenge.status === 503 ? undefined : challenge.wwwAuthenticate, error.status === 503 ? 'auth-unavailable' : (error.bearerError?.replace(/_/g, '-') ?? 'not-authenticated')) };
    }
  }

  private compile(source: string): Rule {
    let found = this.parsed.get(source);
    if (found === undefined) {
      found = parseRule(source);
      this.parsed.set(source, found);
    }
    return found;
  }
}

function refusal(status: number, body: string, wwwAuthenticate: string | undefined, code: string): AccessDecision {
  const headers: Header[] = [
    ['Content-Type', PROBLEM_CONTENT_TYPE],
    ['Content-Length', String(Buffer.byteLength(body))],
    // Whether the answer depended on credentials: never let a shared cache keep it.
    ['Cache-Control', 'no-store'],
  ];
  if (wwwAuthenticate !== undefined) headers.push(['WWW-Authenticate', wwwAuthenticate]);
  return { allowed: false, status, headers, body, code };
}
