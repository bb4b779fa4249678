// Authentication suite: Express 5 with Gatehouse's Express adapter (gatehouseMiddleware), configured
// for the algorithm in BENCH_AUTH_ALG (see bench/authGatehouseOptions.ts).

import { createServer } from 'node:http';
import express from 'express';
import { gatehouseMiddleware } from '../../src/adapters/express.ts';
import { gatehouseAuthOptions } from '../authGatehouseOptions.ts';
import { authServerArgs } from '../authWorkload.ts';
import { addExpressPostsRoute } from '../postsRoutes.ts';
import { listenAndAnnounce, serverArgs } from '../serverProcess.ts';

const { port } = serverArgs();
const { fixture, alg } = authServerArgs();
const app = express();
app.use(gatehouseMiddleware(gatehouseAuthOptions(fixture, alg)));
listenAndAnnounce(createServer(addExpressPostsRoute(app)), port);
