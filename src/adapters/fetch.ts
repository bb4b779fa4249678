// Fetch API adapter: wraps a `(Request) => Response` handler, for Node, Bun, Deno and workers.
// The Principal of an allowed request is the handler's second argument, `{ principal }` (and
// `principalOf(request)`), the resolved client (address, protocol, host through trusted proxies)
// `clientOf(request)`; `requirePermission(rule, handler, gatehouse)` wraps a route's handler with a
// rule declared in code.

import { accessRequestOf, type AccessRequest } from '../access/accessEngine.ts';
import { setPrincipal } from '../access/requestPrincipal.ts';
import type { Principal } from '../auth/principal.ts';
import type { Header } from '../cors/corsPolicy.ts';
import { toGatehouse, type Gatehouse, type GatehouseOptions } from '../gatehouse.ts';
import { originForm } from '../https/httpsPolicy.ts';
import { rememberFacts, type RequestFacts } from '../https/requestFacts.ts';
import type { ProxyTrust } from '../https/trustedProxies.ts';
import type { Rule } from '../permissions/rule.ts';
import { problemJson, PROBLEM_CONTENT_TYPE } from '../problem.ts';
import { requestGate, type GateDecision } from './requestGate.ts';
import { requestPath } from './requestPath.ts';
import { applyResponseHeaders, type HeaderTarget } from './responseHeaders.ts';
import { routePermission } from './routePermission.ts';

export { principalOf } from '../access/requestPrincipal.ts';
export { clientOf, type ResolvedClient } from '../https/requestFacts.ts';

export type FetchHandler = (request: Request, context: FetchContext) => Response | Promise<Response>;

/**
 * The facts of a request. `info` is what the runtime passes besides the Request (see
 * FetchConnectionInfo): the peer's address, which `proxy` checks before believing forwarded headers.
 */
export function fetchRequestFacts(request: Request, info?: unknown, proxy?: ProxyTrust): RequestFacts {
  const headers = request.headers;
  const url = request.url;
  const header = headerReader(headers);
  const encrypted = url.startsWith('https:');
  const host = headers.get('host') ?? hostOf(url);
  const peer = clientIpOf(info);
  const origin = headers.get('origin') ?? undefined;
  if (proxy === undefined || !proxy.configured) {
    return { method: request.method, path: requestPath(url), origin, header, secure: encrypted, host, clientIp: peer, target: originForm(url) };
  }
  const client = proxy.resolve(peer, encrypted, host, header);
  return { method: request.method, path: requestPath(url), origin, header, secure: client.secure, host: client.host, clientIp: client.ip, target: originForm(url) };
}

// Returned by a factory, not written inline: see the note in node-http.ts on per-request functions.
function headerReader(headers: Headers): (name: string) => string | undefined {
  return (name) => headers.get(name) ?? undefined;
}

function hostOf(url: string): string | undefined {
  const start = url.indexOf('://');
  if (start === -1) return undefined;
  const end = url.indexOf('/', start + 3);
  return url.slice(start + 3, end === -1 ? undefined : end);
}

class HeadersTarget implements HeaderTarget {
  constructor(private readonly headers: Headers) {}
  get(name: string): string | undefined {
    return this.headers.get(name) ?? undefined;
  }
  set(name: string, value: string): void {
    this.headers.set(name, value);
  }
  delete(name: string): void {
    this.headers.delete(name);
  }
}

function headersTarget(headers: Headers): HeaderTarget {
  return new HeadersTarget(headers);
}

/** The gate's own answer (a redirect, a preflight, a refusal) as a Response. */
export function gateResponse(decision: GateDecision): Response {
  const headers = new Headers(decision.headers as [string, string][]);
  applyResponseHeaders(decision, headersTarget(headers));
  return new Response(decision.body === '' ? null : decision.body, { status: decision.status, headers });
}

/** Adds the gate's headers to a handler's Response, copying it first when its headers are immutable. */
export function withResponseHeaders(decision: GateDecision, response: Response): Response {
  try {
    applyResponseHeaders(decision, headersTarget(response.headers));
    return response;
  } catch {
    // Response.redirect() and fetch() results have immutable headers (Fetch §5.2 "immutable" guard).
    // The headers are copied into a new Headers: @hono/node-server's Response keeps a Headers object
    // it is given by reference, so passing response.headers would keep them immutable.
    const copy = new Response(response.body, { status: response.status, statusText: response.statusText, headers: new Headers(response.headers) });
    applyResponseHeaders(decision, headersTarget(copy.headers));
    return copy;
  }
}

