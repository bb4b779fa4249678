// The gateway against small node upstreams: what it forwards and strips both ways, what it answers
// itself (preflights, refusals, ambiguous paths), and how it fails when the upstream is down, slow,
// or answers garbage, without ever stopping serving.

import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { bytes, sign } from '../auth/jwtFixtures.ts';
import { send } from '../helpers/httpClient.ts';
import { sendRaw, startGateway, startUpstream, type NodeUpstream, type RunningGateway } from './gatewayServer.ts';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';
const SECRET = 'gateway-test-secret-0123456789abcdef0123456789';
const ISSUER = 'https://issuer.example';

const token = (claims: Record<string, unknown>) =>
  sign({ iss: ISSUER, aud: 'api', iat: Math.floor(Date.now() / 1000) - 10, exp: Math.floor(Date.now() / 1000) + 600, ...claims }, bytes(SECRET), { alg: 'HS256', typ: 'JWT' });

const AUTH = {
  auth: { jwt: { issuers: [{ issuer: ISSUER, audience: 'api', algorithms: ['HS256'], secret: SECRET }] } },
  permissions: [
    { methods: ['GET', 'POST'], path: '/public/*', rule: 'any' },
    { path: '/admin/*', rule: 'admin' },
  ],
  defaultRule: 'authenticated',
};

/** An upstream that answers every request with what it received, plus headers of its own. */
function echo(extra: Record<string, string | string[]> = {}): (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...extra });
      res.end(body);
    });
  };
}

