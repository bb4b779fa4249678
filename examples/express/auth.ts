// Express with authentication and a rule declared on a route; test/examples serves it.
import express from 'express';
import { createGatehouse } from 'gatehouse';
import { gatehouseMiddleware, requirePermission } from 'gatehouse/express';

// One Gatehouse for the middleware and the route rules.
const gatehouse = createGatehouse({
  cors: { allowedOrigins: ['https://app.example.com'], allowCredentials: true },
  auth: { jwt: { issuers: [{ issuer: 'https://auth.example.com', algorithms: ['HS256'], secret: process.env.JWT_SECRET! }] } },
});

const app = express();
// CORS, then authentication and the `permissions` table (none here: every route needs a caller).
app.use(gatehouseMiddleware(gatehouse));
app.get('/api/me', (req, res) => {
  res.json({ subject: req.principal?.subject });
});
app.post('/api/posts', requirePermission('posts:write', gatehouse), (req, res) => {
  res.status(201).json({ author: req.principal?.subject });
});

export default app;
