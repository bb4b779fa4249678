// Hono with Gatehouse, served on Node by @hono/node-server. Run: node --import tsx examples/hono/app.ts
// Try:  curl -i -H 'Origin: https://app.example.com' http://127.0.0.1:3000/api/items
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { gatehouseMiddleware } from 'gatehouse/hono';

const app = new Hono();
// Before every route: preflights are answered here and never reach a route.
app.use('*', gatehouseMiddleware({ cors: { allowedOrigins: ['https://app.example.com'], allowCredentials: true } }));
app.get('/api/items', (c) => c.json([{ id: 1, name: 'first' }]));

// Bun, Deno and workers serve the app itself.
export default app;

export function start(port: number): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { url } = await start(Number(process.env.PORT ?? 3000));
  console.log(`listening on ${url}`);
}
