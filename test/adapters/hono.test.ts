// Hono quirks: the shared quirk table on a real Hono app served by @hono/node-server, then what only
// Hono does (onError and HTTPException responses, immutable Response headers, sub-apps, app.request).

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { describe, test } from 'node:test';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { stream } from 'hono/streaming';
import { gatehouseMiddleware } from '../../src/adapters/hono.ts';
import { listsToken } from '../../src/adapters/responseHeaders.ts';
import { send, sendRaw } from '../helpers/httpClient.ts';
import { ALLOWED, QUIRK_SETTINGS, REFUSED, streamedChunks, testQuirkCases, type QuirkApp } from '../helpers/quirkApp.ts';
import { closeServer, listen } from '../helpers/servers.ts';

async function serve(app: Hono, hits: string[] = []): Promise<QuirkApp> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, hits, close: () => closeServer(server) };
}

function quirkApp(): Promise<QuirkApp> {
  const hits: string[] = [];
  const app = new Hono();
  app.onError((_error, c) => c.json({ error: 'boom' }, 500));
  app.use('*', gatehouseMiddleware({ cors: QUIRK_SETTINGS, logger: false }));
  app.get('/items', (c) => {
    hits.push('items');
    return c.json({ items: [] });
  });
  app.options('/items', (c) => {
    hits.push('options');
    return c.body(null, 204);
  });
  app.get('/boom', () => {
    hits.push('boom');
    throw new Error('boom');
  });
  app.get('/stream', (c) => {
    hits.push('stream');
    c.header('Content-Type', 'text/plain');
    return stream(c, async (out) => {
      for await (const chunk of streamedChunks()) await out.write(chunk);
    });
  });
  app.get('/own-vary', (c) => {
    hits.push('own-vary');
    c.header('Vary', 'Accept-Encoding');
    c.header('Access-Control-Allow-Origin', '*');
    return c.json({});
  });
  app.get('/strict/items', (c) => {
    hits.push('strict');
    return c.json({ items: [] });
  });
  return serve(app, hits);
}

/** An upstream the /proxy route fetches: its Response has immutable headers, and says Vary and ACAO: *. */
async function upstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', vary: 'Accept-Encoding', 'access-control-allow-origin': '*' });
    res.end('{"upstream":true}');
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

describe('Hono: the shared framework quirks', () => {
  testQuirkCases(quirkApp);
});

