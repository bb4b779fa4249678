// Koa 3 adapter: a middleware, `app.use(gatehouseMiddleware({ cors: {...} }))` before the routes.
//
// Koa quirks, and where they are handled:
// - When a middleware throws, ctx.onerror removes every response header and keeps only `err.headers`.
//   keepCorsHeaders sets the CORS headers again just before the head is written, so the error response
//   still carries them, whichever middleware threw (one outside this one included).
// - Koa turns `ctx.body = null` into a 204 unless the status is set afterwards; the engine's empty
//   preflight answer sets the body first and the status second, so it stays a 200 with Content-Length 0.
// - koa-mount and routers rewrite ctx.path; per-path policies are written for the full path, so the
//   facts use ctx.originalUrl.
// - With `app.proxy = true`, ctx.secure and ctx.host follow X-Forwarded-Proto/-Host, so strict mode
//   recognises the API's own origin behind a proxy.
//
// Only Koa's types are used (no runtime import), so koa is not a peer dependency.

import type { Context, Middleware } from 'koa';
import type { CorsDecision, CorsRequest } from '../cors/corsEngine.ts';
import { toGatehouse, type Gatehouse, type GatehouseOptions } from '../gatehouse.ts';
import { keepCorsHeaders, nodeHeaderTarget, nodeRequestFacts } from './node-http.ts';
import { requestPath } from './requestPath.ts';
import { applyCorsHeaders } from './responseHeaders.ts';

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

/** `app.use(gatehouseMiddleware({ cors: {...} }))`, before the routes. */
export function gatehouseMiddleware(options: GatehouseOptions | Gatehouse = {}): Middleware {
  const cors = toGatehouse(options).cors;
  return async (ctx, next) => {
    const decision = await cors.decide(koaRequestFacts(ctx));
    if (decision.respond) {
      answer(ctx, decision);
      return;
    }
    keepCorsHeaders(decision, ctx.res);
    await next();
  };
}
