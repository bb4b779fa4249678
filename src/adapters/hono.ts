// Hono adapter: a middleware built on the Fetch adapter, `app.use('*', gatehouseMiddleware({ cors: {...} }))`
// before the routes. It runs wherever Hono runs: @hono/node-server, Bun, Deno, workers.
//
// Hono quirks, and where they are handled:
// - A thrown error becomes app.onError's response, and an unknown path notFound's, before control
//   returns to this middleware, which then adds the CORS headers to whatever c.res is.
// - HEAD is routed as GET and the body dropped after every middleware ran; c.req.raw keeps the
//   method HEAD, which is what the facts report.
// - Assigning c.res copies the previous response's headers over the new one's (Vary included), so
//   the headers are set on c.res in place; only a Response with immutable headers (a fetch() result,
//   Response.redirect()) is replaced by a copy, after clearing c.res so nothing is copied back.
// - The client's address is not part of a Request: under @hono/node-server it is read from the
//   bindings (c.env.incoming), and the trusted proxies (Gatehouse's `proxy`) are checked against it;
//   other runtimes report none, so an API key bound to networks is refused there.
// - Under @hono/node-server over HTTP/1 (the bindings hold node's request and response), the facts are
//   read from node's request and the headers go on at node's writeHead, as in the node:http adapter:
//   touching c.req.raw.headers or c.res.headers makes @hono/node-server build the real Request and
//   Headers objects it otherwise skips, which costs more than the whole CORS decision.
//
// The Principal of an allowed request is `c.get('principal')` (type the app with GatehouseEnv), and
// `principalOf(c.req.raw)`; the resolved client `clientOf(c.req.raw)`; `requirePermission(rule,
// gatehouse)` is a route middleware for a rule declared in code.
//
// Only Hono's types are used (no runtime import), so hono is not a peer dependency.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { principalOf, setPrincipal } from '../access/requestPrincipal.ts';
import type { Principal } from '../auth/principal.ts';
import { toGatehouse, type Gatehouse, type GatehouseOptions } from '../gatehouse.ts';
import type { Rule } from '../permissions/rule.ts';
import { originForm } from '../https/httpsPolicy.ts';
import { rememberFacts } from '../https/requestFacts.ts';
import { fetchAccessRequest, fetchRequestFacts, gateResponse, refusalResponse, withResponseHeaders } from './fetch.ts';
import { keepResponseHeaders, nodeRequestFactsAt } from './node-http.ts';
import { requestGate } from './requestGate.ts';
import { routePermission } from './routePermission.ts';

export { principalOf } from '../access/requestPrincipal.ts';
export { clientOf, type ResolvedClient } from '../https/requestFacts.ts';

/** What the middleware puts in the context: `new Hono<GatehouseEnv>()`, then `c.get('principal')`. */
export type GatehouseVariables = {
  /** The authenticated caller; undefined for anonymous requests or without `auth`. */
  principal: Principal | undefined;
};
export type GatehouseEnv = { Variables: GatehouseVariables };

/**
 * node's request and response from @hono/node-server's bindings (`{ incoming, outgoing }`), when it
 * serves HTTP/1; undefined on other runtimes and over HTTP/2 (whose compatibility objects differ).
 */
function nodeBindingsOf(env: unknown): { incoming: IncomingMessage; outgoing: ServerResponse } | undefined {
  if (typeof env !== 'object' || env === null) return undefined;
  const { incoming, outgoing } = env as { incoming?: unknown; outgoing?: unknown };
  // Duck-typed (no runtime import of node:http, which other runtimes lack): node's ServerResponse
  // has writeHead and _storeHeader; HTTP/2's compatibility response has no _storeHeader.
  if (typeof incoming !== 'object' || incoming === null || typeof outgoing !== 'object' || outgoing === null) return undefined;
  if (typeof (outgoing as { _storeHeader?: unknown })._storeHeader !== 'function' || typeof (incoming as { headers?: unknown }).headers !== 'object') return undefined;
  return { incoming: incoming as IncomingMessage, outgoing: outgoing as ServerResponse };
}

/** `app.use('*', gatehouseMiddleware({ cors: {...} }))`, before the routes. */
export function gatehouseMiddleware(options: GatehouseOptions | Gatehouse = {}): MiddlewareHandler<GatehouseEnv> {
  const gatehouse = toGatehouse(options);
  const gate = requestGate(gatehouse);
  const { access, proxy } = gatehouse;
  return async (c, next) => {
    const node = nodeBindingsOf(c.env);
    // On node, judged on the path Hono routes (c.req.raw.url, a plain getter there: no Request is
    // built). The URL parser resolved its dot segments (`/a/../b`, `/a/%2e%2e/b` become `/b`) where
    // node's req.url keeps them: judged on req.url, `/api/public/../private/` would pass a rule for
    // /api/public/* and run the /api/private/ route.
    const facts = node === undefined ? fetchRequestFacts(c.req.raw, c.env, proxy) : nodeRequestFactsAt(node.incoming, originForm(c.req.raw.url), proxy);
    rememberFacts(c.req.raw, facts);
    // Awaited only when the decision waits on something (a CORS hook): an await costs a turn.
    const decided = gate.decide(facts);
    const decision = decided instanceof Promise ? await decided : decided;
    if (node !== undefined) keepResponseHeaders(decision, node.outgoing);
    if (decision.respond) return gateResponse(decision);
    let principal: Principal | undefined;
    if (access !== undefined) {
      const allowed = await access.check(fetchAccessRequest(facts));
      if (!allowed.allowed) return withResponseHeaders(decision, refusalResponse(allowed.status, allowed.headers, allowed.body));
      principal = allowed.principal;
      setPrincipal(c.req.raw, principal);
    }
    c.set('principal', principal);
    await next();
    if (node !== undefined) return undefined;
    const response = withResponseHeaders(decision, c.res);
    if (response !== c.res) {
      c.res = undefined;
      c.res = response;
    }
    return undefined;
  };
}

/**
 * `app.post('/api/posts', requirePermission('posts:write', gatehouse), handler)`, with the Gatehouse
 * that `gatehouseMiddleware` uses. Answers Gatehouse's refusal (401, 403) unless the request's
 * Principal passes the rule; gatehouseMiddleware adds the CORS and security headers to it. Throws a ConfigError at
 * start-up when that Gatehouse has no `auth` (or `permissions`). For an object rule (`owner`), the
 * handler checks the object with `checkObject(middleware.rule, ...)`.
 */
export function requirePermission(rule: Rule | string, gatehouse: Gatehouse): MiddlewareHandler<GatehouseEnv> & { readonly rule: Rule } {
  const permission = routePermission(gatehouse, rule, 'requirePermission');
  const middleware: MiddlewareHandler<GatehouseEnv> = async (c, next) => {
    const decision = permission.check(principalOf(c.req.raw), fetchRequestFacts(c.req.raw));
    if (!decision.allowed) return refusalResponse(decision.status, decision.headers, decision.body);
    await next();
    return undefined;
  };
  return Object.assign(middleware, { rule: permission.rule });
}
