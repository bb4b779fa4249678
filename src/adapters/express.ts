// Express adapter (4 and 5): the node:http adapter's connect-style middleware, fed with facts read
// from Express's own request. `app.use(gatehouseMiddleware({ cors: {...} }))` before any route.
//
// Express quirks, and where they are handled:
// - Express answers OPTIONS itself (200 with Allow) when no route matches it. The middleware runs
//   before the router, so a preflight is answered by the engine and never reaches a route.
// - finalhandler (404s, thrown errors) and error handlers keep headers set earlier, but some remove
//   them (the `send` module's error page clears every header): the CORS headers are added when the
//   head is written, after all of that (see keepResponseHeaders in node-http.ts).
// - Under `app.use('/api', middleware)` Express strips the mount path from req.url; per-path policies
//   are written for the full path, so the facts use req.originalUrl.
// - Proxies: with Gatehouse's own `proxy` setting, the client's address, protocol and host come from
//   the socket and the trusted proxies' headers, whatever `trust proxy` says. Without it, Gatehouse
//   follows Express: with `trust proxy` set, req.secure follows X-Forwarded-Proto and req.ip is the
//   client's address (for strict mode's own origin, CSRF, HSTS and API keys bound to networks).
//
// The Principal of an allowed request is `req.principal` (and `principalOf(req)`), the resolved client
// `clientOf(req)`; `requirePermission(rule, gatehouse)` is a route middleware for a rule declared in code.
//
// Only Express's request shape is used (no runtime import), so express is not a peer dependency.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessDecision } from '../access/accessEngine.ts';
import { principalOf } from '../access/requestPrincipal.ts';
import type { Principal } from '../auth/principal.ts';
import type { Gatehouse, GatehouseOptions } from '../gatehouse.ts';
import type { RequestFacts } from '../https/requestFacts.ts';
import type { ProxyTrust } from '../https/trustedProxies.ts';
import type { Rule } from '../permissions/rule.ts';
import { gatehouseMiddleware as nodeGatehouseMiddleware, nodeRequestFacts, writeRefusal, type NodeNext } from './node-http.ts';
import { requestPath } from './requestPath.ts';
import { routePermission } from './routePermission.ts';

export { principalOf } from '../access/requestPrincipal.ts';
export { clientOf, type ResolvedClient } from '../https/requestFacts.ts';
export { protectUpgrades, redirectToHttps } from './node-http.ts';

// @types/express merges this global namespace into its Request: how middleware adds to `req` (as
// passport's `req.user`). Without @types/express it declares nothing anyone reads.
declare global {
  namespace Express {
    interface Request {
      /** The authenticated caller, set by Gatehouse's middleware; undefined for anonymous requests. */
      principal?: Principal;
    }
  }
}

/** What the adapter reads from Express's `req` (Express 4 and 5 both have these). */
export interface ExpressRequestShape extends IncomingMessage {
  readonly originalUrl: string;
  readonly secure: boolean;
  /** The client's address, following `trust proxy`. */
  readonly ip?: string | undefined;
  principal?: Principal;
}

export type ExpressMiddleware = (req: ExpressRequestShape, res: ServerResponse, next: NodeNext) => void;

/** Gatehouse's `proxy` decides when set; otherwise Express's `trust proxy` (req.secure, req.ip) does. */
export function expressRequestFacts(req: ExpressRequestShape, proxy?: ProxyTrust): RequestFacts {
  const facts = nodeRequestFacts(req, proxy);
  const path = requestPath(req.originalUrl);
  if (proxy?.configured === true) return { ...facts, path, target: req.originalUrl };
  return { ...facts, path, target: req.originalUrl, secure: req.secure, clientIp: req.ip ?? req.socket.remoteAddress };
}

/** `app.use(gatehouseMiddleware({ cors: {...} }))`, before the routes. */
export function gatehouseMiddleware(options: GatehouseOptions | Gatehouse = {}): ExpressMiddleware {
  const middleware = nodeGatehouseMiddleware(options, expressRequestFacts);
  return (req, res, next) => {
    middleware(req, res, (error?: unknown) => {
      if (error === undefined) {
        const principal = principalOf(req);
        if (principal !== undefined) req.principal = principal;
      }
      next(error);
    });
  };
}

/**
 * `app.post('/api/posts', requirePermission('posts:write', gatehouse), handler)`, with the Gatehouse
 * that `gatehouseMiddleware` uses. Refuses (401, 403) unless the request's Principal passes the rule.
 * Throws a ConfigError at start-up when that Gatehouse has no `auth` (or `permissions`). For an object
 * rule (`owner`), the handler checks the object with `checkObject(middleware.rule, ...)`.
 */
export function requirePermission(rule: Rule | string, gatehouse: Gatehouse): ExpressMiddleware & { readonly rule: Rule } {
  const permission = routePermission(gatehouse, rule, 'requirePermission');
  const middleware: ExpressMiddleware = (req, res, next) => {
    let decision: AccessDecision;
    try {
      decision = permission.check(principalOf(req), expressRequestFacts(req));
    } catch (error) {
      next(error); // a custom rule that throws: Express's error handling, as for a route
      return;
    }
    if (decision.allowed) next();
    else writeRefusal(res, decision.status, decision.headers, decision.body);
  };
  return Object.assign(middleware, { rule: permission.rule });
}
