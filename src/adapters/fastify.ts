// Fastify 5 adapter: a plugin, `await fastify.register(gatehousePlugin, { cors: {...} })`. The options
// are validated when the plugin registers (a ConfigError fails register/ready, never a request), and
// Gatehouse logs through `fastify.log` unless a logger is given.
//
// Fastify quirks, and where they are handled:
// - fastify-plugin lifts the hooks out of the plugin's encapsulation context, so they run for every
//   route, for the 404 handler and for OPTIONS requests Fastify has no route for (it would 404 them):
//   a preflight is answered in onRequest, before body parsing, validation and any handler.
// - The gate's headers go on where the head is written, reply.raw.writeHead (as in the node:http
//   adapter, keepResponseHeaders): every reply passes there (preflights and refusals sent from
//   onRequest, errors, 404s, streams, and hijacked replies that write reply.raw themselves), after the
//   route and any error handler set theirs (Vary above all), so nothing a handler did can widen them.
//   An onSend hook would do the same at about three times the cost: Fastify skips its hook runner
//   when no onSend hook is registered.
// - Proxies: with Gatehouse's own `proxy` setting, the client's address, protocol and host come from
//   the socket and the trusted proxies' headers, whatever `trustProxy` says. Without it, Gatehouse
//   follows Fastify: with `trustProxy`, request.protocol, request.host and request.ip follow the
//   X-Forwarded-* headers (for strict mode's own origin, CSRF, HSTS and API keys bound to networks).
// - The engine is `fastify.gatehouse` (a decorator), for protectUpgrades(app.server, app.gatehouse).
//
// Authentication runs in onRequest too, after the CORS decision: a refusal ends the request there.
// The Principal of an allowed request is `request.principal` (decorateRequest), and
// `principalOf(request.raw)`; the resolved client `clientOf(request.raw)`. A route declares a rule in code with `config: { permission: 'posts:write' }`:
// - onRoute parses it when the route is added, so a bad rule, or a Gatehouse without `auth`, fails
//   register/ready;
// - a preHandler hook checks it. Like onRequest, and unlike onRoute, a hook of the plugin also runs for
//   routes added before the plugin was registered: their rule is parsed on first use instead, and a
//   problem with it is a 500, never an unchecked route.

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { accessRequestOf, type AccessDecision } from '../access/accessEngine.ts';
import { principalOf, setPrincipal } from '../access/requestPrincipal.ts';
import type { Principal } from '../auth/principal.ts';
import { createGatehouse, isGatehouse, type Gatehouse, type GatehouseOptions } from '../gatehouse.ts';
import { rememberFacts, type RequestFacts } from '../https/requestFacts.ts';
import type { ProxyTrust } from '../https/trustedProxies.ts';
import type { Rule } from '../permissions/rule.ts';
import { frameworkRequestFacts, keepResponseHeaders, nodeRequestFactsAt } from './node-http.ts';
import { requestGate, type GateDecision } from './requestGate.ts';
import { routePermission, type RoutePermission } from './routePermission.ts';

export { principalOf } from '../access/requestPrincipal.ts';
export { clientOf, type ResolvedClient } from '../https/requestFacts.ts';
export { protectUpgrades, redirectToHttps } from './node-http.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Gatehouse the plugin uses: for protectUpgrades(app.server, app.gatehouse) and requirePermission. */
    gatehouse: Gatehouse;
  }
  interface FastifyRequest {
    /** The authenticated caller, set by Gatehouse in onRequest; undefined for anonymous requests. */
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /** A rule this route declares in code (a Rule, or the string form), checked after authentication. */
    permission?: Rule | string;
  }
}

export type GatehousePluginOptions = GatehouseOptions | Gatehouse;

/** Gatehouse's `proxy` decides when set; otherwise Fastify's `trustProxy` (request.protocol, host, ip) does. */
export function fastifyRequestFacts(request: FastifyRequest, proxy?: ProxyTrust): RequestFacts {
  if (proxy?.configured === true) return nodeRequestFactsAt(request.raw, request.url, proxy);
  return frameworkRequestFacts(request.raw, request.url, request.protocol === 'https', request.host, request.ip);
}

