// Hono with authentication and a rule declared on a route; test/examples serves it.
import { Hono } from 'hono';
import { createGatehouse } from 'gatehouse';
import { gatehouseMiddleware, requirePermission, type GatehouseEnv } from 'gatehouse/hono';

// One Gatehouse for the middleware and the route rules.
const gatehouse = createGatehouse({
  cors: { allowedOrigins: ['https://app.example.com'], allowCredentials: true },
  auth: { jwt: { issuers: [{ issuer: 'https://auth.example.com', algorithms: ['HS256'], secret: process.env.JWT_SECRET! }] } },
});

const app = new Hono<GatehouseEnv>();
// CORS, then authentication and the `permissions` table (none here: every route needs a caller).
app.use('*', gatehouseMiddleware(gatehouse));
app.get('/api/me', (c) => c.json({ subject: c.get('principal')?.subject }));
app.post('/api/posts', requirePermission('posts:write', gatehouse), (c) => c.json({ author: c.get('principal')?.subject }, 201));

export default app;
