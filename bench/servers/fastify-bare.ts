// Fastify 5 without CORS.

import Fastify from 'fastify';
import { addFastifyPostsRoute } from '../postsRoutes.ts';
import { announceReady, HOST, serverArgs } from '../serverProcess.ts';

const { port } = serverArgs();
const app = addFastifyPostsRoute(Fastify());
await app.listen({ port, host: HOST });
announceReady(port);
