// node:http with Gatehouse. Run: node --import tsx examples/node-http/app.ts
// Try:  curl -i -H 'Origin: https://app.example.com' http://127.0.0.1:3000/api/items
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { withGatehouse } from 'gatehouse/node';

// The handler runs only when Gatehouse has not answered (preflights and strict refusals it answers).
const server = createServer(
  withGatehouse(
    (req, res) => {
      const found = req.method === 'GET' && req.url?.split('?')[0] === '/api/items';
      res.writeHead(found ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(found ? [{ id: 1, name: 'first' }] : { error: 'not found' }));
    },
    { cors: { allowedOrigins: ['https://app.example.com'], allowCredentials: true } },
  ),
);

export async function start(port: number): Promise<{ url: string; close(): Promise<void> }> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { url } = await start(Number(process.env.PORT ?? 3000));
  console.log(`listening on ${url}`);
}
