// Authentication suite: Fastify 5 with Gatehouse's Fastify plugin (gatehousePlugin), configured for
// the algorithm in BENCH_AUTH_ALG (see bench/authGatehouseOptions.ts).

import Fastify from 'fastify';
import { gatehousePlugin } from '../../src/adapters/fastify.ts';
import { gatehouseAuthOptions } from '../authGatehouseOptions.ts';
import { authServerArgs } from '../authWorkload.ts';
import { addFastifyPostsRoute } from '../postsRoutes.ts';
import { announceReady, HOST, serverArgs } from '../serverProcess.ts';

const { port } = serverArgs();
const { fixture, alg } = authServerArgs();
const app = Fastify();
await app.register(gatehousePlugin, gatehouseAuthOptions(fixture, alg));
addFastifyPostsRoute(app);
await app.listen({ port, host: HOST });
announceReady(port);
