// Hono 4 on @hono/node-server, without CORS.

import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { addHonoPostsRoute } from '../postsRoutes.ts';
import { listenAndAnnounce, serverArgs } from '../serverProcess.ts';

const { port } = serverArgs();
const app = addHonoPostsRoute(new Hono());
listenAndAnnounce(createAdaptorServer({ fetch: app.fetch }) as Server, port);
