// node:http adapter: a handler wrapper, and a connect-style middleware that the Express adapter
// reuses. It only translates IncomingMessage into CorsRequest facts and writes decisions back.
// The Principal of an allowed request is `principalOf(req)`; `requirePermission(rule, handler,
// gatehouse)` wraps a route's handler with a rule declared in code.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { accessRequestOf } from '../access/accessEngine.ts';
import { principalOf, setPrincipal } from '../access/requestPrincipal.ts';
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

// Per-request objects here are classes, and per-request functions are returned by a factory rather
// than written as named function expressions: under tsx (esbuild keepNames) every named function
// expression created per request costs an Object.defineProperty, measurable on a hot path.

export function nodeRequestFacts(req: IncomingMessage): CorsRequest {
  const headers = req.headers;
  return {
    method: req.method ?? 'GET',
    path: requestPath(req.url ?? '/'),
    origin: headers.origin,
    header: headerReader(headers),
    secure: (req.socket as TLSSocket).encrypted === true,
    host: headers.host,
  };
}

function headerReader(headers: IncomingMessage['headers']): (name: string) => string | undefined {
  return (name) => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
}

/** A node response's headers as the three-method view that applyCorsHeaders writes through. */
export class NodeHeaderTarget implements HeaderTarget {
  constructor(private readonly res: ServerResponse) {}
  get(name: string): string | undefined {
    const value = this.res.getHeader(name);
    return value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : String(value);
  }
  set(name: string, value: string): void {
    this.res.setHeader(name, value);
  }
  delete(name: string): void {
    this.res.removeHeader(name);
  }
}

export function nodeHeaderTarget(res: ServerResponse): HeaderTarget {
  return new NodeHeaderTarget(res);
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
 * Makes sure the decision's headers are on the response when its head is written, whatever the
 * handler or an error page did before (Koa's ctx.onerror and the `send` module's error page remove
 * every header first). Every way of sending a head goes through writeHead (res.end and res.write call
 * it implicitly), so that is where they are added. A handler's `writeHead(status, { ...headers })`
 * keeps node's fast path: the CORS headers join that object instead of going through setHeader.
 */
export function keepCorsHeaders(decision: CorsDecision, res: ServerResponse): void {
  if (!decision.vary && decision.headers.length === 0) return;
  // Every way of sending the head goes through writeHead, so that is where the headers are added.
  res.writeHead = corsWriteHead(decision, res.writeHead as WriteHead) as ServerResponse['writeHead'];
}

type WriteHead = (this: ServerResponse, ...args: unknown[]) => ServerResponse;

function corsWriteHead(decision: CorsDecision, writeHead: WriteHead): WriteHead {
  return function (this: ServerResponse, statusCode: unknown, ...rest: unknown[]) {
    if (this.headersSent) return writeHead.call(this, statusCode, ...rest);
    return writeHeadWithCors(this, decision, writeHead, statusCode, rest);
  };
}

function writeHeadWithCors(res: ServerResponse, decision: CorsDecision, writeHead: WriteHead, statusCode: unknown, rest: unknown[]): ServerResponse {
  const reason = typeof rest[0] === 'string' ? rest[0] : undefined;
  const given = rest[reason === undefined ? 0 : 1];
  const head: unknown[] = reason === undefined ? [statusCode] : [statusCode, reason];
  if (Array.isArray(given) || res.getHeaderNames().length > 0) {
    // Headers already set with setHeader (or raw lines): merge through setHeader, as node would.
    if (given !== null && typeof given === 'object' && !Array.isArray(given)) {
      for (const name in given) res.setHeader(name, (given as Record<string, string | number | string[]>)[name]!);
    } else if (Array.isArray(given)) {
      head.push(given);
    }
    applyCorsHeaders(decision, new NodeHeaderTarget(res));
    return writeHead.apply(res, head);
  }
  // Only writeHead's own headers: pass them and ours as one flat list of lines, which node writes
  // without building its header map (its fast path, kept).
  const lines: unknown[] = [];
  if (given !== null && typeof given === 'object') {
    for (const name in given) lines.push(name, (given as Record<string, unknown>)[name]);
  }
  applyCorsHeaders(decision, new LinesHeaderTarget(lines));
  head.push(lines);
  return writeHead.apply(res, head);
}

/** writeHead's headers as a flat list of name, value lines; names match case-insensitively. */
class LinesHeaderTarget implements HeaderTarget {
  constructor(private readonly lines: unknown[]) {}
  private indexOf(name: string): number {
    const lower = name.toLowerCase();
    for (let i = 0; i < this.lines.length; i += 2) if ((this.lines[i] as string).toLowerCase() === lower) return i;
    return -1;
  }
  get(name: string): string | undefined {
    const i = this.indexOf(name);
    if (i === -1) return undefined;
    const value = this.lines[i + 1];
    return Array.isArray(value) ? value.join(', ') : String(value);
  }
  set(name: string, value: string): void {
    const i = this.indexOf(name);
    if (i === -1) this.lines.push(name, value);
    else this.lines[i + 1] = value;
  }
  delete(name: string): void {
    const i = this.indexOf(name);
    if (i !== -1) this.lines.splice(i, 2);
  }
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
    access.check(accessRequestOf(facts, clientIp(req))).then((decision) => {
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

