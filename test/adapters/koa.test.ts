// Koa 3 quirks: the shared quirk table on a real Koa app, then what only Koa does (ctx.onerror removing
// every header, err.headers, errors thrown outside the Gatehouse middleware, app.proxy).

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import Koa, { type Context } from 'koa';
import { gatehouseMiddleware } from '../../src/adapters/koa.ts';
import { send } from '../helpers/httpClient.ts';
import { ALLOWED, QUIRK_SETTINGS, REFUSED, streamedChunks, testQuirkCases, type QuirkApp } from '../helpers/quirkApp.ts';
import { closeServer, listen } from '../helpers/servers.ts';

function newApp(): Koa {
  const app = new Koa();
  app.silent = true; // Koa prints every thrown error otherwise
  return app;
}

async function serve(app: Koa, hits: string[] = []): Promise<QuirkApp> {
  const server = createServer(app.callback());
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, hits, close: () => closeServer(server) };
}

/** Koa has no router of its own: the app's routes are a table of `METHOD /path` handlers. */
function routes(table: Record<string, (ctx: Context) => void>): Koa.Middleware {
  return async (ctx, next) => {
    const route = table[`${ctx.method === 'HEAD' ? 'GET' : ctx.method} ${ctx.path}`];
    if (route === undefined) return next();
    route(ctx);
  };
}

function quirkApp(): Promise<QuirkApp> {
  const hits: string[] = [];
  const app = newApp();
  app.use(gatehouseMiddleware({ cors: QUIRK_SETTINGS, logger: false }));
  app.use(
    routes({
      'GET /items': (ctx) => {
        hits.push('items');
        ctx.body = { items: [] };
      },
      'OPTIONS /items': (ctx) => {
        hits.push('options');
        ctx.status = 204;
      },
      'GET /boom': () => {
        hits.push('boom');
        throw new Error('boom');
      },
      'GET /stream': (ctx) => {
        hits.push('stream');
        ctx.type = 'text/plain';
        ctx.body = Readable.from(streamedChunks());
      },
      'GET /own-vary': (ctx) => {
        hits.push('own-vary');
        ctx.set({ Vary: 'Accept-Encoding', 'Access-Control-Allow-Origin': '*' });
        ctx.body = {};
      },
      'GET /strict/items': (ctx) => {
        hits.push('strict');
        ctx.body = { items: [] };
      },
    }),
  );
  return serve(app, hits);
}

describe('Koa: the shared framework quirks', () => {
  testQuirkCases(quirkApp);
});

describe('Koa: Koa-only quirks', () => {
  const cases: readonly {
    name: string;
    build: (app: Koa) => void;
    request: { path: string; headers: Record<string, string> };
    status: number;
    allowOrigin: string | null;
    alsoHeaders?: Record<string, string>;
  }[] = [
    {
      name: "ctx.throw with headers keeps both the error's headers and the CORS headers",
      build: (app) => {
        app.use(gatehouseMiddleware({ cors: QUIRK_SETTINGS, logger: false }));
        app.use((ctx) => ctx.throw(401, 'sign in', { headers: { 'WWW-Authenticate': 'Bearer' } }));
      },
      request: { path: '/me', headers: { origin: ALLOWED } },
      status: 401,
      allowOrigin: ALLOWED,
      alsoHeaders: { 'www-authenticate': 'Bearer' },
    },
    {
      name: 'an error thrown by a middleware outside the Gatehouse one keeps the CORS headers',
      build: (app) => {
        app.use(async (_ctx, next) => {
          await next();
          throw new Error('audit log failed');
        });
        app.use(gatehouseMiddleware({ cors: QUIRK_SETTINGS, logger: false }));
        app.use((ctx) => {
          ctx.body = {};
        });
      },
      request: { path: '/items', headers: { origin: ALLOWED } },
      status: 500,
      allowOrigin: ALLOWED,
    },
    {
      name: 'a refused origin gets the route without a CORS header',
      build: (app) => {
        app.use(gatehouseMiddleware({ cors: QUIRK_SETTINGS, logger: false }));
        app.use((ctx) => {
          ctx.body = {};
        });
      },
      request: { path: '/items', headers: { origin: REFUSED } },
      status: 200,
      allowOrigin: null,
    },
    {
      name: "with app.proxy, strict mode sees the API's own https origin (X-Forwarded-Proto)",
      build: (app) => {
        app.proxy = true;
        app.use(gatehouseMiddleware({ cors: { allowedOrigins: [ALLOWED], strict: true }, logger: false }));
        app.use((ctx) => {
          ctx.body = {};
        });
      },
      request: { path: '/items', headers: { origin: 'https://api.example.com', host: 'api.example.com', 'x-forwarded-proto': 'https' } },
      status: 200,
      allowOrigin: null,
    },
    {
      name: 'without app.proxy, X-Forwarded-Proto is not believed and strict mode refuses',
      build: (app) => {
        app.use(gatehouseMiddleware({ cors: { allowedOrigins: [ALLOWED], strict: true }, logger: false }));
        app.use((ctx) => {
          ctx.body = {};
        });
      },
      request: { path: '/items', headers: { origin: 'https://api.example.com', host: 'api.example.com', 'x-forwarded-proto': 'https' } },
      status: 403,
      allowOrigin: null,
    },
  ];
  for (const row of cases) {
    test(row.name, async () => {
      const app = newApp();
      row.build(app);
      const running = await serve(app);
      try {
        const response = await send(running.url, 'GET', row.request.path, row.request.headers);
        assert.equal(response.status, row.status);
        assert.equal(response.headers['access-control-allow-origin'] ?? null, row.allowOrigin);
        assert.match(response.headers.vary ?? '', /\bOrigin\b/);
        for (const [name, value] of Object.entries(row.alsoHeaders ?? {})) assert.equal(response.headers[name], value);
      } finally {
        await running.close();
      }
    });
  }

  test("the engine's preflight answer is a 200 with Content-Length 0 and no Content-Type (not Koa's 204 for a null body)", async () => {
    const app = newApp();
    app.use(gatehouseMiddleware({ cors: QUIRK_SETTINGS, logger: false }));
    const running = await serve(app);
    try {
      const response = await send(running.url, 'OPTIONS', '/items', { origin: ALLOWED, 'access-control-request-method': 'PUT' });
      assert.equal(response.status, 200);
      assert.equal(response.headers['content-length'], '0');
      assert.equal(response.headers['content-type'], undefined);
    } finally {
      await running.close();
    }
  });
});
