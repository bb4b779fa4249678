// Fastify 5 adapter: a plugin, `await fastify.register(gatehousePlugin, { cors: {...} })`. The options
// are validated when the plugin registers (a ConfigError fails register/ready, never a request), and
// Gatehouse logs through `fastify.log` unless a logger is given.
//
// Fastify quirks, and where they are handled:
// - fastify-plugin lifts the hooks out of the plugin's encapsulation context, so they run for every
//   route, for the 404 handler and for OPTIONS requests Fastify has no route for (it would 404 them):
//   a preflight is answered in onRequest, before body parsing, validation and any handler.
// - An error handler or route may replace or remove headers set in onRequest (Vary above all), so
//   onSend, which runs for every reply Fastify sends (errors and streams included), applies them again.
// - A hijacked reply (reply.hijack(), reply.raw.writeHead) bypasses onSend: it writes its own headers.
// - With `trustProxy`, request.protocol and request.host follow X-Forwarded-Proto/-Host, so strict
//   mode recognises the API's own origin behind a proxy, and request.ip is the client's address for
//   API keys bound to networks.
//
// Authentication runs in onRequest too, after the CORS decision: a refusal ends the request there.
// The Principal of an allowed request is `request.principal` (decorateRequest), and
// `principalOf(request.raw)`. A route declares a rule in code with `config: { permission: 'posts:write' }`:
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
import type { CorsDecision, CorsRequest } from '../cors/corsEngine.ts';
import { createGatehouse, isGatehouse, type Gatehouse, type GatehouseOptions } from '../gatehouse.ts';
import type { Rule } from '../permissions/rule.ts';
import { nodeRequestFacts } from './node-http.ts';
import { requestPath } from './requestPath.ts';
import { applyCorsHeaders, type HeaderTarget } from './responseHeaders.ts';
import { routePermission, type RoutePermission } from './routePermission.ts';

export { principalOf } from '../access/requestPrincipal.ts';

declare module 'fastify' {
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

export function fastifyRequestFacts(request: FastifyRequest): CorsRequest {
  return {
    ...nodeRequestFacts(request.raw),
    path: requestPath(request.url),
    secure: request.protocol === 'https',
    host: request.host === '' ? undefined : request.host,
  };
}

// A class, not an object of arrow functions: see node-http.ts on per-request functions under tsx.
class ReplyHeaderTarget implements HeaderTarget {
  constructor(private readonly reply: FastifyReply) {}
  get(name: string): string | undefined {
    const value = this.reply.getHeader(name);
    return value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : String(value);
  }
  set(name: string, value: string): void {
    this.reply.header(name, value);
  }
  delete(name: string): void {
    this.reply.removeHeader(name);
  }
}

function replyHeaderTarget(reply: FastifyReply): HeaderTarget {
  return new ReplyHeaderTarget(reply);
}

/** Gatehouse's refusal (401, 403, 503); onSend puts the CORS headers on it like on any reply. */
function refuse(reply: FastifyReply, refusal: Extract<AccessDecision, { allowed: false }>): void {
  reply.code(refusal.status);
  for (const [name, value] of refusal.headers) reply.header(name, value);
  // As bytes: Fastify appends `; charset=utf-8` to a string's Content-Type, and problem+json has no
  // charset parameter (RFC 8259 §11); the other adapters send the type as the engine wrote it.
  reply.send(Buffer.from(refusal.body));
}

const gatehouse: FastifyPluginAsync<GatehousePluginOptions> = async (fastify, options) => {
  const engine = isGatehouse(options) ? options : createGatehouse({ ...options, logger: options.logger ?? fastify.log });
  const { cors, access } = engine;
  const decisions = new WeakMap<FastifyRequest, CorsDecision>();

  if (!fastify.hasRequestDecorator('principal')) fastify.decorateRequest('principal', undefined);

  const authenticate = (facts: CorsRequest, request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    if (access === undefined) {
      done();
      return;
    }
    access.check(accessRequestOf(facts, request.ip === '' ? undefined : request.ip)).then((decision) => {
      // Replying from a callback-style onRequest hook without calling done ends the lifecycle.
      if (!decision.allowed) return refuse(reply, decision);
      request.principal = decision.principal;
      setPrincipal(request.raw, decision.principal);
      done();
    }, done);
  };

  const write = (decision: CorsDecision, facts: CorsRequest, request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    decisions.set(request, decision);
    applyCorsHeaders(decision, replyHeaderTarget(reply));
    if (!decision.respond) {
      authenticate(facts, request, reply, done);
      return;
    }
    // Replying from a callback-style onRequest hook ends the lifecycle: no route handler runs.
    reply.code(decision.status).send(decision.body === '' ? undefined : decision.body);
  };

  fastify.addHook('onRequest', (request, reply, done) => {
    const facts = fastifyRequestFacts(request);
    const decision = cors.decide(facts);
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

  fastify.addHook('onSend', (request, reply, payload, done) => {
    const decision = decisions.get(request);
    if (decision !== undefined) applyCorsHeaders(decision, replyHeaderTarget(reply));
    done(null, payload);
  });
};

/** `await fastify.register(gatehousePlugin, { cors: {...} })`, or pass a shared Gatehouse as the options. */
export const gatehousePlugin = fastifyPlugin(gatehouse, { fastify: '5.x', name: 'gatehouse' });
export default gatehousePlugin;
