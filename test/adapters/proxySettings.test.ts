// Gatehouse's `proxy` setting next to the frameworks' own (Express's `trust proxy`, Fastify's
// `trustProxy`, Koa's `app.proxy`): without Gatehouse's, Gatehouse follows the framework's; with it,
// Gatehouse's decides, whatever the framework trusts. What the handler sees is clientOf(req).

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import Koa from 'koa';
import { clientOf as expressClientOf, gatehouseMiddleware as expressGatehouse } from '../../src/adapters/express.ts';
import { clientOf as fastifyClientOf, gatehousePlugin } from '../../src/adapters/fastify.ts';
import { clientOf as koaClientOf, gatehouseMiddleware as koaGatehouse } from '../../src/adapters/koa.ts';
import type { GatehouseOptions } from '../../src/gatehouse.ts';
import type { ResolvedClient } from '../../src/https/requestFacts.ts';
import { sendFrom, TRUSTED_PEER, UNTRUSTED_PEER } from '../conformance/loopbackClient.ts';
import { closeServer, listen } from '../helpers/servers.ts';

type Framework = 'express' | 'fastify' | 'koa';

interface Running {
  readonly url: string;
  close(): Promise<void>;
}

const FORWARDED = { host: 'api.example.com', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' };

function answer(client: ResolvedClient | undefined): string {
  return JSON.stringify(client ?? null);
}

/** The framework with its own proxy trust on (or off), and Gatehouse with `options`. */
async function serve(framework: Framework, frameworkTrusts: boolean, options: GatehouseOptions): Promise<Running> {
  const gatehouseOptions = { ...options, logger: false as const };
  if (framework === 'fastify') {
    const app: FastifyInstance = Fastify({ logger: false, trustProxy: frameworkTrusts });
    await app.register(gatehousePlugin, gatehouseOptions);
    app.get('/who', async (request) => answer(fastifyClientOf(request.raw)));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, close: () => app.close() };
  }
  let server: Server;
  if (framework === 'express') {
    const app = express();
    app.set('trust proxy', frameworkTrusts);
    app.use(expressGatehouse(gatehouseOptions));
    app.get('/who', (req, res) => {
      res.type('text/plain').send(answer(expressClientOf(req)));
    });
    server = createServer(app);
  } else {
    const app = new Koa();
    app.proxy = frameworkTrusts;
    app.use(koaGatehouse(gatehouseOptions));
    app.use((ctx) => {
      ctx.body = answer(koaClientOf(ctx.req));
    });
    server = createServer(app.callback());
  }
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

const HTTPS_CLIENT = { ip: '203.0.113.7', protocol: 'https', secure: true };
const SOCKET = (ip: string) => ({ ip, protocol: 'http', secure: false });

const rows: readonly { why: string; frameworkTrusts: boolean; options: GatehouseOptions; from: string; expect: { ip: string; protocol: string; secure: boolean } }[] = [
  { why: 'neither trusts: the socket', frameworkTrusts: false, options: {}, from: TRUSTED_PEER, expect: SOCKET('127.0.0.1') },
  { why: "only the framework trusts: Gatehouse follows the framework's view", frameworkTrusts: true, options: {}, from: TRUSTED_PEER, expect: HTTPS_CLIENT },
  { why: "Gatehouse trusts 127.0.0.1: its view, the framework's trust off", frameworkTrusts: false, options: { proxy: { trusted: ['127.0.0.1'] } }, from: TRUSTED_PEER, expect: HTTPS_CLIENT },
  { why: "Gatehouse trusts 127.0.0.1, the request comes from 127.0.0.2: the socket, although the framework trusts everyone", frameworkTrusts: true, options: { proxy: { trusted: ['127.0.0.1'] } }, from: UNTRUSTED_PEER, expect: SOCKET(UNTRUSTED_PEER) },
  { why: "Gatehouse trusts another network: Gatehouse's setting wins over the framework's", frameworkTrusts: true, options: { proxy: { trusted: ['10.0.0.0/8'] } }, from: TRUSTED_PEER, expect: SOCKET('127.0.0.1') },
];

for (const framework of ['express', 'fastify', 'koa'] as const) {
  describe(`${framework}: Gatehouse's proxy setting and the framework's`, () => {
    for (const row of rows) {
      describe(row.why, () => {
        let running: Running;
        before(async () => {
          running = await serve(framework, row.frameworkTrusts, row.options);
        });
        after(() => running.close());
        test('the client the handler sees', async () => {
          const response = await sendFrom(row.from, running.url, 'GET', '/who', FORWARDED);
          assert.equal(response.status, 200, response.body);
          const client = JSON.parse(response.body) as ResolvedClient;
          assert.deepEqual({ ip: client.ip, protocol: client.protocol, secure: client.secure }, row.expect);
        });
      });
    }
  });
}
