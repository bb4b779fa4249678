// node:http adapter: a handler wrapper, and a connect-style middleware that the Express adapter
// reuses. It only translates IncomingMessage into request facts and writes decisions back.
// The Principal of an allowed request is `principalOf(req)`, the resolved client (address, protocol,
// host through trusted proxies) `clientOf(req)`; `requirePermission(rule, handler, gatehouse)` wraps a
// route's handler with a rule declared in code; `redirectToHttps(gatehouse)` is the handler of a plain
// HTTP listener that sends everything to HTTPS.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { accessRequestOf } from '../access/accessEngine.ts';
import { principalOf, setPrincipal } from '../access/requestPrincipal.ts';
import type { Header } from '../cors/corsPolicy.ts';
import { toGatehouse, type Gatehouse, type GatehouseOptions } from '../gatehouse.ts';
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
export { protectUpgrades, type UpgradeListener } from './nodeUpgrade.ts';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;
export type NodeNext = (error?: unknown) => void;
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: NodeNext) => void;

// Per-request objects here are classes, and per-request functions are returned by a factory rather
// than written as named function expressions: under tsx (esbuild keepNames) every named function
// expression created per request costs an Object.defineProperty, measurable on a hot path.

/**
 * The facts of a request: from the socket alone, or, when `proxy` trusts the socket's peer, with the
 * client's address, protocol and host as the trusted proxies reported them.
 */
export function nodeRequestFacts(req: IncomingMessage, proxy?: ProxyTrust): RequestFacts {
  const headers = req.headers;
  const socket = req.socket;
  const header = nodeHeaderReader(headers);
  const encrypted = (socket as TLSSocket).encrypted === true;
  const target = req.url ?? '/';
  if (proxy === undefined || !proxy.configured) {
    return { method: req.method ?? 'GET', path: requestPath(target), origin: headers.origin, header, secure: encrypted, host: headers.host, clientIp: socket.remoteAddress, target };
  }
  const client = proxy.resolve(socket.remoteAddress, encrypted, headers.host, header);
  return { method: req.method ?? 'GET', path: requestPath(target), origin: headers.origin, header, secure: client.secure, host: client.host, clientIp: client.ip, target };
}

/**
 * node's facts, judged on `target`: the request target the framework routes on (Fastify's
 * request.url, Koa's originalUrl, the URL @hono/node-server parsed), which may differ from req.url.
 */
export function nodeRequestFactsAt(req: IncomingMessage, target: string, proxy?: ProxyTrust): RequestFacts {
  return { ...nodeRequestFacts(req, proxy), path: requestPath(target), target };
}

/**
 * The facts of a request whose client the framework resolved through its own proxy settings
 * (Fastify's trustProxy, Koa's app.proxy): for when Gatehouse's own `proxy` is not configured.
 */
export function frameworkRequestFacts(req: IncomingMessage, target: string, secure: boolean, host: string, ip: string | undefined): RequestFacts {
  const headers = req.headers;
  return {
    method: req.method ?? 'GET',
    path: requestPath(target),
    origin: headers.origin,
    header: nodeHeaderReader(headers),
    secure,
    host: host === '' ? undefined : host,
    clientIp: ip === '' ? undefined : ip,
    target,
  };
}

/** Reads a request header by its lower-case name, repeated values joined with ", ". */
function nodeHeaderReader(headers: IncomingMessage['headers']): (name: string) => string | undefined {
  return (name) => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
}

/** A node response's headers as the three-method view that applyResponseHeaders writes through. */
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

/** Writes the gate's own answer (a redirect, a preflight, a refusal); the handler never runs. */
export function writeGateAnswer(decision: GateDecision, res: ServerResponse): void {
  res.statusCode = decision.status;
  for (const [name, value] of decision.headers) res.setHeader(name, value);
  res.end(decision.body);
}

/**
 * Makes sure the gate's headers (CORS, HSTS, nosniff, CORP, no-store) are on the response when its head
 * is written, whatever the handler or an error page did before (Koa's ctx.onerror and the `send`
 * module's error page remove every header first). Every way of sending a head goes through writeHead
 * (res.end and res.write call it implicitly), so that is where they are added. A handler's
 * `writeHead(status, { ...headers })` keeps node's fast path: the headers join that object instead
 * of going through setHeader.
 */
export function keepResponseHeaders(decision: GateDecision, res: ServerResponse): void {
  res.writeHead = gateWriteHead(decision, res.writeHead as WriteHead) as ServerResponse['writeHead'];
}

type WriteHead = (this: ServerResponse, ...args: unknown[]) => ServerResponse;

function gateWriteHead(decision: GateDecision, writeHead: WriteHead): WriteHead {
  return function (this: ServerResponse, statusCode: unknown, ...rest: unknown[]) {
    if (this.headersSent) return writeHead.call(this, statusCode, ...rest);
    return writeHeadWithGate(this, decision, writeHead, statusCode, rest);
  };
}

function writeHeadWithGate(res: ServerResponse, decision: GateDecision, writeHead: WriteHead, statusCode: unknown, rest: unknown[]): ServerResponse {
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
    applyResponseHeaders(decision, new NodeHeaderTarget(res));
    return writeHead.apply(res, head);
  }
  // Only writeHead's own headers: pass them and ours as one flat list of lines, which node writes
  // without building its header map (its fast path, kept).
  const lines: unknown[] = [];
  if (given !== null && typeof given === 'object') {
    for (const name in given) lines.push(name, (given as Record<string, unknown>)[name]);
  }
  applyResponseHeaders(decision, new LinesHeaderTarget(lines));
  head.push(lines);
  return writeHead.apply(res, head);
}

