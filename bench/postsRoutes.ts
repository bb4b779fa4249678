// GET /api/posts/1 answering {"id":1,"title":"hello"}, written in each framework's own idiom, so the
// bare, peer and Gatehouse variants of one framework serve exactly the same app.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';
import type { FastifyInstance } from 'fastify';
import type { Hono } from 'hono';
import type { Middleware } from 'koa';
import { POST, POST_JSON, ROUTE } from './workload.ts';

const CONTENT_LENGTH = Buffer.byteLength(POST_JSON);

export function nodePostsHandler(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === ROUTE && req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': CONTENT_LENGTH });
    res.end(POST_JSON);
    return;
  }
  res.writeHead(404, { 'content-length': 0 });
  res.end();
}

export function addExpressPostsRoute(app: Express): Express {
  app.get(ROUTE, (_req, res) => {
    res.json(POST);
  });
  return app;
}

export function addFastifyPostsRoute(app: FastifyInstance): FastifyInstance {
  app.get(ROUTE, async () => POST);
  return app;
}

/** Koa has no router of its own (koa-router is a separate package): match the path by hand. */
export const koaPostsMiddleware: Middleware = (ctx) => {
  if (ctx.path === ROUTE && ctx.method === 'GET') ctx.body = POST;
};

export function addHonoPostsRoute(app: Hono): Hono {
  app.get(ROUTE, (c) => c.json(POST));
  return app;
}
