// Express 5 with Gatehouse's Express adapter (src/adapters/express.ts).

import { createServer } from 'node:http';
import express from 'express';
import { gatehouseMiddleware } from '../../src/adapters/express.ts';
import { addExpressPostsRoute } from '../postsRoutes.ts';
import { listenAndAnnounce, serverArgs } from '../serverProcess.ts';
import { gatehouseCors } from '../workload.ts';

const { port, list } = serverArgs();
const app = express();
app.use(gatehouseMiddleware({ cors: gatehouseCors(list), logger: false }));
listenAndAnnounce(createServer(addExpressPostsRoute(app)), port);
