// A Fetch API handler with Gatehouse, served on Node by @hono/node-server. Run: node --import tsx examples/fetch/app.ts
// Try:  curl -i -H 'Origin: https://app.example.com' http://127.0.0.1:3000/api/items
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { withGatehouse } from 'gatehouse/fetch';

// The handler runs only when Gatehouse has not answered (preflights and strict refusals it answers).
const fetchHandler = withGatehouse(
  (request) => {
    const found = request.method === 'GET' && new URL(request.url).pathname === '/api/items';
    return found ? Response.json([{ id: 1, name: 'first' }]) : Response.json({ error: 'not found' }, { status: 404 });
  },
  { cors: { allowedOrigins: ['https://app.example.com'], allowCredentials: true } },
);

// Bun, Deno and Cloudflare Workers serve this object itself.
export default { fetch: fetchHandler };

export function start(port: number): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: fetchHandler, port, hostname: '127.0.0.1' }, (info) => {
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { url } = await start(Number(process.env.PORT ?? 3000));
  console.log(`listening on ${url}`);
}
