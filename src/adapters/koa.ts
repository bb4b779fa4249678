// Koa 3 adapter: a middleware, `app.use(gatehouseMiddleware({ cors: {...} }))` before the routes.
//
// Koa quirks, and where they are handled:
// - When a middleware throws, ctx.onerror removes every response header and keeps only `err.headers`.
//   keepCorsHeaders adds the CORS headers when the head is written, so the error response
//   still carries them, whichever middleware threw (one outside this one included).
// - Koa turns `ctx.body = null` into a 204 unless the status is set afterwards; the engine's empty
//   preflight answer sets the body first and the status second, so it stays a 200 with Content-Length 0.
// - koa-mount and routers rewrite ctx.path; per-path policies are written for the full path, so the
//   facts use ctx.originalUrl.
// - With `app.proxy = true`, ctx.secure and ctx.host follow X-Forwarded-Proto/-Host, so strict mode
//   recognises the API's own origin behind a proxy, and ctx.ip is the client's address for API keys
//   bound to networks.
// - A refusal is written as Koa writes any response (status, body, then headers), so the CORS headers
//   kept by keepCorsHeaders and Koa's own HEAD handling apply to it.
//
// The Principal of an allowed request is `ctx.state.principal` (type the app with GatehouseState), and
// `principalOf(ctx.req)`; `requirePermission(rule, gatehouse)` is a route middleware for a rule
// declared in code.
//
// Only Koa's types are used (no runtime import), so koa is not a peer dependency.

import type { Context, Middleware } from 'koa';
import { accessRequestOf, type AccessDecision } from '../access/accessEngine.ts';
import { principalOf, setPrincipal } from '../access/requestPrincipal.ts';
import type { Principal } from '../auth/principal.ts';
import type { CorsDecision, CorsRequest } from '../cors/corsEngine.ts';
import { toGatehouse, type Gatehouse, type GatehouseOptions } from '../gatehouse.ts';
import type { Rule } from '../permissions/rule.ts';
import { keepCorsHeaders, nodeHeaderTarget, nodeRequestFacts } from './node-http.ts';
import { requestPath } from './requestPath.ts';
import { applyCorsHeaders } from './responseHeaders.ts';
import { routePermission } from './routePermission.ts';

export { principalOf } from '../access/requestPrincipal.ts';

/** What the middleware puts in ctx.state: `new Koa<GatehouseState>()`, then `ctx.state.principal`. */
export interface GatehouseState {
  /** The authenticated caller; undefined for anonymous requests or without `auth`. */
  principal: Principal | undefined;
}

export function koaRequestFacts(ctx: Context): CorsRequest {
  return { ...nodeRequestFacts(ctx.req), path: requestPath(ctx.originalUrl), secure: ctx.secure, host: ctx.host === '' ? undefined : ctx.host };
}

/** The engine's own answer (a preflight or a strict refusal), written the Koa way so Koa sends it. */
function answer(ctx: Context, decision: CorsDecision): void {
  if (decision.body === '') {
    ctx.body = null;
    ctx.status = decision.status;
  } else {
    ctx.status = decision.status;
    ctx.body = decision.body;
  }
  // After the body: Koa's body setter picks a Content-Type, and the decision's own must win.
  applyCorsHeaders(decision, nodeHeaderTarget(ctx.res));
}

/** Gatehouse's refusal (401, 403, 503), after the body so that its Content-Type wins over Koa's. */
function refuse(ctx: Context, refusal: Extract<AccessDecision, { allowed: false }>): void {
  ctx.status = refusal.status;
  ctx.body = refusal.body;
  for (const [name, value] of refusal.headers) ctx.set(name, value);
}

/** `app.use(gatehouseMiddleware({ cors: {...} }))`, before the routes. */
export function gatehouseMiddleware(options: GatehouseOptions | Gatehouse = {}): Middleware<GatehouseState> {
  const { cors, access } = toGatehouse(options);
  return async (ctx, next) => {
    const facts = koaRequestFacts(ctx);
    const decision = await cors.decide(facts);
    if (decision.respond) {
      answer(ctx, decision);
      return;
    }
    keepCorsHeaders(decision, ctx.res);
    let principal: Principal | undefined;
    if (access !== undefined) {
      const allowed = await access.check(accessRequestOf(facts, ctx.ip === '' ? undefined : ctx.ip));
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
