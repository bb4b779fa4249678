// Fastify 5 with @fastify/cors. Given an array, it first looks for '*' in it (indexOf, the whole
// array on every request) and then tests every entry in turn (isRequestOriginAllowed): two linear
// scans per request.

import fastifyCors from '@fastify/cors';
import Fastify from 'fastify';
import { addFastifyPostsRoute } from '../postsRoutes.ts';
import { announceReady, HOST, serverArgs } from '../serverProcess.ts';
import { peerOrigins, POLICY } from '../workload.ts';

const { port, list } = serverArgs();
const app = Fastify();
await app.register(fastifyCors, {
  origin: peerOrigins(list),
  credentials: POLICY.credentials,
  methods: POLICY.methods,
  allowedHeaders: POLICY.allowHeaders,
  exposedHeaders: POLICY.exposeHeaders,
  maxAge: POLICY.maxAge,
});
addFastifyPostsRoute(app);
await app.listen({ port, host: HOST });
announceReady(port);