interface Echoed {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

describe('the request the upstream receives', () => {
  let upstream: NodeUpstream;
  let gateway: RunningGateway;
  let preserving: RunningGateway;
  before(async () => {
    upstream = await startUpstream(echo());
    gateway = await startGateway(upstream.url, { cors: { allowedOrigins: [APP] }, ...AUTH });
    preserving = await startGateway({ url: upstream.url, preserveHost: true, principalHeaders: { prefix: 'X-Auth-' } }, { cors: { allowedOrigins: [APP] }, ...AUTH });
  });
  after(async () => {
    await gateway.close();
    await preserving.close();
    await upstream.close();
  });

  const rows: { why: string; headers: Record<string, string | string[]>; path?: string; expect: Record<string, string | undefined> }[] = [
    { why: 'X-Forwarded-For keeps the client\'s chain and appends this hop', headers: { 'x-forwarded-for': '203.0.113.9, 198.51.100.2' }, expect: { 'x-forwarded-for': '203.0.113.9, 198.51.100.2, 127.0.0.1' } },
    { why: 'two X-Forwarded-For lines are one chain', headers: { 'x-forwarded-for': ['203.0.113.9', '198.51.100.2'] }, expect: { 'x-forwarded-for': '203.0.113.9, 198.51.100.2, 127.0.0.1' } },
    { why: 'X-Forwarded-Proto and -Host are what this gateway saw, not what the client claims', headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'bank.example' }, expect: { 'x-forwarded-proto': 'http', 'x-forwarded-host': '127.0.0.1:PORT' } },
    { why: 'Forwarded (RFC 7239) appends an element; a host with a port is quoted', headers: { forwarded: 'for=192.0.2.60;proto=https' }, expect: { forwarded: 'for=192.0.2.60;proto=https, for=127.0.0.1;host="127.0.0.1:PORT";proto=http' } },
    { why: 'the fields Connection names are dropped, and so are Keep-Alive, TE and Proxy-*', headers: { connection: 'keep-alive, x-hop', 'x-hop': '1', 'keep-alive': 'timeout=5', te: 'trailers', 'proxy-authorization': 'Basic eDp5', 'x-end': 'kept' }, expect: { 'x-hop': undefined, 'keep-alive': undefined, te: undefined, 'proxy-authorization': undefined, 'x-end': 'kept' } },
    { why: 'Connection cannot remove Host or Content-Length', headers: { connection: 'host, content-length' }, expect: { host: 'UPSTREAM' } },
    { why: 'client-sent principal headers are stripped, whatever their case', headers: { 'x-gatehouse-subject': 'user-admin', 'X-GATEHOUSE-ROLES': 'admin', 'x-gatehouse-anything': '1' }, path: '/public/x', expect: { 'x-gatehouse-subject': undefined, 'x-gatehouse-roles': undefined, 'x-gatehouse-anything': undefined } },
    { why: 'Host is the upstream\'s by default', headers: {}, expect: { host: 'UPSTREAM' } },
    { why: 'Origin, Authorization and other end-to-end fields pass', headers: { origin: APP, 'x-request-id': 'abc' }, path: '/public/x', expect: { origin: APP, 'x-request-id': 'abc' } },
  ];
  for (const row of rows) {
    test(row.why, async () => {
      const response = await send(gateway.url, 'GET', row.path ?? '/public/x', row.headers);
      assert.equal(response.status, 200, response.body);
      const seen = JSON.parse(response.body) as Echoed;
      for (const [name, expected] of Object.entries(row.expect)) {
        const value = expected?.replace('PORT', String(gateway.port)).replace('UPSTREAM', `127.0.0.1:${upstream.port}`);
        assert.equal(seen.headers[name], value, `${name}: ${JSON.stringify(seen.headers)}`);
      }
    });
  }

  test('the Principal reaches the upstream: subject (percent-encoded beyond ASCII), kind, method, scopes, roles', async () => {
    const jwt = await token({ sub: 'José Díaz', scope: 'posts:read posts:write', roles: ['admin', 'release manager'] });
    const seen = JSON.parse((await send(gateway.url, 'GET', '/admin/x', { authorization: `Bearer ${jwt}`, 'x-gatehouse-subject': 'forged' })).body) as Echoed;
    assert.equal(seen.headers['x-gatehouse-subject'], 'Jos%C3%A9%20D%C3%ADaz');
    assert.equal(decodeURIComponent(seen.headers['x-gatehouse-subject']!), 'José Díaz');
    assert.equal(seen.headers['x-gatehouse-kind'], 'user');
    assert.equal(seen.headers['x-gatehouse-auth-method'], 'jwt');
    assert.equal(seen.headers['x-gatehouse-scopes'], 'posts:read posts:write');
    assert.equal(seen.headers['x-gatehouse-roles'], 'admin release%20manager');
  });

  test('an anonymous caller sends no principal header', async () => {
    const seen = JSON.parse((await send(gateway.url, 'GET', '/public/x')).body) as Echoed;
    assert.deepEqual(Object.keys(seen.headers).filter((name) => name.startsWith('x-gatehouse-')), []);
  });

  test('a custom prefix names and strips its own headers; preserveHost sends the client\'s Host', async () => {
    const jwt = await token({ sub: 'alice' });
    const seen = JSON.parse((await send(preserving.url, 'GET', '/public/x', { authorization: `Bearer ${jwt}`, 'x-auth-subject': 'mallory', host: 'api.example.com' })).body) as Echoed;
    assert.equal(seen.headers['x-auth-subject'], 'alice');
    assert.equal(seen.headers.host, 'api.example.com');
    assert.equal(seen.headers['x-forwarded-host'], 'api.example.com');
  });

  test('an absolute-form target reaches the upstream as its path, never with the client\'s host', async () => {
    const absolute = JSON.parse((await sendRaw(gateway.port, 'GET', 'http://evil.example/public/x?q=1')).body) as Echoed;
    assert.equal(absolute.url, '/public/x?q=1');
    assert.equal(absolute.headers.host, `127.0.0.1:${upstream.port}`);
  });

  test('request bodies: Content-Length, chunked, empty, and Expect: 100-continue', async () => {
    const post = (headers: Record<string, string>, chunks: string[]) =>
      new Promise<Echoed>((resolve, reject) => {
        const req = httpRequest(`${gateway.url}/public/upload`, { method: 'POST', headers, agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(JSON.parse(body) as Echoed));
        });
        req.on('error', reject);
        if (headers.expect) req.on('continue', () => req.end(chunks.join('')));
        else {
          for (const chunk of chunks) req.write(chunk);
          req.end();
        }
      });
    const sized = await post({ 'content-length': '11', 'content-type': 'text/plain' }, ['hello', ' world']);
    assert.equal(sized.body, 'hello world');
    assert.equal(sized.headers['content-length'], '11');
    const chunked = await post({ 'transfer-encoding': 'chunked' }, ['a', 'b', 'c']);
    assert.equal(chunked.body, 'abc');
    // Undici frames a body it has already fully received with Content-Length, else chunked.
    assert.ok(chunked.headers['transfer-encoding'] === 'chunked' || chunked.headers['content-length'] === '3');
    const empty = await post({ 'content-length': '0' }, []);
    assert.equal(empty.body, '');
    assert.equal(empty.headers['content-length'], '0');
    const continued = await post({ 'content-length': '3', expect: '100-continue' }, ['xyz']);
    assert.equal(continued.body, 'xyz');
    assert.equal(continued.headers.expect, undefined);
  });

