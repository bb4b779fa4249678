// Koa 3 with Gatehouse. Run: node --import tsx examples/koa/app.ts
// Try:  curl -i -H 'Origin: https://app.example.com' http://127.0.0.1:3000/api/items
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import Koa from 'koa';
import { gatehouseMiddleware } from 'gatehouse/koa';

const app = new Koa();
// Before every other middleware: preflights are answered here and never reach a route.
app.use(gatehouseMiddleware({ cors: { allowedOrigins: ['https://app.example.com'], allowCredentials: true } }));
app.use((ctx) => {
  if (ctx.method === 'GET' && ctx.path === '/api/items') ctx.body = [{ id: 1, name: 'first' }];
});

export async function start(port: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = app.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { url } = await start(Number(process.env.PORT ?? 3000));
  console.log(`listening on ${url}`);
}