describe('Hono: Hono-only quirks', () => {
  const cases: readonly {
    name: string;
    build: (app: Hono, upstreamUrl: string) => void;
    request: { path: string; headers: Record<string, string> };
    status: number;
    allowOrigin: string | null;
    alsoHeaders?: Record<string, string>;
    varyAlsoLists?: string;
  }[] = [
    {
      name: "a proxied fetch() response (immutable headers) gets the engine's headers, not the upstream's, and keeps its Vary",
      build: (app, upstreamUrl) => {
        app.use('*', gatehouseMiddleware({ cors: QUIRK_SETTINGS, logger: false }));
        app.get('/proxy', () => fetch(upstreamUrl));
      },
      request: { path: '/proxy', headers: { origin: ALLOWED } },
      status: 200,
      allowOrigin: ALLOWED,
      varyAlsoLists: 'accept-encoding',
    },
    {
      name: 'a proxied response for a refused origin loses the upstream Access-Control-Allow-Origin: *',
      build: (app, upstreamUrl) => {
        app.use('*', gatehouseMiddleware({ cors: QUIRK_SETTINGS, logger: false }));
        app.get('/proxy', () => fetch(upstreamUrl));
      },
      request: { path: '/proxy', headers: { origin: REFUSED } },
      status: 200,
      allowOrigin: null,
      varyAlsoLists: 'accept-encoding',
    },
    {
      name: 'Response.redirect (immutable headers) gets the CORS headers',
      build: (app) => {
        app.use('*', gatehouseMiddleware({ cors: QUIRK_SETTINGS, logger: false }));
        app.get('/old', () => Response.redirect('https://api.example.com/new', 301));
      },
      request: { path: '/old', headers: { origin: ALLOWED } },
      status: 301,
      allowOrigin: ALLOWED,
      alsoHeaders: { location: 'https://api.example.com/new' },
    },
    {
      name: "an HTTPException's own response keeps the CORS headers and its own headers",
      build: (app) => {
        app.use('*', gatehouseMiddleware({ cors: QUIRK_SETTINGS, logger: false }));
        app.get('/me', () => {
          throw new HTTPException(401, { res: new Response('sign in', { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } }) });
        });
      },
      request: { path: '/me', headers: { origin: ALLOWED } },
      status: 401,
      allowOrigin: ALLOWED,
      alsoHeaders: { 'www-authenticate': 'Bearer' },
    },
    {
      name: "headers the route set with c.header survive (c.res is changed in place, not replaced)",
      build: (app) => {
        app.use('*', gatehouseMiddleware({ cors: QUIRK_SETTINGS, logger: false }));
        app.get('/items', (c) => {
          c.header('X-Total', '3');
          return c.json([]);
        });
      },
      request: { path: '/items', headers: { origin: ALLOWED } },
      status: 200,
      allowOrigin: ALLOWED,
      alsoHeaders: { 'x-total': '3' },
    },
    {
      name: 'in a sub-app mounted with app.route, per-path policies match the full path',
      build: (app) => {
        const api = new Hono();
        api.use('*', gatehouseMiddleware({ cors: { allowedOrigins: [ALLOWED], paths: [{ path: '/api/private/*', allowedOrigins: ['https://private.example.com'] }] }, logger: false }));
        api.get('/private/data', (c) => c.json({}));
        app.route('/api', api);
      },
      request: { path: '/api/private/data', headers: { origin: 'https://private.example.com' } },
      status: 200,
      allowOrigin: 'https://private.example.com',
    },
  ];
  for (const row of cases) {
    test(row.name, async () => {
      const origin = await upstream();
      const app = new Hono();
      row.build(app, origin.url);
      const running = await serve(app);
      try {
        const response = await send(running.url, 'GET', row.request.path, row.request.headers);
        assert.equal(response.status, row.status);
        assert.equal(response.headers['access-control-allow-origin'] ?? null, row.allowOrigin);
        assert.ok(listsToken(response.headers.vary ?? '', 'origin'), `Vary lists Origin (got "${response.headers.vary}")`);
        if (row.varyAlsoLists !== undefined) assert.ok(listsToken(response.headers.vary ?? '', row.varyAlsoLists), `Vary keeps ${row.varyAlsoLists}`);
        for (const [name, value] of Object.entries(row.alsoHeaders ?? {})) assert.equal(response.headers[name], value);
      } finally {
        await running.close();
        await origin.close();
      }
    });
  }

  test('app.request() answers in-process, without a server, the same way', async () => {
    const app = new Hono();
    app.use('*', gatehouseMiddleware({ cors: QUIRK_SETTINGS, logger: false }));
    app.get('/items', (c) => c.json([]));
    const preflight = await app.request('/items', { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'PUT' } });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers.get('access-control-allow-origin'), ALLOWED);
    const actual = await app.request('/items', { headers: { origin: ALLOWED } });
    assert.equal(actual.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(actual.headers.get('vary'), 'Origin');
  });

  // @hono/node-server routes on the URL parser's path, which resolves dot segments; Gatehouse must
  // judge that same path, not node's raw req.url (which a rule for /api/public/* would let through).
  for (const target of ['/api/private/', '/api/public/../private/', '/api/public/%2e%2e/private/', '/api/public/%2E%2E/private/']) {
    test(`a per-path rule is judged on the path Hono routes: anonymous GET ${target} is refused`, async () => {
      const app = new Hono();
      app.use('*', gatehouseMiddleware({ auth: {}, permissions: [{ path: '/api/public/*', rule: 'any' }], defaultRule: 'authenticated', logger: false }));
      app.get('/api/private/', (c) => c.json({ secret: 'private data' }));
      app.get('/api/public/', (c) => c.json({ notice: 'public' }));
      const running = await serve(app);
      try {
        // Sent as written: a URL string would have its dot segments resolved by the client already.
        const response = await sendRaw(Number(new URL(running.url).port), 'GET', target);
        assert.equal(response.status, 401, `${target} answered ${response.status}: ${response.body}`);
        assert.doesNotMatch(response.body, /private data/);
      } finally {
        await running.close();
      }
    });
  }
});