function errorResponse(gatehouse: Gatehouse, request: Request, error: unknown): Response {
  gatehouse.logger.error({ err: error, method: request.method, url: request.url }, 'request handler failed');
  return new Response(problemJson('internal-error', 500, 'Internal Server Error'), { status: 500, headers: { 'Content-Type': PROBLEM_CONTENT_TYPE } });
}

/** What the Fetch adapter passes to the handler besides the Request. */
export interface FetchContext {
  /** The authenticated caller; undefined for anonymous requests or without `auth`. */
  readonly principal: Principal | undefined;
}

/**
 * What the runtime knows and the Request does not: pass `{ clientIp }` (the socket's peer: behind
 * trusted proxies, Gatehouse's `proxy` setting finds the client from there); under @hono/node-server
 * the bindings it passes (`{ incoming }`) are read for the socket address.
 */
export interface FetchConnectionInfo {
  readonly clientIp?: string;
}

function clientIpOf(info: unknown): string | undefined {
  if (typeof info !== 'object' || info === null) return undefined;
  const given = (info as FetchConnectionInfo).clientIp;
  if (typeof given === 'string') return given;
  const socket = (info as { incoming?: { socket?: { remoteAddress?: unknown } } }).incoming?.socket;
  return typeof socket?.remoteAddress === 'string' ? socket.remoteAddress : undefined;
}

export function fetchAccessRequest(facts: RequestFacts): AccessRequest {
  return accessRequestOf(facts, facts.clientIp);
}

/** Gatehouse's own refusal (401, 403, 503) as a Response. */
export function refusalResponse(status: number, headers: readonly Header[], body: string): Response {
  return new Response(body, { status, headers: headers.map(([name, value]) => [name, value]) });
}

/** `export default { fetch: withGatehouse(handler, { cors: {...} }) }` */
export function withGatehouse(handler: FetchHandler, options: GatehouseOptions | Gatehouse = {}): (request: Request, info?: unknown) => Promise<Response> {
  const gatehouse = toGatehouse(options);
  const gate = requestGate(gatehouse);
  const { access, proxy } = gatehouse;
  const run = async (request: Request, facts: RequestFacts, decision: GateDecision): Promise<Response> => {
    if (decision.respond) return gateResponse(decision);
    let response: Response;
    try {
      let principal: Principal | undefined;
      if (access !== undefined) {
        const allowed = await access.check(fetchAccessRequest(facts));
        if (!allowed.allowed) return withResponseHeaders(decision, refusalResponse(allowed.status, allowed.headers, allowed.body));
        principal = allowed.principal;
        setPrincipal(request, principal);
      }
      response = await handler(request, { principal });
    } catch (error) {
      response = errorResponse(gatehouse, request, error);
    }
    return withResponseHeaders(decision, response);
  };
  return async (request, info) => {
    let facts: RequestFacts;
    let decision: GateDecision;
    try {
      facts = fetchRequestFacts(request, info, proxy);
      rememberFacts(request, facts);
      const pending = gate.decide(facts);
      decision = pending instanceof Promise ? await pending : pending;
    } catch (error) {
      // An isRequestAllowed hook that throws: a 500, never an unhandled rejection.
      return errorResponse(gatehouse, request, error);
    }
    return run(request, facts, decision);
  };
}

/**
 * A route's handler behind a rule declared in code: `requirePermission('posts:write', handler,
 * gatehouse)`, with the Gatehouse that `withGatehouse` uses. The handler runs only when the Principal
 * `withGatehouse` passed it passes the rule; otherwise it answers Gatehouse's refusal (401, 403), to
 * which `withGatehouse` adds the CORS headers. Throws a ConfigError at start-up when that Gatehouse has
 * no `auth` (or `permissions`). For an object rule, the handler calls `checkObject(guarded.rule, ...)`.
 */
export function requirePermission(rule: Rule | string, handler: FetchHandler, gatehouse: Gatehouse): FetchHandler & { readonly rule: Rule } {
  const permission = routePermission(gatehouse, rule, 'requirePermission');
  const guarded: FetchHandler = (request, context) => {
    const decision = permission.check(context.principal, fetchRequestFacts(request));
    if (!decision.allowed) return refusalResponse(decision.status, decision.headers, decision.body);
    return handler(request, context);
  };
  return Object.assign(guarded, { rule: permission.rule });
}