  test('a GET without a body is sent without one (no empty chunked body)', async () => {
    const seen = JSON.parse((await send(gateway.url, 'GET', '/public/x')).body) as Echoed;
    assert.equal(seen.headers['transfer-encoding'], undefined);
    assert.equal(seen.headers['content-length'], undefined);
  });
});

describe('what Gatehouse answers itself, never reaching the upstream', () => {
  let upstream: NodeUpstream;
  let gateway: RunningGateway;
  before(async () => {
    upstream = await startUpstream(echo());
    gateway = await startGateway(upstream.url, { cors: { allowedOrigins: [APP] }, ...AUTH });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  const rows: { why: string; method: string; path: string; headers?: Record<string, string>; status: number; code?: string }[] = [
    { why: 'a preflight', method: 'OPTIONS', path: '/admin/x', headers: { origin: APP, 'access-control-request-method': 'DELETE' }, status: 200 },
    { why: 'a refused preflight', method: 'OPTIONS', path: '/admin/x', headers: { origin: EVIL, 'access-control-request-method': 'DELETE' }, status: 200 },
    { why: 'an anonymous caller on a protected route', method: 'GET', path: '/admin/x', status: 401, code: 'not-authenticated' },
    { why: 'a bad token', method: 'GET', path: '/public/x', headers: { authorization: 'Bearer a.b.c' }, status: 401, code: 'invalid-token' },
    { why: 'an encoded dot segment', method: 'GET', path: '/public/%2e%2e/admin/x', status: 400, code: 'gateway-ambiguous-path' },
    { why: 'a plain dot segment', method: 'GET', path: '/public/../admin/x', status: 400, code: 'gateway-ambiguous-path' },
    { why: 'an encoded slash (WSGI decodes it into a real one)', method: 'GET', path: '/public/x%2F..%2F..%2Fadmin', status: 400, code: 'gateway-ambiguous-path' },
    { why: 'an encoded backslash', method: 'GET', path: '/public/x%5C..%5Cadmin', status: 400, code: 'gateway-ambiguous-path' },
    { why: 'an encoded NUL', method: 'GET', path: '/public/x%00', status: 400, code: 'gateway-ambiguous-path' },
  ];
  for (const row of rows) {
    test(`${row.why}: ${row.status}`, async () => {
      const before = upstream.seen.length;
      const response = await sendRaw(gateway.port, row.method, row.path, row.headers);
      assert.equal(response.status, row.status, response.body);
      assert.equal(upstream.seen.length, before, 'the upstream was reached');
      if (row.code !== undefined) assert.equal((JSON.parse(response.body) as { code: string }).code, row.code);
    });
  }

  test('a dot inside a segment, an encoded space and a query with ../ are forwarded', async () => {
    for (const path of ['/public/file.v2.json', '/public/a%20b', '/public/x?next=../admin%2Fy']) {
      const response = await sendRaw(gateway.port, 'GET', path);
      assert.equal(response.status, 200, `${path}: ${response.body}`);
      assert.equal((JSON.parse(response.body) as Echoed).url, path);
    }
  });
});

describe('the response the client receives', () => {
  let upstream: NodeUpstream;
  let gateway: RunningGateway;
  let keeping: RunningGateway;
  before(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.url === '/no-content') {
        res.writeHead(204, { 'access-control-allow-origin': '*' });
        res.end();
        return;
      }
      res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; Path=/']);
      res.setHeader('Vary', 'Accept-Encoding');
      res.setHeader('Connection', 'x-up-hop');
      res.setHeader('X-Up-Hop', 'dropped');
      res.setHeader('Proxy-Authenticate', 'Basic');
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Expose-Headers', 'X-Internal');
      res.setHeader('X-App', 'kept');
      res.end(req.method === 'HEAD' ? undefined : 'ok');
    });
    const cors = { allowedOrigins: [APP], urlsRegex: '^/api/' };
    gateway = await startGateway(upstream.url, { cors });
    keeping = await startGateway({ url: upstream.url, keepUpstreamCors: true }, { cors });
  });
  after(async () => {
    await gateway.close();
    await keeping.close();
    await upstream.close();
  });

  const rows: { why: string; gateway: () => RunningGateway; path: string; origin?: string; expect: Record<string, string | null> }[] = [
    { why: 'an allowed origin gets Gatehouse\'s CORS headers, none of the upstream\'s', gateway: () => gateway, path: '/api/x', origin: APP, expect: { 'access-control-allow-origin': APP, 'access-control-allow-credentials': null, 'access-control-expose-headers': null, vary: 'Accept-Encoding, Origin' } },
    { why: 'a refused origin gets no CORS header, though the upstream said *', gateway: () => gateway, path: '/api/x', origin: EVIL, expect: { 'access-control-allow-origin': null, 'access-control-allow-credentials': null, 'access-control-expose-headers': null } },
    { why: 'outside the CORS paths the upstream\'s CORS headers are removed too', gateway: () => gateway, path: '/other', origin: EVIL, expect: { 'access-control-allow-origin': null, 'access-control-expose-headers': null, vary: 'Accept-Encoding' } },
    { why: 'keepUpstreamCors: outside the CORS paths the upstream answers CORS itself', gateway: () => keeping, path: '/other', origin: EVIL, expect: { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'X-Internal' } },
    { why: 'keepUpstreamCors: on Gatehouse\'s paths its Allow-Origin still wins', gateway: () => keeping, path: '/api/x', origin: EVIL, expect: { 'access-control-allow-origin': null, 'access-control-allow-credentials': null } },
    { why: 'hop-by-hop fields of the upstream are dropped, end-to-end ones kept', gateway: () => gateway, path: '/api/x', expect: { 'x-up-hop': null, 'proxy-authenticate': null, 'x-app': 'kept' } },
  ];
  for (const row of rows) {
    test(row.why, async () => {
      const response = await send(row.gateway().url, 'GET', row.path, row.origin === undefined ? {} : { origin: row.origin });
      assert.equal(response.status, 200);
      assert.equal(response.body, 'ok');
      for (const [name, expected] of Object.entries(row.expect)) assert.equal(response.headers[name] ?? null, expected, name);
    });
  }

  test('every Set-Cookie line arrives on its own line', async () => {
    const response = await send(gateway.url, 'GET', '/api/x');
    assert.deepEqual(response.headerLines['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
  });

  test('HEAD and 204 carry no body', async () => {
    const head = await send(gateway.url, 'HEAD', '/api/x', { origin: APP });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['access-control-allow-origin'], APP);
    const empty = await send(gateway.url, 'GET', '/no-content', { origin: EVIL });
    assert.equal(empty.status, 204);
    assert.equal(empty.headers['access-control-allow-origin'], undefined);
  });
});

