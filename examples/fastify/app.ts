// Fastify 5 with Gatehouse. Run: node --import tsx examples/fastify/app.ts
// Try:  curl -i -H 'Origin: https://app.example.com' http://127.0.0.1:3000/api/items
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { gatehousePlugin } from 'gatehouse/fastify';

const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } });
// Bad settings fail here, at register; Gatehouse logs through app.log.
await app.register(gatehousePlugin, { cors: { allowedOrigins: ['https://app.example.com'], allowCredentials: true } });
app.get('/api/items', async () => [{ id: 1, name: 'first' }]);

export async function start(port: number): Promise<{ url: string; close(): Promise<void> }> {
  const url = await app.listen({ port, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { url } = await start(Number(process.env.PORT ?? 3000));
  console.log(`listening on ${url}`);
}
