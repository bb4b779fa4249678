// Express 4 and 5 quirks: the shared quirk table on a real Express app, then what only Express does
// (mount paths, error handlers that strip headers, trust proxy).

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import express from 'express';
import express4 from 'express4';
import { gatehouseMiddleware } from '../../src/adapters/express.ts';
import type { CorsSettings } from '../../src/cors/settings.ts';
import { send } from '../helpers/httpClient.ts';
import { ALLOWED, QUIRK_SETTINGS, REFUSED, streamedChunks, testQuirkCases, type QuirkApp } from '../helpers/quirkApp.ts';
import { closeServer, listen } from '../helpers/servers.ts';

const FLAVOURS = [
  ['Express 5', express],
  ['Express 4', express4],
] as const;

type CreateApp = typeof express;

async function serve(app: express.Express, hits: string[] = []): Promise<QuirkApp> {
  const server = createServer(app);
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, hits, close: () => closeServer(server) };
}

function quirkApp(createApp: CreateApp): Promise<QuirkApp> {
  const hits: string[] = [];
  const app = createApp();
  app.set('env', 'test'); // finalhandler prints thrown errors' stacks otherwise
  app.use(gatehouseMiddleware({ cors: QUIRK_SETTINGS, logger: false }));
  app.get('/items', (_req, res) => {
    hits.push('items');
    res.json({ items: [] });
  });
  app.options('/items', (_req, res) => {
    hits.push('options');
    res.status(204).end();
  });
  app.get('/boom', () => {
    hits.push('boom');
    throw new Error('boom');
  });
  app.get('/stream', (_req, res) => {
    hits.push('stream');
    res.type('text/plain');
    Readable.from(streamedChunks()).pipe(res);
  });
  app.get('/own-vary', (_req, res) => {
    hits.push('own-vary');
    res.set('Vary', 'Accept-Encoding').set('Access-Control-Allow-Origin', '*').json({});
  });
  app.get('/strict/items', (_req, res) => {
    hits.push('strict');
    res.json({ items: [] });
  });
  return serve(app, hits);
}

for (const [name, createApp] of FLAVOURS) {
  describe(`${name}: the shared framework quirks`, () => {
    testQuirkCases(() => quirkApp(createApp));
  });

  describe(`${name}: Express-only quirks`, () => {
    const cases: readonly {
      name: string;
      build: (app: express.Express) => void;
      request: { path: string; headers: Record<string, string> };
      status: number;
      allowOrigin: string | null;
    }[] = [
      {
        name: 'an error handler that removes every header cannot drop the CORS headers',
        build: (app) => {
          app.use(gatehouseMiddleware({ cors: QUIRK_SETTINGS, logger: false }));
          app.get('/boom', () => {
            throw new Error('boom');
          });
          app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
            for (const header of res.getHeaderNames()) res.removeHeader(header);
            res.status(500).json({ error: 'boom' });
          });
        },
        request: { path: '/boom', headers: { origin: ALLOWED } },
        status: 500,
        allowOrigin: ALLOWED,
      },
      {
        name: 'under a mount path the per-path policy matches the full path (req.originalUrl)',
        build: (app) => {
          const cors: CorsSettings = { allowedOrigins: [ALLOWED], paths: [{ path: '/api/private/*', allowedOrigins: ['https://private.example.com'] }] };
          app.use('/api', gatehouseMiddleware({ cors, logger: false }));
          app.get('/api/private/data', (_req, res) => void res.json({}));
        },
        request: { path: '/api/private/data', headers: { origin: 'https://private.example.com' } },
        status: 200,
        allowOrigin: 'https://private.example.com',
      },
      {
        name: "with trust proxy, strict mode sees the API's own https origin (X-Forwarded-Proto)",
        build: (app) => {
          app.set('trust proxy', true);
          app.use(gatehouseMiddleware({ cors: { allowedOrigins: [ALLOWED], strict: true }, logger: false }));
          app.get('/items', (_req, res) => void res.json({}));
        },
        request: { path: '/items', headers: { origin: 'https://api.example.com', host: 'api.example.com', 'x-forwarded-proto': 'https' } },
        status: 200,
        allowOrigin: null,
      },
      {
        name: 'without trust proxy, X-Forwarded-Proto is not believed and strict mode refuses',
        build: (app) => {
          app.use(gatehouseMiddleware({ cors: { allowedOrigins: [ALLOWED], strict: true }, logger: false }));
          app.get('/items', (_req, res) => void res.json({}));
        },
        request: { path: '/items', headers: { origin: 'https://api.example.com', host: 'api.example.com', 'x-forwarded-proto': 'https' } },
        status: 403,
        allowOrigin: null,
      },
      {
        name: 'a refused origin gets the route without a CORS header',
        build: (app) => {
          app.use(gatehouseMiddleware({ cors: QUIRK_SETTINGS, logger: false }));
          app.get('/items', (_req, res) => void res.json({}));
        },
        request: { path: '/items', headers: { origin: REFUSED } },
        status: 200,
        allowOrigin: null,
      },
    ];
    for (const row of cases) {
      test(row.name, async () => {
        const app = createApp();
        app.set('env', 'test');
        row.build(app);
        const running = await serve(app);
        try {
          const response = await send(running.url, 'GET', row.request.path, row.request.headers);
          assert.equal(response.status, row.status);
          assert.equal(response.headers['access-control-allow-origin'] ?? null, row.allowOrigin);
          assert.match(response.headers.vary ?? '', /\bOrigin\b/);
        } finally {
          await running.close();
        }
      });
    }
  });
}
