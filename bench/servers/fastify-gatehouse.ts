// Fastify 5 with Gatehouse's Fastify plugin (src/adapters/fastify.ts).

import Fastify from 'fastify';
import { gatehousePlugin } from '../../src/adapters/fastify.ts';
import { addFastifyPostsRoute } from '../postsRoutes.ts';
import { announceReady, HOST, serverArgs } from '../serverProcess.ts';
import { gatehouseCors } from '../workload.ts';

const { port, list } = serverArgs();
const app = Fastify();
await app.register(gatehousePlugin, { cors: gatehouseCors(list), logger: false });
addFastifyPostsRoute(app);
await app.listen({ port, host: HOST });
announceReady(port);
