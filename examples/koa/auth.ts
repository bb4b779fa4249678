// Koa with authentication and a rule declared on a route; test/examples serves it.
import Koa from 'koa';
import { createGatehouse } from 'gatehouse';
import { gatehouseMiddleware, requirePermission, type GatehouseState } from 'gatehouse/koa';

// One Gatehouse for the middleware and the route rules.
const gatehouse = createGatehouse({
  cors: { allowedOrigins: ['https://app.example.com'], allowCredentials: true },
  auth: { jwt: { issuers: [{ issuer: 'https://auth.example.com', algorithms: ['HS256'], secret: process.env.JWT_SECRET! }] } },
});

const app = new Koa<GatehouseState>();
// CORS, then authentication and the `permissions` table (none here: every route needs a caller).
app.use(gatehouseMiddleware(gatehouse));
// With @koa/router: router.post('/api/posts', canWrite, handler).
const canWrite = requirePermission('posts:write', gatehouse);
app.use(async (ctx, next) => {
  if (ctx.method === 'GET' && ctx.path === '/api/me') ctx.body = { subject: ctx.state.principal?.subject };
  else if (ctx.method === 'POST' && ctx.path === '/api/posts') {
    await canWrite(ctx, async () => {
      ctx.status = 201;
      ctx.body = { author: ctx.state.principal?.subject };
    });
  } else await next();
});

export default app;
