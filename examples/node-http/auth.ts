// node:http with authentication and a rule declared on a route; test/examples serves it.
import { createServer, type ServerResponse } from 'node:http';
import { createGatehouse } from 'gatehouse';
import { principalOf, requirePermission, withGatehouse } from 'gatehouse/node';

// One Gatehouse for the wrapper and the route rules.
const gatehouse = createGatehouse({
  cors: { allowedOrigins: ['https://app.example.com'], allowCredentials: true },
  auth: { jwt: { issuers: [{ issuer: 'https://auth.example.com', algorithms: ['HS256'], secret: process.env.JWT_SECRET! }] } },
});

const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
const createPost = requirePermission('posts:write', (req, res) => json(res, 201, { author: principalOf(req)?.subject }), gatehouse);

// CORS, then authentication and the `permissions` table (none here: every route needs a caller).
const server = createServer(
  withGatehouse((req, res) => {
    const path = req.url?.split('?')[0];
    if (req.method === 'GET' && path === '/api/me') return json(res, 200, { subject: principalOf(req)?.subject });
    if (req.method === 'POST' && path === '/api/posts') return createPost(req, res);
    return json(res, 404, { error: 'not found' });
  }, gatehouse),
);

export default server;
