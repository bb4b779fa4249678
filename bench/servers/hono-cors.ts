// Hono 4 with hono/cors. Given an array, hono/cors calls `origins.includes(origin)` (a linear scan);
// it takes no RegExp, so the regex lists go in as a function (peerOriginPredicate).

import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { addHonoPostsRoute } from '../postsRoutes.ts';
import { listenAndAnnounce, serverArgs } from '../serverProcess.ts';
import { peerOriginPredicate, peerOrigins, POLICY } from '../workload.ts';

const { port, list } = serverArgs();
const origins = peerOrigins(list);
const allowed = peerOriginPredicate(list);
const app = new Hono();
app.use(
  '*',
  cors({
    origin: origins[0] instanceof RegExp ? (origin) => (allowed(origin) ? origin : null) : (origins as string[]),
    credentials: POLICY.credentials,
    allowMethods: POLICY.methods,
    allowHeaders: POLICY.allowHeaders,
    exposeHeaders: POLICY.exposeHeaders,
    maxAge: POLICY.maxAge,
  }),
);
addHonoPostsRoute(app);
listenAndAnnounce(createAdaptorServer({ fetch: app.fetch }) as Server, port);
