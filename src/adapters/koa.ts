// Koa 3 adapter: a middleware, `app.use(gatehouseMiddleware({ cors: {...} }))` before the routes.
//
// Koa quirks, and where they are handled:
// - When a middleware throws, ctx.onerror removes every response header and keeps only `err.headers`.
//   keepResponseHeaders adds the CORS headers when the head is written, so the error response
//   still carries them, whichever middleware threw (one outside this one included).
// - Koa turns `ctx.body = null` into a 204 unless the status is set afterwards; the engine's empty
//   preflight answer sets the body first and the status second, so it stays a 200 with Content-Length 0.
// - koa-mount and routers rewrite ctx.path; per-path policies are written for the full path, so the
//   facts use ctx.originalUrl.
// - Proxies: with Gatehouse's own `proxy` setting, the client's address, protocol and host come from
//   the socket and the trusted proxies' headers, whatever app.proxy says. Without it, Gatehouse
//   follows Koa: with `app.proxy = true`, ctx.secure, ctx.host and ctx.ip follow the X-Forwarded-*
//   headers (for strict mode's own origin, CSRF, HSTS and API keys bound to networks).
// - A refusal or redirect is written as Koa writes any response (status, body, then headers), so the
//   headers kept by keepResponseHeaders and Koa's own HEAD handling apply to it.
//
// The Principal of an allowed request is `ctx.state.principal` (type the app with GatehouseState), and
// `principalOf(ctx.req)`; the resolved client `clientOf(ctx.req)`; `requirePermission(rule, gatehouse)`
// is a route middleware for a rule declared in code.
//
// Only Koa's types are used (no runtime import), so koa is not a peer dependency.

import type { Context, Middleware } from 'koa';
import { accessRequestOf, type AccessDecision } from '../access/accessEngine.ts';
import { principalOf, setPrincipal } from '../access/requestPrincipal.ts';
import type { Principal } from '../auth/principal.ts';
import { toGatehouse, type Gatehouse, type GatehouseOptions } from '../gatehouse.ts';
import { rememberFacts, type RequestFacts } from '../https/requestFacts.ts';
import type { ProxyTrust } from '../https/trustedProxies.ts';
import type { Rule } from '../permissions/rule.ts';
import { frameworkRequestFacts, keepResponseHeaders, nodeRequestFactsAt } from './node-http.ts';
import { requestGate, type GateDecision } from './requestGate.ts';
import { routePermission } from './routePermission.ts';

export { principalOf } from '../access/requestPrincipal.ts';
export { clientOf, type ResolvedClient } from '../https/requestFacts.ts';
export { protectUpgrades, redirectToHttps } from './node-http.ts';

/** What the middleware puts in ctx.state: `new Koa<GatehouseState>()`, then `ctx.state.principal`. */
export interface GatehouseState {
  /** The authenticated caller; undefined for anonymous requests or without `auth`. */
  principal: Principal | undefined;
}

/** Gatehouse's `proxy` decides when set; otherwise Koa's `app.proxy` (ctx.secure, ctx.host, ctx.ip) does. */
export function koaRequestFacts(ctx: Context, proxy?: ProxyTrust): RequestFacts {
  if (proxy?.configured === true) return nodeRequestFactsAt(ctx.req, ctx.originalUrl, proxy);
  return frameworkRequestFacts(ctx.req, ctx.originalUrl, ctx.secure, ctx.host, ctx.ip);
}

/**
 * The gate's own answer (a redirect, a preflight, a refusal), written the Koa way so Koa sends it. The
 * CORS and security headers are added when the head is written (keepResponseHeaders), after Koa's body
 * setter picked a Content-Type, so the decision's own wins.
 */
function answer(ctx: Context, decision: GateDecision): void {
  if (decision.body === '') {
    ctx.body = null;
    ctx.status = decision.status;
  } else {
    ctx.status = decision.status;
    ctx.body = decision.body;
  }
  for (const [name, value] of decision.headers) ctx.set(name, value);
}

/** Gatehouse's refusal (401, 403, 503), after the body so that its Content-Type wins over Koa's. */
function refuse(ctx: Context, refusal: Extract<AccessDecision, { allowed: false }>): void {
  ctx.status = refusal.status;
  ctx.body = refusal.body;
  for (const [name, value] of refusal.headers) ctx.set(name, value);
}

/** `app.use(gatehouseMiddleware({ cors: {...} }))`, before the routes. */
export function gatehouseMiddleware(options: GatehouseOptions | Gatehouse = {}): Middleware<GatehouseState> {
  const gatehouse = toGatehouse(options);
  const gate = requestGate(gatehouse);
  const { access, proxy } = gatehouse;
  return async (ctx, next) => {
    const facts = koaRequestFacts(ctx, proxy);
    rememberFacts(ctx.req, facts);
    // Awaited only when the decision waits on something (a CORS hook): an await costs a turn.
    const decided = gate.decide(facts);
    const decision = decided instanceof Promise ? await decided : decided;
    keepResponseHeaders(decision, ctx.res);
    if (decision.respond) {
      answer(ctx, decision);
      return;
    }
    let principal: Principal | undefined;
    if (access !== undefined) {
      const allowed = await access.check(accessRequestOf(facts, facts.clientIp));
      if (!allowed.allowed) {
        refuse(ctx, allowed);
        return;
      }
      principal = allowed.principal;
      setPrincipal(ctx.req, principal);
    }
    ctx.state.principal = principal;
    await next();
  };
}

/**
 * `router.post('/api/posts', requirePermission('posts:write', gatehouse), handler)`, with the Gatehouse
 * that `gatehouseMiddleware` uses. Answers Gatehouse's refusal (401, 403) unless the request's
 * Principal passes the rule. Throws a ConfigError at start-up when that Gatehouse has no `auth` (or
 * `permissions`). For an object rule (`owner`), the handler checks the object with
 * `checkObject(middleware.rule, ...)`.
 */
export function requirePermission(rule: Rule | string, gatehouse: Gatehouse): Middleware<GatehouseState> & { readonly rule: Rule } {
  const permission = routePermission(gatehouse, rule, 'requirePermission');
  const middleware: Middleware<GatehouseState> = async (ctx, next) => {
    const decision = permission.check(principalOf(ctx.req), koaRequestFacts(ctx));
    if (!decision.allowed) {
      refuse(ctx, decision);
      return;
    }
    await next();
  };
  return Object.assign(middleware, { rule: permission.rule });
}
