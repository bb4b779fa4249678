// Express adapter (4 and 5): the node:http adapter's connect-style middleware, fed with facts read
// from Express's own request. `app.use(gatehouseMiddleware({ cors: {...} }))` before any route.
//
// Express quirks, and where they are handled:
// - Express answers OPTIONS itself (200 with Allow) when no route matches it. The middleware runs
//   before the router, so a preflight is answered by the engine and never reaches a route.
// - finalhandler (404s, thrown errors) and error handlers keep headers set earlier, but some remove
//   them (the `send` module's error page clears every header): writeCorsDecision sets the CORS headers
//   again just before the head is written (see keepCorsHeaders in node-http.ts).
// - Under `app.use('/api', middleware)` Express strips the mount path from req.url; per-path policies
//   are written for the full path, so the facts use req.originalUrl.
// - Behind a proxy with `trust proxy` set, req.secure follows X-Forwarded-Proto, so strict mode
//   recognises the API's own https origin.
//
// Only Express's request shape is used (no runtime import), so express is not a peer dependency.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsRequest } from '../cors/corsEngine.ts';
import type { Gatehouse, GatehouseOptions } from '../gatehouse.ts';
import { gatehouseMiddleware as nodeGatehouseMiddleware, nodeRequestFacts, type NodeNext } from './node-http.ts';
import { requestPath } from './requestPath.ts';

/** What the adapter reads from Express's `req` (Express 4 and 5 both have these). */
export interface ExpressRequestShape extends IncomingMessage {
  readonly originalUrl: string;
  readonly secure: boolean;
}

export type ExpressMiddleware = (req: ExpressRequestShape, res: ServerResponse, next: NodeNext) => void;

export function expressRequestFacts(req: ExpressRequestShape): CorsRequest {
  return { ...nodeRequestFacts(req), path: requestPath(req.originalUrl), secure: req.secure };
}

/** `app.use(gatehouseMiddleware({ cors: {...} }))`, before the routes. */
export function gatehouseMiddleware(options: GatehouseOptions | Gatehouse = {}): ExpressMiddleware {
  return nodeGatehouseMiddleware(options, expressRequestFacts);
}