/** Gatehouse's refusal (401, 403, 503); the gate's headers go on at writeHead, as on any reply. */
function refuse(reply: FastifyReply, refusal: Extract<AccessDecision, { allowed: false }>): void {
  reply.code(refusal.status);
  for (const [name, value] of refusal.headers) reply.header(name, value);
  // As bytes: Fastify appends `; charset=utf-8` to a string's Content-Type, and problem+json has no
  // charset parameter (RFC 8259 §11); the other adapters send the type as the engine wrote it.
  reply.send(Buffer.from(refusal.body));
}

const gatehouse: FastifyPluginAsync<GatehousePluginOptions> = async (fastify, options) => {
  const engine = isGatehouse(options) ? options : createGatehouse({ ...options, logger: options.logger ?? fastify.log });
  const { access, proxy } = engine;
  const gate = requestGate(engine);
  if (!fastify.hasRequestDecorator('principal')) fastify.decorateRequest('principal', undefined);
  if (!fastify.hasDecorator('gatehouse')) fastify.decorate('gatehouse', engine);

  const authenticate = (facts: RequestFacts, request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    if (access === undefined) {
      done();
      return;
    }
    access.check(accessRequestOf(facts, facts.clientIp)).then((decision) => {
      // Replying from a callback-style onRequest hook without calling done ends the lifecycle.
      if (!decision.allowed) return refuse(reply, decision);
      request.principal = decision.principal;
      setPrincipal(request.raw, decision.principal);
      done();
    }, done);
  };

  const write = (decision: GateDecision, facts: RequestFacts, request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    keepResponseHeaders(decision, reply.raw);
    if (!decision.respond) {
      authenticate(facts, request, reply, done);
      return;
    }
    // Replying from a callback-style onRequest hook ends the lifecycle: no route handler runs.
    reply.code(decision.status);
    for (const [name, value] of decision.headers) reply.header(name, value);
    // A problem+json body as bytes, for the same reason as in refuse().
    reply.send(decision.body === '' ? undefined : decision.answeredBy === 'cors' ? decision.body : Buffer.from(decision.body));
  };

  fastify.addHook('onRequest', (request, reply, done) => {
    let facts: RequestFacts;
    let decision: GateDecision | Promise<GateDecision>;
    try {
      facts = fastifyRequestFacts(request, proxy);
      rememberFacts(request.raw, facts);
      decision = gate.decide(facts);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (decision instanceof Promise) decision.then((d) => write(d, facts, request, reply, done), done);
    else write(decision, facts, request, reply, done);
  });

  // By the `config.permission` value: one parse per rule, however many routes share it.
  const permissions = new Map<Rule | string, RoutePermission>();
  const permissionOf = (rule: Rule | string, method: string | readonly string[], url: string): RoutePermission => {
    let permission = permissions.get(rule);
    if (permission === undefined) {
      const setting = `config.permission of ${[method].flat().join(',')} ${url}`;
      permission = routePermission(engine, rule, setting, `${setting} (${JSON.stringify(typeof rule === 'string' ? rule : rule.source)})`);
      permissions.set(rule, permission);
    }
    return permission;
  };

  fastify.addHook('onRoute', (route) => {
    if (route.config?.permission !== undefined) permissionOf(route.config.permission, route.method, route.url);
  });

  fastify.addHook('preHandler', (request, reply, done) => {
    const { config, method, url } = request.routeOptions;
    if (config?.permission === undefined) {
      done();
      return;
    }
    let decision: AccessDecision;
    try {
      decision = permissionOf(config.permission, method, url ?? request.url).check(principalOf(request.raw), fastifyRequestFacts(request));
    } catch (error) {
      done(error as Error);
      return;
    }
    if (decision.allowed) done();
    else refuse(reply, decision);
  });
};

/** `await fastify.register(gatehousePlugin, { cors: {...} })`, or pass a shared Gatehouse as the options. */
export const gatehousePlugin = fastifyPlugin(gatehouse, { fastify: '5.x', name: 'gatehouse' });
export default gatehousePlugin;
