// The Fetch adapter and responses with immutable headers (fetch() results, Response.redirect), called
// directly and served by @hono/node-server, whose own Response class keeps a Headers object it is
// given by reference (so a copy made with `headers: response.headers` stayed immutable).

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { describe, test } from 'node:test';
import { createAdaptorServer } from '@hono/node-server';
import { withGatehouse } from '../../src/adapters/fetch.ts';
import { send } from '../helpers/httpClient.ts';
import { ALLOWED, QUIRK_SETTINGS } from '../helpers/quirkApp.ts';
import { closeServer, listen } from '../helpers/servers.ts';

async function upstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', vary: 'Accept-Encoding' });
    res.end('{"upstream":true}');
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

describe('Fetch adapter: responses with immutable headers', () => {
  const cases: readonly { name: string; served: boolean; respond: (upstreamUrl: string) => Promise<Response> | Response; status: number }[] = [
    { name: 'a fetch() result, called directly', served: false, respond: (url) => fetch(url), status: 200 },
    { name: 'a fetch() result, served by @hono/node-server', served: true, respond: (url) => fetch(url), status: 200 },
    { name: 'Response.redirect, served by @hono/node-server', served: true, respond: () => Response.redirect('https://api.example.com/new', 302), status: 302 },
  ];
  for (const row of cases) {
    test(row.name, async () => {
      const origin = await upstream();
      const handler = withGatehouse(() => row.respond(origin.url), { cors: QUIRK_SETTINGS, logger: false });
      try {
        let status: number;
        let headers: Record<string, string | null>;
        if (row.served) {
          const server = createAdaptorServer({ fetch: handler }) as Server;
          const port = await listen(server);
          try {
            const response = await send(`http://127.0.0.1:${port}`, 'GET', '/proxy', { origin: ALLOWED });
            status = response.status;
            headers = { acao: response.headers['access-control-allow-origin'] ?? null, vary: response.headers.vary ?? null };
          } finally {
            await closeServer(server);
          }
        } else {
          const response = await handler(new Request('http://api.example.com/proxy', { headers: { origin: ALLOWED } }));
          await response.arrayBuffer();
          status = response.status;
          headers = { acao: response.headers.get('access-control-allow-origin'), vary: response.headers.get('vary') };
        }
        assert.equal(status, row.status);
        assert.equal(headers.acao, ALLOWED);
        assert.match(headers.vary ?? '', /\bOrigin\b/);
      } finally {
        await origin.close();
      }
    });
  }
});
