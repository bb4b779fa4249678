// Hono 4 on @hono/node-server with Gatehouse's Hono middleware (src/adapters/hono.ts).

import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { gatehouseMiddleware } from '../../src/adapters/hono.ts';
import { addHonoPostsRoute } from '../postsRoutes.ts';
import { listenAndAnnounce, serverArgs } from '../serverProcess.ts';
import { gatehouseCors } from '../workload.ts';

const { port, list } = serverArgs();
const app = new Hono();
app.use('*', gatehouseMiddleware({ cors: gatehouseCors(list), logger: false }));
addHonoPostsRoute(app);
listenAndAnnounce(createAdaptorServer({ fetch: app.fetch }) as Server, port);
