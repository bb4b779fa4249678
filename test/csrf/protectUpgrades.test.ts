// protectUpgrades on a real node:http server: which 'upgrade' listeners it guards (those added before,
// the one passed, those added after), asynchronous CORS hooks, a hook that throws, and a server with
// no upgrade listener at all, whose upgrade requests stay ordinary requests.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterEach, test } from 'node:test';
import { protectUpgrades } from '../../src/adapters/node-http.ts';
import { createGatehouse } from '../../src/gatehouse.ts';
import { handshakeFrom, TRUSTED_PEER } from '../conformance/loopbackClient.ts';
import { closeServer, listen } from '../helpers/servers.ts';

const APP = 'https://app.example.com';
const HOOKED = 'https://hooked.example.org';
const THROWS = 'https://throws.example.org';

const gatehouse = createGatehouse({
  cors: {
    allowedOrigins: [APP],
    isRequestAllowed: async (request) => {
      if (request.origin === THROWS) throw new Error('the hook broke');
      return request.origin === HOOKED;
    },
  },
  logger: false,
});

let server: Server | undefined;
const sockets = new Set<Duplex>();
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  if (server !== undefined) await closeServer(server);
  server = undefined;
});

/** An 'upgrade' listener that answers 101 (without a real key check) and records that it ran. */
function recorder(name: string, seen: string[]) {
  return (_req: unknown, socket: Duplex) => {
    seen.push(name);
    sockets.add(socket);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n');
  };
}

async function start(setup: (server: Server) => void): Promise<string> {
  server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('ordinary request handler');
  });
  setup(server);
  return `http://127.0.0.1:${await listen(server)}`;
}

test('listeners added before, passed, and added after are all behind the Origin check', async () => {
  const seen: string[] = [];
  const url = await start((s) => {
    s.on('upgrade', recorder('before', seen));
    protectUpgrades(s, gatehouse, recorder('passed', seen));
    s.on('upgrade', recorder('after', seen));
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(server!.listeners('upgrade').length, 1, 'one guard in front of the three');

  const refused = await handshakeFrom(TRUSTED_PEER, url, '/ws', { origin: 'https://evil.example' });
  assert.equal(refused.status, 403);
  assert.equal(refused.headers['content-type'], 'application/problem+json');
  assert.equal(refused.headers['x-content-type-options'], 'nosniff');
  assert.equal(JSON.parse(refused.body).code, 'websocket-origin-refused');
  assert.deepEqual(seen, [], 'no listener saw the refused upgrade');

  const allowed = await handshakeFrom(TRUSTED_PEER, url, '/ws', { origin: APP });
  assert.equal(allowed.status, 101);
  assert.deepEqual(seen, ['before', 'passed', 'after']);
});

test('an Origin allowed by an asynchronous isRequestAllowed hook passes; a hook that throws is a 500', async () => {
  const seen: string[] = [];
  const url = await start((s) => protectUpgrades(s, gatehouse, recorder('ws', seen)));
  assert.equal((await handshakeFrom(TRUSTED_PEER, url, '/ws', { origin: HOOKED })).status, 101);
  const failed = await handshakeFrom(TRUSTED_PEER, url, '/ws', { origin: THROWS });
  assert.equal(failed.status, 500);
  assert.equal(JSON.parse(failed.body).code, 'internal-error');
  assert.deepEqual(seen, ['ws']);
});

test('without any upgrade listener, upgrade requests stay ordinary requests (node\'s own behaviour)', async () => {
  const url = await start((s) => protectUpgrades(s, gatehouse));
  const answer = await handshakeFrom(TRUSTED_PEER, url, '/ws', { origin: 'https://evil.example' });
  assert.equal(answer.status, 426);
  assert.equal(answer.body, 'ordinary request handler');
});

test('a second protectUpgrades on the same server is a mistake', async () => {
  await start((s) => protectUpgrades(s, gatehouse));
  assert.throws(() => protectUpgrades(server!, gatehouse), /already called/);
});
