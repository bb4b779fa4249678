// Starts the test app behind each adapter on a real loopback port. Every adapter serves the same app
// (testAppResponse) through a catch-all route, so the framework's own routing, 404 and error handling
// all run; only the way the app is mounted differs. With auth or permissions in the options, the app
// also declares CODE_ROUTES' rules in code, each framework its own way, and echoes the Principal its
// handler sees the framework's own way. With `webSocket`, the server's upgrades go through
// protectUpgrades (the engine's Origin check) to a minimal RFC 6455 handshake.

import { createHash } from 'node:crypto';
import { createServer, METHODS, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createAdaptorServer } from '@hono/node-server';
import express from 'express';
import express4 from 'express4';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { gatehouseMiddleware as expressGatehouse, requirePermission as expressRequirePermission } from '../../src/adapters/express.ts';
import { gatehousePlugin } from '../../src/adapters/fastify.ts';
import { clientOf, principalOf, requirePermission as fetchRequirePermission, withGatehouse as withFetchGatehouse, type FetchHandler } from '../../src/adapters/fetch.ts';
import { gatehouseMiddleware as honoGatehouse, requirePermission as honoRequirePermission, type GatehouseEnv } from '../../src/adapters/hono.ts';
import { gatehouseMiddleware as koaGatehouse, requirePermission as koaRequirePermission, type GatehouseState } from '../../src/adapters/koa.ts';
import { protectUpgrades, requirePermission as nodeRequirePermission, withGatehouse as withNodeGatehouse, type NodeHandler } from '../../src/adapters/node-http.ts';
import type { CorsSettings } from '../../src/cors/settings.ts';
import { createGatehouse, type Gatehouse, type GatehouseOptions } from '../../src/gatehouse.ts';
import { CODE_ROUTES, testAppResponse } from './testApp.ts';

