// WebSocket handshakes through the gateway: the Origin check and the access rules first, then the
// upstream's 101 and a byte-for-byte tunnel; refusals from Gatehouse never reach the upstream, and
// the upstream's own refusals reach the client.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { bytes, sign } from '../auth/jwtFixtures.ts';
import { closeServer, listen, startGateway, type RunningGateway } from './gatewayServer.ts';

const APP = 'https://app.example.com';
const SECRET = 'gateway-websocket-secret-0123456789abcdef012345';
const ISSUER = 'https://issuer.example';
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

interface Handshake {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  socket?: Duplex;
}

function handshake(port: number, path: string, headers: Record<string, string>): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': key, 'sec-websocket-version': '13', ...headers } });
    req.on('upgrade', (res, socket) => {
      assert.equal(res.headers['sec-websocket-accept'], createHash('sha1').update(key + GUID).digest('base64'));
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '', socket });
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends bytes through the tunnel and reads the echo back. */
function roundTrip(socket: Duplex, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= payload.length) {
        socket.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
    socket.write(payload);
  });
}

describe('WebSocket upgrades through the gateway', () => {
  let upstream: Server;
  let upstreamUrl: string;
  let gateway: RunningGateway;
  let handshakes = 0;
  const tunnels = new Set<Socket>();

  before(async () => {
    upstream = createServer((_req, res) => res.end('not a websocket'));
    upstream.on('upgrade', (req, socket: Socket) => {
      handshakes++;
      tunnels.add(socket);
      socket.on('error', () => undefined);
      if (req.url === '/ws/refuse') {
        const body = '{"error":"no room"}';
        socket.end(`HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        return;
      }
      const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${GUID}`).digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n` +
          `X-Seen-Subject: ${req.headers['x-gatehouse-subject'] ?? '-'}\r\nX-Seen-For: ${req.headers['x-forwarded-for'] ?? '-'}\r\nAccess-Control-Allow-Origin: *\r\n\r\n`,
      );
      socket.pipe(socket);
    });
    upstreamUrl = `http://127.0.0.1:${await listen(upstream)}`;
    gateway = await startGateway(upstreamUrl, {
      cors: { allowedOrigins: [APP] },
      auth: { jwt: { issuers: [{ issuer: ISSUER, audience: 'api', algorithms: ['HS256'], secret: SECRET }] } },
      permissions: [
        { path: '/ws/*', rule: 'any' },
        { path: '/private/*', rule: 'authenticated' },
      ],
    });
  });
  after(async () => {
    await gateway.close();
    for (const socket of tunnels) socket.destroy();
    await closeServer(upstream);
  });

  const token = () => sign({ iss: ISSUER, aud: 'api', sub: 'alice', exp: Math.floor(Date.now() / 1000) + 600 }, bytes(SECRET), { alg: 'HS256' });

  const allowed: { why: string; path: string; headers: () => Promise<Record<string, string>> | Record<string, string>; subject: string }[] = [
    { why: 'an allowed Origin', path: '/ws/chat', headers: () => ({ origin: APP }), subject: '-' },
    { why: 'no Origin (not a browser)', path: '/ws/chat', headers: () => ({}), subject: '-' },
    { why: 'the server\'s own origin', path: '/ws/chat', headers: () => ({ origin: `http://127.0.0.1:${gateway.port}` }), subject: '-' },
    { why: 'a token on a route that needs one; the upstream sees the subject, not the forged one', path: '/private/feed', headers: async () => ({ origin: APP, authorization: `Bearer ${await token()}`, 'x-gatehouse-subject': 'mallory' }), subject: 'alice' },
  ];
  for (const row of allowed) {
    test(`opens and tunnels: ${row.why}`, async () => {
      const answer = await handshake(gateway.port, row.path, await row.headers());
      assert.equal(answer.status, 101, answer.body);
      assert.equal(answer.headers['x-seen-subject'], row.subject);
      assert.equal(answer.headers['x-seen-for'], '127.0.0.1');
      assert.equal(answer.headers['access-control-allow-origin'], undefined, 'the upstream\'s CORS header is removed');
      const payload = randomBytes(256 * 1024);
      assert.deepEqual(await roundTrip(answer.socket!, payload), payload);
      answer.socket!.destroy();
    });
  }

  const refused: { why: string; path: string; headers: Record<string, string>; status: number; code: string }[] = [
    { why: 'another site\'s Origin (cross-site WebSocket hijacking)', path: '/ws/chat', headers: { origin: 'https://evil.example.net' }, status: 403, code: 'websocket-origin-refused' },
    { why: 'the literal null Origin', path: '/ws/chat', headers: { origin: 'null' }, status: 403, code: 'websocket-origin-refused' },
    { why: 'no credentials on a route that needs them', path: '/private/feed', headers: { origin: APP }, status: 401, code: 'not-authenticated' },
    { why: 'a dot segment in the path', path: '/ws/%2e%2e/private/feed', headers: { origin: APP }, status: 400, code: 'gateway-ambiguous-path' },
  ];
  for (const row of refused) {
    test(`refused by Gatehouse, the upstream never asked: ${row.why}`, async () => {
      const before = handshakes;
      const answer = await handshake(gateway.port, row.path, row.headers);
      assert.equal(answer.status, row.status, answer.body);
      assert.equal((JSON.parse(answer.body) as { code: string }).code, row.code);
      assert.equal(handshakes, before);
    });
  }

  test('the upstream\'s own refusal reaches the client', async () => {
    const answer = await handshake(gateway.port, '/ws/refuse', { origin: APP });
    assert.equal(answer.status, 409);
    assert.equal(answer.body, '{"error":"no room"}');
  });

  test('an upgrade to anything but WebSocket is refused (h2c through a proxy bypasses its rules)', async () => {
    const answer = await new Promise<Handshake>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: gateway.port, path: '/ws/chat', agent: false, headers: { connection: 'Upgrade, HTTP2-Settings', upgrade: 'h2c', 'http2-settings': 'AAMAAABkAARAAAAAAAIAAAAA' } });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(answer.status, 400);
    assert.equal((JSON.parse(answer.body) as { code: string }).code, 'gateway-upgrade-unsupported');
  });

  test('an upstream that is down: 502 problem+json and a log line naming it', async () => {
    const spare = createServer();
    const port = await listen(spare);
    await closeServer(spare);
    const down = await startGateway(`http://127.0.0.1:${port}`, { cors: { allowedOrigins: [APP] } });
    try {
      const answer = await handshake(down.port, '/ws/chat', { origin: APP });
      assert.equal(answer.status, 502);
      assert.equal((JSON.parse(answer.body) as { code: string }).code, 'upstream-unavailable');
      assert.ok(down.logs.some((e) => e.level === 'error' && e.message.includes(`http://127.0.0.1:${port}`)));
    } finally {
      await down.close();
    }
  });

  test('closing the gateway closes its open tunnels', async () => {
    const own = await startGateway(upstreamUrl, { cors: { allowedOrigins: [APP] } });
    const answer = await handshake(own.port, '/ws/chat', { origin: APP });
    assert.equal(answer.status, 101);
    const closed = new Promise<void>((resolve) => answer.socket!.once('close', () => resolve()));
    await own.close();
    await closed;
  });
});