/** A TCP server that does whatever `onSocket` does with each connection: the broken upstreams. */
async function rawUpstream(onSocket: (socket: Socket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers once the request head has arrived. */
const onHead = (answer: (socket: Socket) => void) => (socket: Socket) => {
  let head = '';
  socket.on('data', (chunk: Buffer) => {
    head += chunk.toString('latin1');
    if (head.includes('\r\n\r\n')) {
      head = '';
      answer(socket);
    }
  });
};

describe('a failing upstream: 502 or 504 problem+json, a log line naming it, and the gateway keeps serving', () => {
  const cases: { why: string; upstream: (socket: Socket) => void; status: number; code: string; cause: RegExp; timeouts?: Record<string, number> }[] = [
    { why: 'the upstream closes the connection without answering', upstream: onHead((s) => s.destroy()), status: 502, code: 'upstream-unavailable', cause: /closed|reset/ },
    { why: 'the upstream answers garbage', upstream: onHead((s) => s.end('HELLO THERE\r\n\r\n')), status: 502, code: 'upstream-invalid-response', cause: /malformed/ },
    { why: 'the upstream sends a header line without a colon', upstream: onHead((s) => s.end('HTTP/1.1 200 OK\r\nBroken header\r\nContent-Length: 0\r\n\r\n')), status: 502, code: 'upstream-invalid-response', cause: /malformed/ },
    { why: 'the upstream answers status 700', upstream: onHead((s) => s.end('HTTP/1.1 700 Odd\r\nContent-Length: 0\r\n\r\n')), status: 502, code: 'upstream-invalid-response', cause: /700/ },
    { why: 'the upstream never answers', upstream: () => undefined, status: 504, code: 'upstream-timeout', cause: /no response head in time/, timeouts: { headersTimeoutMs: 300 } },
  ];
  for (const c of cases) {
    test(c.why, async () => {
      const upstream = await rawUpstream(c.upstream);
      const gateway = await startGateway({ url: upstream.url, ...c.timeouts }, { cors: { allowedOrigins: [APP] } });
      try {
        const response = await send(gateway.url, 'GET', '/api/x', { origin: APP });
        assert.equal(response.status, c.status, response.body);
        assert.equal(response.headers['content-type'], 'application/problem+json');
        assert.equal(response.headers['access-control-allow-origin'], APP, 'a page can read the failure');
        const body = JSON.parse(response.body) as { code: string; status: number; detail: string };
        assert.equal(body.code, c.code);
        assert.equal(body.status, c.status);
        assert.ok(!response.body.includes('127.0.0.1'), 'the body names no internal address');
        const line = gateway.logs.find((entry) => entry.level === 'error');
        assert.ok(line !== undefined, 'an error line was logged');
        assert.ok(line.message.includes(upstream.url), `the line names the upstream: ${line.message}`);
        assert.match(line.message, c.cause);
        assert.match(line.message, /GET \/api\/x/);
      } finally {
        await gateway.close();
        await upstream.close();
      }
    });
  }

  test('an upstream that is not listening: 502, and the next request after it comes back succeeds', async () => {
    const upstream = await startUpstream(echo());
    const url = upstream.url;
    await upstream.close();
    const gateway = await startGateway(url, {});
    try {
      const down = await send(gateway.url, 'GET', '/x');
      assert.equal(down.status, 502);
      assert.equal((JSON.parse(down.body) as { code: string }).code, 'upstream-unavailable');
      assert.match(gateway.logs.find((e) => e.level === 'error')!.message, /connection refused/);
      const again = await startUpstreamOn(Number(new URL(url).port));
      try {
        const up = await send(gateway.url, 'GET', '/x');
        assert.equal(up.status, 200);
      } finally {
        await again.close();
      }
    } finally {
      await gateway.close();
    }
  });

  test('a body cut short after the head: the client connection is closed, not a truncated success', async () => {
    const upstream = await rawUpstream(onHead((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..')));
    const gateway = await startGateway(upstream.url, {});
    try {
      await assert.rejects(send(gateway.url, 'GET', '/x'));
      assert.match(gateway.logs.find((e) => e.level === 'error')!.message, /after the response had started/);
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });

  test('a body that stalls past bodyTimeoutMs: the client connection is closed', async () => {
    const upstream = await rawUpstream(onHead((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nstart')));
    const gateway = await startGateway({ url: upstream.url, bodyTimeoutMs: 300 }, {});
    try {
      const t0 = Date.now();
      await assert.rejects(send(gateway.url, 'GET', '/x'));
      assert.ok(Date.now() - t0 < 5000);
      assert.match(gateway.logs.find((e) => e.level === 'error')!.message, /stalled/);
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });

  test('a client that goes away mid-response aborts the upstream request', async () => {
    let upstreamClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    const upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first chunk');
      res.on('close', () => upstreamClosed());
    });
    const gateway = await startGateway(upstream.url, {});
    try {
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${gateway.url}/x`, { agent: false }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => undefined);
        req.on('close', () => undefined);
        setTimeout(() => reject(new Error('no first chunk')), 5000).unref();
        req.end();
      });
      await closed;
      assert.equal(gateway.logs.filter((e) => e.level === 'error').length, 0, 'a client leaving is not an upstream failure');
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });

  test('a client that hangs up while its request is at the upstream leaves no idle upstream connection behind', async () => {
    // As gunicorn's sync workers: one connection per answer, and an open idle connection pins a worker.
    const upstream = await startUpstream((_req, res) => {
      res.shouldKeepAlive = false;
      setTimeout(() => res.end('{}'), 200);
    });
    const open = new Set<Socket>();
    upstream.server.on('connection', (socket: Socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    const gateway = await startGateway(upstream.url, {});
    try {
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve) => {
          const req = httpRequest(`${gateway.url}/slow`, { agent: false });
          req.on('error', () => resolve());
          req.end();
          setTimeout(() => req.destroy(), 100);
        });
      }
      // Well within undici's 4 s keep-alive timeout, past the upstream's answers.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(upstream.seen.length, 3, 'each request reached the upstream once');
      assert.equal(open.size, 0, 'no upstream connection is left open for a request whose client has gone');
      assert.equal(gateway.logs.filter((e) => e.level === 'error').length, 0, 'a client leaving is not an upstream failure');
      const after = await send(gateway.url, 'GET', '/after');
      assert.equal(after.status, 200, 'the pool still serves');
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });

  test('connections caps the connections opened to the upstream', async () => {
    let open = 0;
    let most = 0;
    const upstream = await startUpstream((_req, res) => {
      open++;
      most = Math.max(most, open);
      setTimeout(() => {
        open--;
        res.end('ok');
      }, 50);
    });
    const gateway = await startGateway({ url: upstream.url, connections: 1 }, {});
    try {
      const answers = await Promise.all([1, 2, 3, 4].map(() => send(gateway.url, 'GET', '/x')));
      assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200]);
      assert.equal(most, 1);
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });
});

async function startUpstreamOn(port: number): Promise<{ close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const server = createServer(echo());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('listenGateway: the server `gatehouse serve --upstream` runs', () => {
  test('serves through Gatehouse, then closes with a request in flight finishing first', async () => {
    const { createGatehouse } = await import('../../src/gatehouse.ts');
    const { listenGateway } = await import('../../src/gateway/listenGateway.ts');
    const upstream = await startUpstream((_req, res) => setTimeout(() => res.end('{"slow":true}'), 200));
    const running = await listenGateway({ gatehouse: createGatehouse({ cors: { allowedOrigins: [APP] }, logger: false }), upstream: upstream.url, port: 0 });
    try {
      assert.match(running.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const inFlight = send(running.url, 'GET', '/x', { origin: APP });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const closed = running.close();
      const answer = await inFlight;
      assert.equal(answer.status, 200);
      assert.equal(answer.body, '{"slow":true}');
      assert.equal(answer.headers['access-control-allow-origin'], APP);
      await closed;
      await assert.rejects(send(running.url, 'GET', '/x'));
    } finally {
      await running.close();
      await upstream.close();
    }
  });
});
