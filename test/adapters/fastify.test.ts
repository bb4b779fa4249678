// Fastify 5 quirks: the shared quirk table on a real Fastify app, then what only Fastify does (the
// plugin's registration, its logger, error and not-found handlers, trustProxy).

import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { describe, test } from 'node:test';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { gatehousePlugin, type GatehousePluginOptions } from '../../src/adapters/fastify.ts';
import { ConfigError } from '../../src/errors.ts';
import { createGatehouse } from '../../src/gatehouse.ts';
import type { Logger } from '../../src/logger.ts';
import { send } from '../helpers/httpClient.ts';
import { ALLOWED, QUIRK_SETTINGS, REFUSED, streamedChunks, testQuirkCases, type QuirkApp } from '../helpers/quirkApp.ts';

async function serve(app: FastifyInstance, hits: string[] = []): Promise<QuirkApp> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}

async function quirkApp(): Promise<QuirkApp> {
  const hits: string[] = [];
  const app = Fastify({ logger: false });
  await app.register(gatehousePlugin, { cors: QUIRK_SETTINGS, logger: false });
  app.get('/items', async () => {
    hits.push('items');
    return { items: [] };
  });
  app.options('/items', async (_request, reply) => {
    hits.push('options');
    return reply.code(204).send();
  });
  app.get('/boom', async () => {
    hits.push('boom');
    throw new Error('boom');
  });
  app.get('/stream', async (_request, reply) => {
    hits.push('stream');
    return reply.type('text/plain').send(Readable.from(streamedChunks()));
  });
  app.get('/own-vary', async (_request, reply) => {
    hits.push('own-vary');
    return reply.header('Vary', 'Accept-Encoding').header('Access-Control-Allow-Origin', '*').send({});
  });
  app.get('/strict/items', async () => {
    hits.push('strict');
    return { items: [] };
  });
  return serve(app, hits);
}

/** A Fastify logger writing JSON lines into `lines`. */
function capturedLogger(lines: Record<string, unknown>[]): FastifyServerOptions['logger'] {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { level: 'info', stream };
}

describe('Fastify: the shared framework quirks', () => {
  testQuirkCases(quirkApp);
});

describe('Fastify: Fastify-only quirks', () => {
  const cases: readonly {
    name: string;
    serverOptions?: FastifyServerOptions;
    build: (app: FastifyInstance) => Promise<void>;
    request: { method?: string; path: string; headers: Record<string, string> };
    status: number;
    allowOrigin: string | null;
  }[] = [
    {
      name: 'an error handler that removes the CORS headers and replaces Vary cannot drop them (they go on at writeHead)',
      build: async (app) => {
        await app.register(gatehousePlugin, { cors: QUIRK_SETTINGS, logger: false });
        app.setErrorHandler((_error, _request, reply) => {
          reply.removeHeader('access-control-allow-origin').removeHeader('access-control-allow-credentials');
          return reply.header('Vary', 'Accept').code(500).send({ error: 'boom' });
        });
        app.get('/boom', async () => {
          throw new Error('boom');
        });
      },
      request: { path: '/boom', headers: { origin: ALLOWED } },
      status: 500,
      allowOrigin: ALLOWED,
    },
    {
      name: "a route's own Access-Control-Allow-Origin: * is replaced by the policy's answer",
      build: async (app) => {
        await app.register(gatehousePlugin, { cors: QUIRK_SETTINGS, logger: false });
        app.get('/leaky', async (_request, reply) => reply.header('Access-Control-Allow-Origin', '*').send({}));
      },
      request: { path: '/leaky', headers: { origin: REFUSED } },
      status: 200,
      allowOrigin: null,
    },
    {
      name: 'a hijacked reply that writes reply.raw itself still gets the CORS headers',
      build: async (app) => {
        await app.register(gatehousePlugin, { cors: QUIRK_SETTINGS, logger: false });
        app.get('/raw', (_request, reply) => {
          reply.hijack();
          reply.raw.writeHead(200, { 'Content-Type': 'application/json' });
          reply.raw.end('{}');
        });
      },
      request: { path: '/raw', headers: { origin: ALLOWED } },
      status: 200,
      allowOrigin: ALLOWED,
    },
    {
      name: 'a custom not-found handler keeps the CORS headers',
      build: async (app) => {
        await app.register(gatehousePlugin, { cors: QUIRK_SETTINGS, logger: false });
        app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not here' }));
      },
      request: { path: '/nowhere', headers: { origin: ALLOWED } },
      status: 404,
      allowOrigin: ALLOWED,
    },
    {
      name: 'a wildcard OPTIONS route never sees a preflight',
      build: async (app) => {
        await app.register(gatehousePlugin, { cors: QUIRK_SETTINGS, logger: false });
        app.options('*', async (_request, reply) => reply.code(418).send());
      },
      request: { method: 'OPTIONS', path: '/anything', headers: { origin: ALLOWED, 'access-control-request-method': 'PUT' } },
      status: 200,
      allowOrigin: ALLOWED,
    },
    {
      name: 'a route registered inside an encapsulated plugin still gets the hooks',
      build: async (app) => {
        await app.register(gatehousePlugin, { cors: QUIRK_SETTINGS, logger: false });
        await app.register(async (child) => {
          child.get('/child', async () => ({}));
        }, { prefix: '/api' });
      },
      request: { path: '/api/child', headers: { origin: ALLOWED } },
      status: 200,
      allowOrigin: ALLOWED,
    },
    {
      name: 'a shared Gatehouse is accepted as the plugin options',
      build: async (app) => {
        await app.register(gatehousePlugin, createGatehouse({ cors: QUIRK_SETTINGS, logger: false }));
        app.get('/items', async () => ({}));
      },
      request: { path: '/items', headers: { origin: ALLOWED } },
      status: 200,
      allowOrigin: ALLOWED,
    },
    {
      name: "with trustProxy, strict mode sees the API's own https origin (X-Forwarded-Proto)",
      serverOptions: { trustProxy: true },
      build: async (app) => {
        await app.register(gatehousePlugin, { cors: { allowedOrigins: [ALLOWED], strict: true }, logger: false });
        app.get('/items', async () => ({}));
      },
      request: { path: '/items', headers: { origin: 'https://api.example.com', host: 'api.example.com', 'x-forwarded-proto': 'https' } },
      status: 200,
      allowOrigin: null,
    },
    {
      name: 'without trustProxy, X-Forwarded-Proto is not believed and strict mode refuses',
      build: async (app) => {
        await app.register(gatehousePlugin, { cors: { allowedOrigins: [ALLOWED], strict: true }, logger: false });
        app.get('/items', async () => ({}));
      },
      request: { path: '/items', headers: { origin: 'https://api.example.com', host: 'api.example.com', 'x-forwarded-proto': 'https' } },
      status: 403,
      allowOrigin: null,
    },
  ];
  for (const row of cases) {
    test(row.name, async () => {
      const app = Fastify({ logger: false, ...row.serverOptions });
      await row.build(app);
      const running = await serve(app);
      try {
        const response = await send(running.url, row.request.method ?? 'GET', row.request.path, row.request.headers);
        assert.equal(response.status, row.status);
        assert.equal(response.headers['access-control-allow-origin'] ?? null, row.allowOrigin);
        assert.match(response.headers.vary ?? '', /\bOrigin\b/);
      } finally {
        await running.close();
      }
    });
  }
});

