// A Fetch API handler with authentication and a rule declared on a route; test/examples serves it.
import { createGatehouse } from 'gatehouse';
import { requirePermission, withGatehouse } from 'gatehouse/fetch';

// One Gatehouse for the wrapper and the route rules.
const gatehouse = createGatehouse({
  cors: { allowedOrigins: ['https://app.example.com'], allowCredentials: true },
  auth: { jwt: { issuers: [{ issuer: 'https://auth.example.com', algorithms: ['HS256'], secret: process.env.JWT_SECRET! }] } },
});

const createPost = requirePermission('posts:write', (_request, { principal }) => Response.json({ author: principal?.subject }, { status: 201 }), gatehouse);

// CORS, then authentication and the `permissions` table (none here: every route needs a caller).
const fetchHandler = withGatehouse((request, context) => {
  const path = new URL(request.url).pathname;
  if (request.method === 'GET' && path === '/api/me') return Response.json({ subject: context.principal?.subject });
  if (request.method === 'POST' && path === '/api/posts') return createPost(request, context);
  return Response.json({ error: 'not found' }, { status: 404 });
}, gatehouse);

export default { fetch: fetchHandler };
