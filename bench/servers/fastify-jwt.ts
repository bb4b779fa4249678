// Authentication suite: Fastify 5 with @fastify/jwt (over fast-jwt), set up as its README shows: the
// plugin registered with the verifying key (a string secret for HS256, `{ public }` PEM for ES256 and
// EdDSA) and a global onRequest hook that awaits request.jwtVerify() and sends the error on failure.
// Like Gatehouse's issuer settings, it allows only the algorithm measured and only our issuer.
// Its verification cache (`verify: { cache }`) is off by default, and so here; see the report.

import fastifyJwt from '@fastify/jwt';
import Fastify from 'fastify';
import { authServerArgs, verifyingKey } from '../authWorkload.ts';
import { addFastifyPostsRoute } from '../postsRoutes.ts';
import { announceReady, HOST, serverArgs } from '../serverProcess.ts';

const { port } = serverArgs();
const { fixture, alg } = authServerArgs();
if (alg === 'apikey') {
  process.stdout.write('UNAVAILABLE @fastify/jwt verifies JWTs only\n');
  process.exit(0);
}
const app = Fastify();
const key = verifyingKey(fixture, alg);
await app.register(fastifyJwt, {
  secret: alg === 'HS256' ? key : { public: key },
  verify: { algorithms: [alg], allowedIss: fixture.issuer },
});
app.addHook('onRequest', async (request, reply) => {
  try {
    await request.jwtVerify();
  } catch (err) {
    reply.send(err);
  }
});
addFastifyPostsRoute(app);
await app.listen({ port, host: HOST });
announceReady(port);
