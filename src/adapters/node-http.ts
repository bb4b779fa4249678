// node:http adapter: a handler wrapper, and a connect-style middleware that the Express adapter
// reuses. It only translates IncomingMessage into CorsRequest facts and writes decisions back.
// The Principal of an allowed request is `principalOf(req)`; `requirePermission(rule, handler,
// gatehouse)` wraps a route's handler with a rule declared in code.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AccessRequest } from '../access/accessEngine.ts';
import { principalOf, requestIdOf, setPrincipal } from '../access/requestPrincipal.ts';
import type { CorsDecision, CorsRequest } from '../cors/corsEngine.ts';
import type { Header } from '../cors/corsPolicy.ts';
import { toGatehouse, type Gatehouse, type GatehouseOptions } from '../gatehouse.ts';
import type { Rule } from '../permissions/rule.ts';
import { problemJson, PROBLEM_CONTENT_TYPE } from '../problem.ts';
import { requestPath } from './requestPath.ts';
import { applyCorsHeaders, type HeaderTarget } from './responseHeaders.ts';
import { routePermission } from './routePermission.ts';

export { principalOf } from '../access/requestPrincipal.ts';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;
export type NodeNext = (error?: unknown) => void;
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: NodeNext) => void;

export function nodeRequestFacts(req: IncomingMessage): CorsRequest {
  const headers = req.headers;
  const origin = headers.origin;
  return {
    method: req.method ?? 'GET',
    path: requestPath(req.url ?? '/'),
    origin,
    header: (name) => {
      const value = headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    secure: (req.socket as TLSSocket).encrypted === true,
    host: headers.host,
  };
}

/** A node response's headers as the three-method view that applyCorsHeaders writes through. */
export function nodeHeaderTarget(res: ServerResponse): HeaderTarget {
  return {
    get: (name) => {
      const value = res.getHeader(name);
      return value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : String(value);
    },
    set: (name, value) => res.setHeader(name, value),
    delete: (name) => res.removeHeader(name),
  };
}

/**
 * Writes a decision to `res`. Returns true when the engine answered the request itself; otherwise the
 * handler should run, and keepCorsHeaders has set the CORS headers.
 */
export function writeCorsDecision(decision: CorsDecision, res: ServerResponse): boolean {
  if (decision.respond) {
    applyCorsHeaders(decision, nodeHeaderTarget(res));
    res.statusCode = decision.status;
    res.end(decision.body);
    return true;
  }
  keepCorsHeaders(decision, res);
  return false;
}

/**
 * Sets a decision's headers on `res` now, and again just before the head is written, so a handler or
 * an error page that replaces Vary or the CORS headers cannot drop them (Koa's ctx.onerror and the
 * `send` module's error page remove every header first).
 */
export function keepCorsHeaders(decision: CorsDecision, res: ServerResponse): void {
  if (!decision.vary && decision.headers.length === 0) return;
  const target = nodeHeaderTarget(res);
  applyCorsHeaders(decision, target);
  const writeHead = res.writeHead;
  res.writeHead = function gatehouseWriteHead(this: ServerResponse, ...args: unknown[]) {
    if (!this.headersSent) {
      // writeHead(status, [message], headers) would apply its headers after ours: apply them first.
      const headersArg = args.findLast((a) => typeof a === 'object' && a !== null && !Array.isArray(a)) as Record<string, string | string[] | number> | undefined;
      if (headersArg !== undefined) {
        for (const name of Object.keys(headersArg)) this.setHeader(name, headersArg[name]!);
        args = args.filter((a) => a !== headersArg);
      }
      applyCorsHeaders(decision, target);
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}

function failed(gatehouse: Gatehouse, req: IncomingMessage, res: ServerResponse, error: unknown): void {
  gatehouse.logger.error({ err: error, method: req.method, url: req.url }, 'request handler failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = problemJson('internal-error', 500, 'Internal Server Error');
  res.statusCode = 500;
  res.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * Connect-style middleware: `(req, res, next)`; `next` runs only when the handler should. A framework
 * built on node:http (Express) passes `requestFacts` to read the facts from its own request object,
 * and `clientIp` to report the client's address as its proxy settings define it.
 */
export function gatehouseMiddleware<Req extends IncomingMessage = IncomingMessage>(
  options: GatehouseOptions | Gatehouse = {},
  requestFacts: (req: Req) => CorsRequest = nodeRequestFacts,
  clientIp: (req: Req) => string | undefined = (req) => req.socket.remoteAddress,
): (req: Req, res: ServerResponse, next: NodeNext) => void {
  const gatehouse = toGatehouse(options);
  const { cors, access } = gatehouse;
  // After CORS: authentication and the route's permission rule, when configured.
  const afterCors = (facts: CorsRequest, req: Req, res: ServerResponse, next: NodeNext): void => {
    if (access === undefined) {
      next();
      return;
    }
    access.check(nodeAccessRequest(facts, clientIp(req))).then((decision) => {
      if (!decision.allowed) {
        writeRefusal(res, decision.status, decision.headers, decision.body);
        return;
      }
      setPrincipal(req, decision.principal);
      next();
    }, next);
  };
  return (req, res, next) => {
    let facts: CorsRequest;
    let decision: CorsDecision | Promise<CorsDecision>;
    try {
      facts = requestFacts(req);
      decision = cors.decide(facts);
    } catch (error) {
      next(error);
      return;
    }
    if (decision instanceof Promise) {
      decision.then((d) => (writeCorsDecision(d, res) ? undefined : afterCors(facts, req, res, next)), next);
    } else if (!writeCorsDecision(decision, res)) {
      afterCors(facts, req, res, next);
    }
  };
}

export function nodeAccessRequest(facts: CorsRequest, clientIp: string | undefined): AccessRequest {
  return { method: facts.method, path: facts.path, header: facts.header, clientIp, requestId: requestIdOf(facts.header) };
}

/** Writes Gatehouse's own refusal (401, 403, 503); the CORS headers set earlier stay on it. */
export function writeRefusal(res: ServerResponse, status: number, headers: readonly Header[], body: string): void {
  res.statusCode = status;
  for (const [name, value] of headers) res.setHeader(name, value);
  res.end(body);
}

/** Wraps a node:http request handler: `http.createServer(withGatehouse(handler, { cors: {...} }))`. */
export function withGatehouse(handler: NodeHandler, options: GatehouseOptions | Gatehouse = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const gatehouse = toGatehouse(options);
  const middleware = gatehouseMiddleware(gatehouse);
  return (req, res) => {
    middleware(req, res, (error?: unknown) => {
      if (error !== undefined) {
        failed(gatehouse, req, res, error);
        return;
      }
      try {
        const result = handler(req, res);
        if (result instanceof Promise) result.catch((e: unknown) => failed(gatehouse, req, res, e));
      } catch (e) {
        failed(gatehouse, req, res, e);
      }
    });
  };
}

/**
 * A route's handler behind a rule declared in code: `requirePermission('posts:write', handler,
 * gatehouse)`, with the Gatehouse that `withGatehouse` uses. The handler runs only when the request's
 * Principal passes the rule; otherwise Gatehouse's refusal (401, 403) is written, CORS headers kept.
 * Throws a ConfigError at start-up when that Gatehouse has no `auth` (or `permissions`). For an object
 * rule (`owner`), the handler checks the object with `checkObject(guarded.rule, ...)`.
 */
export function requirePermission(rule: Rule | string, handler: NodeHandler, gatehouse: Gatehouse): NodeHandler & { readonly rule: Rule } {
  const permission = routePermission(gatehouse, rule, 'requirePermission');
  const guarded = (req: IncomingMessage, res: ServerResponse): unknown => {
    const decision = permission.check(principalOf(req), nodeRequestFacts(req));
    if (!decision.allowed) {
      writeRefusal(res, decision.status, decision.headers, decision.body);
      return undefined;
    }
    return handler(req, res);
  };
  return Object.assign(guarded, { rule: permission.rule });
}
