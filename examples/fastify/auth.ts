// Fastify with authentication and a rule declared on a route; test/examples serves it.
import Fastify from 'fastify';
import { gatehousePlugin } from 'gatehouse/fastify';

const app = Fastify();
// CORS, then authentication and the `permissions` table (none here: every route needs a caller).
await app.register(gatehousePlugin, {
  cors: { allowedOrigins: ['https://app.example.com'], allowCredentials: true },
  auth: { jwt: { issuers: [{ issuer: 'https://auth.example.com', algorithms: ['HS256'], secret: process.env.JWT_SECRET! }] } },
});
app.get('/api/me', async (request) => ({ subject: request.principal?.subject }));
app.post('/api/posts', { config: { permission: 'posts:write' } }, async (request, reply) => {
  return reply.code(201).send({ author: request.principal?.subject });
});

export default app;
