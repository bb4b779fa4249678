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
//   mode recognises the API's own origin behind a proxy.

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { CorsDecision, CorsRequest } from '../cors/corsEngine.ts';
import { createGatehouse, isGatehouse, type Gatehouse, type GatehouseOptions } from '../gatehouse.ts';
import { nodeRequestFacts } from './node-http.ts';
import { requestPath } from './requestPath.ts';
import { applyCorsHeaders, type HeaderTarget } from './responseHeaders.ts';

export type GatehousePluginOptions = GatehouseOptions | Gatehouse;

export function fastifyRequestFacts(request: FastifyRequest): CorsRequest {
  return {
    ...nodeRequestFacts(request.raw),
    path: requestPath(request.url),
    secure: request.protocol === 'https',
    host: request.host === '' ? undefined : request.host,
  };
}

function replyHeaderTarget(reply: FastifyReply): HeaderTarget {
  return {
    get: (name) => {
      const value = reply.getHeader(name);
      return value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : String(value);
    },
    set: (name, value) => void reply.header(name, value),
    delete: (name) => void reply.removeHeader(name),
  };
}

const gatehouse: FastifyPluginAsync<GatehousePluginOptions> = async (fastify, options) => {
  const { cors } = isGatehouse(options) ? options : createGatehouse({ ...options, logger: options.logger ?? fastify.log });
  const decisions = new WeakMap<FastifyRequest, CorsDecision>();

  const write = (decision: CorsDecision, request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    decisions.set(request, decision);
    applyCorsHeaders(decision, replyHeaderTarget(reply));
    if (!decision.respond) {
      done();
      return;
    }
    // Replying from a callback-style onRequest hook ends the lifecycle: no route handler runs.
    reply.code(decision.status).send(decision.body === '' ? undefined : decision.body);
  };

  fastify.addHook('onRequest', (request, reply, done) => {
    const decision = cors.decide(fastifyRequestFacts(request));
    if (decision instanceof Promise) decision.then((d) => write(d, request, reply, done), done);
    else write(decision, request, reply, done);
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