describe('Fastify: registration and logging', () => {
  const invalid: readonly { name: string; options: GatehousePluginOptions; message: RegExp }[] = [
    { name: 'an origin without a scheme', options: { cors: { allowedOrigins: ['app.example.com'] } }, message: /cors\.allowedOrigins\[0\]/ },
    { name: 'allowAllOrigins with allowCredentials', options: { cors: { allowAllOrigins: true, allowCredentials: true } }, message: /allowCredentials/ },
  ];
  for (const row of invalid) {
    test(`register fails with the ConfigError message for ${row.name}`, async () => {
      const app = Fastify({ logger: false });
      await assert.rejects(
        async () => {
          await app.register(gatehousePlugin, row.options);
        },
        (error: unknown) => error instanceof ConfigError && /^Gatehouse cannot start/.test(error.message) && row.message.test(error.message),
      );
      await app.close().catch(() => undefined);
    });
  }

  test('Gatehouse logs through fastify.log when no logger is given (warnings at register, refusals per request)', async () => {
    const lines: Record<string, unknown>[] = [];
    const app = Fastify({ logger: capturedLogger(lines) });
    await app.register(gatehousePlugin, { cors: { allowedOrigins: [ALLOWED, 'null'] } });
    app.get('/items', async () => ({}));
    const running = await serve(app);
    try {
      assert.ok(lines.some((l) => String(l.msg).startsWith('Gatehouse config warning: cors.allowedOrigins')), 'the start-up warning went to fastify.log');
      await send(running.url, 'GET', '/items', { origin: REFUSED });
      const refusal = lines.find((l) => String(l.msg).startsWith(`CORS refused origin ${REFUSED}`));
      assert.ok(refusal, 'the refusal went to fastify.log');
      assert.equal(refusal.name, undefined, "Fastify's logger, not Gatehouse's own pino (name: gatehouse)");
    } finally {
      await running.close();
    }
  });

  test('a logger given in the options wins over fastify.log', async () => {
    const fastifyLines: Record<string, unknown>[] = [];
    const own: string[] = [];
    const logger: Logger = { info: (_f, m) => void own.push(m), warn: (_f, m) => void own.push(m), error: (_f, m) => void own.push(m), debug: (_f, m) => void own.push(m) };
    const app = Fastify({ logger: capturedLogger(fastifyLines) });
    await app.register(gatehousePlugin, { cors: { allowedOrigins: [ALLOWED] }, logger });
    app.get('/items', async () => ({}));
    const running = await serve(app);
    try {
      await send(running.url, 'GET', '/items', { origin: REFUSED });
      assert.ok(own.some((m) => m.startsWith(`CORS refused origin ${REFUSED}`)));
      assert.ok(!fastifyLines.some((l) => String(l.msg).startsWith('CORS refused')));
    } finally {
      await running.close();
    }
  });
});
