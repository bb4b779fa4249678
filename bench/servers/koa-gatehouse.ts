// Koa 3 with Gatehouse's Koa middleware (src/adapters/koa.ts).

import { createServer } from 'node:http';
import Koa from 'koa';
import { gatehouseMiddleware } from '../../src/adapters/koa.ts';
import { koaPostsMiddleware } from '../postsRoutes.ts';
import { listenAndAnnounce, serverArgs } from '../serverProcess.ts';
import { gatehouseCors } from '../workload.ts';

const { port, list } = serverArgs();
const app = new Koa();
app.use(gatehouseMiddleware({ cors: gatehouseCors(list), logger: false }));
app.use(koaPostsMiddleware);
listenAndAnnounce(createServer(app.callback()), port);