export const ADAPTERS = ['node', 'fetch', 'express', 'express4', 'fastify', 'koa', 'hono'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

export interface TestServer {
  readonly url: string;
  readonly port: number;
  handlerCalls(): number;
  /** Upgrades that passed protectUpgrades and were answered 101 (with `webSocket`). */
  upgradesAccepted(): number;
  close(): Promise<void>;
}

export interface ServerExtras {
  /** Guard the server's upgrades with protectUpgrades, in front of a minimal WebSocket handshake. */
  readonly webSocket?: boolean;
}

/** Every Gatehouse option but `cors` (the second argument): logger, auth, permissions, defaultRule... */
export type StartOptions = Omit<GatehouseOptions, 'cors'>;

/** A server that is not listening yet, or (Fastify) one that listens by itself. */
type Started = { server: Server } | { server: Server; gatehouse: Gatehouse; listen(): Promise<number>; close(): Promise<void> };

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** RFC 6455 §4.2.2: the server's handshake answer, then nothing (the client closes). */
function acceptWebSocket(req: IncomingMessage, socket: Duplex): void {
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string') {
    socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  const accept = createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
}

/** Listens on a free loopback port and resolves with that port. */
export function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** A handler for the path: the CODE_ROUTES entry's guarded one when the path has one, else the plain one. */
function route<H>(guarded: readonly (readonly [RegExp, H])[], plain: H, path: string): H {
  return guarded.find(([pattern]) => pattern.test(path))?.[1] ?? plain;
}

/**
 * The test app on one adapter; `called` counts the route handler's runs. `shared` is the Gatehouse
 * built from `options` when they configure access (requirePermission needs it); the adapters are then
 * given it, except Fastify, which builds its own from the options as an app usually lets it.
 */
async function build(adapter: AdapterName, options: GatehouseOptions, shared: Gatehouse | undefined, called: () => void): Promise<Started> {
  const given = shared ?? options;
  // The rules declared in code need access (auth or permissions) in the shared Gatehouse.
  const ruled = shared?.access === undefined ? undefined : shared;
  switch (adapter) {
    case 'node': {
      const plain: NodeHandler = (req, res) => {
        called();
        const answer = testAppResponse(req.method ?? 'GET', (req.url ?? '/').split('?')[0]!, { exposed: principalOf(req), stored: principalOf(req) }, clientOf(req));
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      };
      const guarded = ruled === undefined ? [] : CODE_ROUTES.map((r) => [r.pattern, nodeRequirePermission(r.rule, plain, ruled)] as const);
      return { server: createServer(withNodeGatehouse((req, res) => route(guarded, plain, (req.url ?? '/').split('?')[0]!)(req, res), given)) };
    }
    case 'fetch': {
      const plain: FetchHandler = (request, { principal }) => {
        called();
        const answer = testAppResponse(request.method, new URL(request.url).pathname, { exposed: principal, stored: principalOf(request) }, clientOf(request));
        return new Response(answer.body, { status: answer.status, headers: answer.headers });
      };
      const guarded = ruled === undefined ? [] : CODE_ROUTES.map((r) => [r.pattern, fetchRequirePermission(r.rule, plain, ruled)] as const);
      const fetchHandler = withFetchGatehouse((request, context) => route(guarded, plain, new URL(request.url).pathname)(request, context), given);
      return { server: createAdaptorServer({ fetch: fetchHandler }) as Server };
    }
    case 'express':
    case 'express4': {
      const app = adapter === 'express' ? express() : express4();
      // finalhandler prints every thrown error's stack unless the app's env is 'test'.
      app.set('env', 'test');
      app.use(expressGatehouse(given));
      // A rule middleware calls next() when it allows: the catch-all below then answers.
      if (ruled !== undefined) for (const r of CODE_ROUTES) app.all(r.pattern, expressRequirePermission(r.rule, ruled));
      app.all(/.*/, (req, res) => {
        called();
        const answer = testAppResponse(req.method, req.path, { exposed: req.principal, stored: principalOf(req) }, clientOf(req));
        res.status(answer.status).set(answer.headers).send(answer.body);
      });
      return { server: createServer(app) };
    }
    case 'fastify': {
      const app = Fastify({ logger: false });
      // Fastify routes only the methods it knows (no PURGE, for one): teach it every method node parses.
      for (const method of METHODS) if (method !== 'CONNECT' && !app.supportedMethods.includes(method)) app.addHttpMethod(method, { hasBody: true });
      // The test app never reads a body: Fastify's JSON parser would answer 400 to an empty JSON body.
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
      await app.register(gatehousePlugin, options);
      const handler = (request: FastifyRequest, reply: FastifyReply): void => {
        called();
        const answer = testAppResponse(request.method, request.url.split('?')[0]!, { exposed: request.principal, stored: principalOf(request.raw) }, clientOf(request.raw));
        reply.code(answer.status).headers(answer.headers).send(answer.body);
      };
      if (ruled !== undefined) for (const r of CODE_ROUTES) app.all(r.route, { config: { permission: r.rule } }, handler);
      app.all('*', handler);
      return {
        server: app.server,
        gatehouse: app.gatehouse,
        listen: async () => {
          await app.listen({ port: 0, host: '127.0.0.1' });
          return (app.server.address() as AddressInfo).port;
        },
        close: async () => {
          app.server.closeAllConnections();
          await app.close();
        },
      };
    }
    case 'koa': {
      const app = new Koa<GatehouseState>();
      // Koa logs every thrown error to stderr unless silent.
      app.silent = true;
      app.use(koaGatehouse(given));
      if (ruled !== undefined) {
        // What a router does: the route's middleware for its path, then the next one.
        const guarded = CODE_ROUTES.map((r) => [r.pattern, koaRequirePermission(r.rule, ruled)] as const);
        app.use((ctx, next) => {
          const guard = guarded.find(([pattern]) => pattern.test(ctx.path))?.[1];
          return guard === undefined ? next() : guard(ctx, next);
        });
      }
      app.use((ctx) => {
        called();
        const answer = testAppResponse(ctx.method, ctx.path, { exposed: ctx.state.principal, stored: principalOf(ctx.req) }, clientOf(ctx.req));
        ctx.status = answer.status;
        ctx.set(answer.headers);
        ctx.body = answer.body;
      });
      return { server: createServer(app.callback()) };
    }
    case 'hono': {
      const app = new Hono<GatehouseEnv>();
      // Hono's default onError, less its console.error of every thrown error.
      app.onError((_error, c) => c.text('Internal Server Error', 500));
      app.use('*', honoGatehouse(given));
      if (ruled !== undefined) for (const r of CODE_ROUTES) app.use(r.route, honoRequirePermission(r.rule, ruled));
      app.all('*', (c) => {
        called();
        const answer = testAppResponse(c.req.method, new URL(c.req.url).pathname, { exposed: c.get('principal'), stored: principalOf(c.req.raw) }, clientOf(c.req.raw));
        return new Response(answer.body, { status: answer.status, headers: answer.headers });
      });
      return { server: createAdaptorServer({ fetch: app.fetch }) as Server };
    }
  }
}

export async function startTestServer(adapter: AdapterName, cors: CorsSettings, options: StartOptions = {}, extras: ServerExtras = {}): Promise<TestServer> {
  let calls = 0;
  let upgrades = 0;
  const gatehouseOptions: GatehouseOptions = { ...options, cors, logger: options.logger ?? false };
  const wantsAccess = options.auth !== undefined || options.permissions !== undefined || options.defaultRule !== undefined;
  const shared = wantsAccess || extras.webSocket === true ? createGatehouse(gatehouseOptions) : undefined;
  const started = await build(adapter, gatehouseOptions, shared, () => calls++);
  // Upgraded sockets leave the server's connection list: close them with the server.
  const upgraded = new Set<Duplex>();
  if (extras.webSocket === true) {
    const engine = 'gatehouse' in started ? started.gatehouse : shared!;
    protectUpgrades(started.server, engine, (req, socket) => {
      upgrades++;
      upgraded.add(socket);
      socket.on('close', () => upgraded.delete(socket));
      acceptWebSocket(req, socket);
    });
  }
  const port = 'listen' in started ? await started.listen() : await listen(started.server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    handlerCalls: () => calls,
    upgradesAccepted: () => upgrades,
    close: () => {
      for (const socket of upgraded) socket.destroy();
      return 'listen' in started ? started.close() : closeServer(started.server);
    },
  };
}
