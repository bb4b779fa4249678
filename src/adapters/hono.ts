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
//
// Only Hono's types are used (no runtime import), so hono is not a peer dependency.

import type { MiddlewareHandler } from 'hono';
import { toGatehouse, type Gatehouse, type GatehouseOptions } from '../gatehouse.ts';
import { decisionResponse, fetchRequestFacts, withCorsHeaders } from './fetch.ts';

/** `app.use('*', gatehouseMiddleware({ cors: {...} }))`, before the routes. */
export function gatehouseMiddleware(options: GatehouseOptions | Gatehouse = {}): MiddlewareHandler {
  const cors = toGatehouse(options).cors;
  return async (c, next) => {
    const decision = await cors.decide(fetchRequestFacts(c.req.raw));
    if (decision.respond) return decisionResponse(decision);
    await next();
    const response = withCorsHeaders(decision, c.res);
    if (response !== c.res) {
      c.res = undefined;
      c.res = response;
    }
    return undefined;
  };
}