/**
 * writeHead's headers as a flat list of name, value lines; names match case-insensitively. Each name
 * is lower-cased once (a handler's when the target is made, Gatehouse's own through a small cache),
 * so a lookup is a scan of a few strings, not a lower-casing of every line.
 */
class LinesHeaderTarget implements HeaderTarget {
  private readonly lowerNames: string[] = [];
  constructor(private readonly lines: unknown[]) {
    for (let i = 0; i < lines.length; i += 2) this.lowerNames.push(String(lines[i]).toLowerCase());
  }
  private indexOf(name: string): number {
    const lower = lowerCaseName(name);
    const names = this.lowerNames;
    for (let i = 0; i < names.length; i++) if (names[i] === lower) return i * 2;
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
    if (i !== -1) {
      this.lines[i + 1] = value;
      return;
    }
    this.lines.push(name, value);
    this.lowerNames.push(lowerCaseName(name));
  }
  delete(name: string): void {
    const i = this.indexOf(name);
    if (i === -1) return;
    this.lines.splice(i, 2);
    this.lowerNames.splice(i / 2, 1);
  }
}

/** Gatehouse asks for the same few dozen header names on every response: lower-case each once. */
const lowerCaseNames = new Map<string, string>();
function lowerCaseName(name: string): string {
  let lower = lowerCaseNames.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    // Bounded, should a caller ever pass names built per request.
    if (lowerCaseNames.size < 512) lowerCaseNames.set(name, lower);
  }
  return lower;
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
 * e.g. the client's address as its own proxy settings define it when Gatehouse's `proxy` is not set.
 */
export function gatehouseMiddleware<Req extends IncomingMessage = IncomingMessage>(
  options: GatehouseOptions | Gatehouse = {},
  requestFacts: (req: Req, proxy: ProxyTrust) => RequestFacts = nodeRequestFacts,
): (req: Req, res: ServerResponse, next: NodeNext) => void {
  const gatehouse = toGatehouse(options);
  const gate = requestGate(gatehouse);
  const { access, proxy } = gatehouse;
  // After the gate: authentication and the route's permission rule, when configured.
  const afterGate = (facts: RequestFacts, decision: GateDecision, req: Req, res: ServerResponse, next: NodeNext): void => {
    keepResponseHeaders(decision, res);
    if (decision.respond) {
      writeGateAnswer(decision, res);
      return;
    }
    if (access === undefined) {
      next();
      return;
    }
    access.check(accessRequestOf(facts, facts.clientIp)).then((allowed) => {
      if (!allowed.allowed) {
        writeRefusal(res, allowed.status, allowed.headers, allowed.body);
        return;
      }
      setPrincipal(req, allowed.principal);
      next();
    }, next);
  };
  return (req, res, next) => {
    let facts: RequestFacts;
    let decision: GateDecision | Promise<GateDecision>;
    try {
      facts = requestFacts(req, proxy);
      rememberFacts(req, facts);
      decision = gate.decide(facts);
    } catch (error) {
      next(error);
      return;
    }
    if (decision instanceof Promise) decision.then((d) => afterGate(facts, d, req, res, next), next);
    else afterGate(facts, decision, req, res, next);
  };
}

/** Writes Gatehouse's own refusal (401, 403, 503); the gate's headers are added as for any response. */
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


/**
 * The handler of a plain-HTTP listener whose only job is sending clients to HTTPS:
 * `createServer(redirectToHttps(gatehouse)).listen(80)`. Every request is answered with a permanent
 * redirect to the same target on `https.redirectHost` (or the request's host without its port): 301
 * for GET and HEAD, 308 otherwise. An exempt path (`https.redirectExempt`, Django's
 * SECURE_REDIRECT_EXEMPT), or a request a trusted proxy reports as HTTPS, goes to `fallback` (an ACME
 * challenge responder, say), or gets a 404 problem+json without one.
 */
export function redirectToHttps(options: GatehouseOptions | Gatehouse = {}, fallback?: NodeHandler): (req: IncomingMessage, res: ServerResponse) => void {
  const gatehouse = toGatehouse(options);
  const { https, proxy } = gatehouse;
  const notFound = problemJson('not-found', 404, 'Not Found', 'This listener only redirects to HTTPS.');
  return (req, res) => {
    const facts = nodeRequestFacts(req, proxy);
    const answer = https.redirect(facts);
    if (answer !== undefined) {
      res.statusCode = answer.status;
      for (const [name, value] of answer.headers) res.setHeader(name, value);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.end(answer.body);
      return;
    }
    if (fallback === undefined) {
      res.statusCode = 404;
      res.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
      res.setHeader('Content-Length', Buffer.byteLength(notFound));
      res.end(notFound);
      return;
    }
    try {
      const result = fallback(req, res);
      if (result instanceof Promise) result.catch((e: unknown) => failed(gatehouse, req, res, e));
    } catch (e) {
      failed(gatehouse, req, res, e);
    }
  };
}
