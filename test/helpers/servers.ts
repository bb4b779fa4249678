// Starts the test app behind each adapter on a real loopback port. Every adapter serves the same app
// (testAppResponse) through a catch-all route, so the framework's own routing, 404 and error handling
// all run; only the way the app is mounted differs.

import { createServer, METHODS, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import express from 'express';
import express4 from 'express4';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { gatehouseMiddleware as expressGatehouse } from '../../src/adapters/express.ts';
import { gatehousePlugin } from '../../src/adapters/fastify.ts';
import { withGatehouse as withFetchGatehouse } from '../../src/adapters/fetch.ts';
import { gatehouseMiddleware as honoGatehouse } from '../../src/adapters/hono.ts';
import { gatehouseMiddleware as koaGatehouse } from '../../src/adapters/koa.ts';
import { withGatehouse as withNodeGatehouse } from '../../src/adapters/node-http.ts';
import type { CorsSettings } from '../../src/cors/settings.ts';
import type { GatehouseOptions } from '../../src/gatehouse.ts';
import type { Logger } from '../../src/logger.ts';
import { testAppResponse } from './testApp.ts';

export const ADAPTERS = ['node', 'fetch', 'express', 'express4', 'fastify', 'koa', 'hono'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

export interface TestServer {
  readonly url: string;
  readonly port: number;
  handlerCalls(): number;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger | false;
}

/** A server that is not listening yet, or (Fastify) one that listens by itself. */
type Started = { server: Server } | { listen(): Promise<number>; close(): Promise<void> };

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

/** The test app on one adapter; `called` counts the route handler's runs. */
async function build(adapter: AdapterName, options: GatehouseOptions, called: () => void): Promise<Started> {
  switch (adapter) {
    case 'node':
      return {
        server: createServer(
          withNodeGatehouse((req, res) => {
            called();
            const answer = testAppResponse(req.method ?? 'GET', (req.url ?? '/').split('?')[0]!);
            res.writeHead(answer.status, answer.headers);
            res.end(answer.body);
          }, options),
        ),
      };
    case 'fetch': {
      const fetchHandler = withFetchGatehouse((request) => {
        called();
        const answer = testAppResponse(request.method, new URL(request.url).pathname);
        return new Response(answer.body, { status: answer.status, headers: answer.headers });
      }, options);
      return { server: createAdaptorServer({ fetch: fetchHandler }) as Server };
    }
    case 'express':
    case 'express4': {
      const app = adapter === 'express' ? express() : express4();
      // finalhandler prints every thrown error's stack unless the app's env is 'test'.
      app.set('env', 'test');
      app.use(expressGatehouse(options));
      app.all(/.*/, (req, res) => {
        called();
        const answer = testAppResponse(req.method, req.path);
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
      app.all('*', (request, reply) => {
        called();
        const answer = testAppResponse(request.method, request.url.split('?')[0]!);
        reply.code(answer.status).headers(answer.headers).send(answer.body);
      });
      return {
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
      const app = new Koa();
      // Koa logs every thrown error to stderr unless silent.
      app.silent = true;
      app.use(koaGatehouse(options));
      app.use((ctx) => {
        called();
        const answer = testAppResponse(ctx.method, ctx.path);
        ctx.status = answer.status;
        ctx.set(answer.headers);
        ctx.body = answer.body;
      });
      return { server: createServer(app.callback()) };
    }
    case 'hono': {
      const app = new Hono();
      // Hono's default onError, less its console.error of every thrown error.
      app.onError((_error, c) => c.text('Internal Server Error', 500));
      app.use('*', honoGatehouse(options));
      app.all('*', (c) => {
        called();
        const answer = testAppResponse(c.req.method, new URL(c.req.url).pathname);
        return new Response(answer.body, { status: answer.status, headers: answer.headers });
      });
      return { server: createAdaptorServer({ fetch: app.fetch }) as Server };
    }
  }
}

export async function startTestServer(adapter: AdapterName, cors: CorsSettings, options: StartOptions = {}): Promise<TestServer> {
  let calls = 0;
  const started = await build(adapter, { cors, logger: options.logger ?? false }, () => calls++);
  const port = 'server' in started ? await listen(started.server) : await started.listen();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    handlerCalls: () => calls,
    close: () => ('server' in started ? closeServer(started.server) : started.close()),
  };
}
