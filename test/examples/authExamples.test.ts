// Every authentication example in examples/<framework>/auth.ts, served over HTTP: an anonymous
// cross-origin call is refused with the CORS headers kept, a token's subject reaches the handler, and
// the route's rule refuses a token without its scope. Each appears verbatim in docs/frameworks.md.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createAdaptorServer } from '@hono/node-server';
import type { FastifyInstance } from 'fastify';
import type Koa from 'koa';
import { bytes, sign } from '../auth/jwtFixtures.ts';
import { send } from '../helpers/httpClient.ts';
import { closeServer, listen } from '../helpers/servers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ORIGIN = 'https://app.example.com';
const SECRET = 'examples-jwt-secret-0123456789abcdefghijklmnopqrstuv';

/** How each example's default export is served on a loopback port. */
const SERVE: Record<string, (exported: unknown) => Promise<{ url: string; close(): Promise<void> }>> = {
  express: (app) => serveNode(createServer(app as RequestListener)),
  koa: (app) => serveNode(createServer((app as Koa).callback())),
  'node-http': (server) => serveNode(server as Server),
  hono: (app) => serveNode(createAdaptorServer({ fetch: (app as { fetch: (r: Request) => Promise<Response> }).fetch }) as Server),
  fetch: (handler) => serveNode(createAdaptorServer({ fetch: (handler as { fetch: (r: Request) => Promise<Response> }).fetch }) as Server),
  fastify: async (app) => {
    const url = await (app as FastifyInstance).listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => (app as FastifyInstance).close() };
  },
};

async function serveNode(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

function token(scope: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ iss: 'https://auth.example.com', sub: 'user-1', scope, iat: now, exp: now + 300 }, bytes(SECRET), { alg: 'HS256', typ: 'JWT' });
}

describe('authentication examples', () => {
  let reader: string;
  let writer: string;
  before(async () => {
    process.env.JWT_SECRET = SECRET; // the examples read it when they load
    reader = await token('posts:read');
    writer = await token('posts:read posts:write');
  });
  after(() => {
    delete process.env.JWT_SECRET;
  });

  for (const [name, serve] of Object.entries(SERVE)) {
    test(`${name}: the principal reaches the handler and the route's rule refuses a missing scope`, async () => {
      const example = (await import(`../../examples/${name}/auth.ts`)) as { default: unknown };
      const running = await serve(example.default);
      try {
        const anonymous = await send(running.url, 'GET', '/api/me', { origin: ORIGIN });
        assert.equal(anonymous.status, 401);
        assert.equal(anonymous.headers['www-authenticate'], 'Bearer realm="api"');
        assert.equal(anonymous.headers['access-control-allow-origin'], ORIGIN);

        const me = await send(running.url, 'GET', '/api/me', { origin: ORIGIN, authorization: `Bearer ${reader}` });
        assert.equal(me.status, 200);
        assert.deepEqual(JSON.parse(me.body), { subject: 'user-1' });

        const refused = await send(running.url, 'POST', '/api/posts', { origin: ORIGIN, authorization: `Bearer ${reader}` });
        assert.equal(refused.status, 403);
        assert.equal(refused.headers['www-authenticate'], 'Bearer realm="api", error="insufficient_scope", scope="posts:write"');
        assert.equal(refused.headers['access-control-allow-origin'], ORIGIN);

        const created = await send(running.url, 'POST', '/api/posts', { origin: ORIGIN, authorization: `Bearer ${writer}` });
        assert.equal(created.status, 201);
        assert.deepEqual(JSON.parse(created.body), { author: 'user-1' });
      } finally {
        await running.close();
      }
    });

    test(`${name}: docs/frameworks.md shows the authentication example verbatim`, async () => {
      const [docs, source] = await Promise.all([readFile(`${ROOT}docs/frameworks.md`, 'utf8'), readFile(`${ROOT}examples/${name}/auth.ts`, 'utf8')]);
      assert.ok(docs.includes(source.trimEnd()), `docs/frameworks.md must contain examples/${name}/auth.ts as it is`);
    });
  }
});
