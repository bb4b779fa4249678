// The API the browser suite counts on: Gatehouse's node:http adapter (withGatehouse) in front of a
// small posts handler that implements every route the demo page's probes use, plus a counter at the
// socket's side of the adapter. `received` is every request that reached the server (preflights
// included); `handled` is every request that reached the handler. A request in `received` but not
// in `handled` was answered by Gatehouse itself (a preflight, a strict-mode refusal).
//
// `gatehouse serve` runs the cases that need no counting; this one exists because serve's handler
// cannot be counted from outside, and serve has no /api/public/, /api/private/ or /api/ws. Its routes
// are laid out as serve's: POST /api/token/ signs in (and, as the cookie login being added to serve
// will, sets a session cookie), GET /api/users/me says who the cookie or the bearer token is.

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { nodeRequestFacts, withGatehouse } from '../../src/adapters/node-http.ts';
import { createGatehouse, type Gatehouse, type GatehouseOptions } from '../../src/gatehouse.ts';
import { problemJson, PROBLEM_CONTENT_TYPE } from '../../src/problem.ts';

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  /** The probe that sent it (the page adds ?via=<probe> to every request). */
  readonly via: string | undefined;
  readonly origin: string | undefined;
  readonly preflight: boolean;
  readonly cookie: boolean;
  readonly authorization: boolean;
  readonly fetchSite: string | undefined;
  /** The status the server answered with (set when the answer is sent; 101 for a WebSocket). */
  status?: number;
}

export interface ProbeApi {
  readonly url: string;
  readonly gatehouse: Gatehouse;
  readonly received: SeenRequest[];
  readonly handled: SeenRequest[];
  /** Requests of one probe that reached the server / the handler. */
  count(where: 'received' | 'handled', via: string, filter?: (r: SeenRequest) => boolean): number;
  close(): Promise<void>;
}

export const SESSION_COOKIE = 'gh_session';
const POSTS = [
  { id: 1, title: 'Welcome to Gatehouse', body: 'Readable only from the origins you allow.' },
  { id: 2, title: 'CORS binds browsers', body: 'curl is stopped by authentication.' },
  { id: 3, title: 'Preflights', body: 'Answered by Gatehouse, never by the handler.' },
];

/** What the counters keep of a request (the gateway's counter in gatewayTarget.ts too). */
export function seen(req: IncomingMessage): SeenRequest {
  const url = new URL(req.url ?? '/', 'http://api.invalid');
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    via: url.searchParams.get('via') ?? undefined,
    origin: req.headers.origin,
    preflight: req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined,
    cookie: (req.headers.cookie ?? '').includes(`${SESSION_COOKIE}=`),
    authorization: req.headers.authorization !== undefined,
    fetchSite: req.headers['sec-fetch-site'] as string | undefined,
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function problem(res: ServerResponse, status: number, code: string, title: string): void {
  const text = problemJson(code, status, title);
  res.writeHead(status, { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function drain(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req as AsyncIterable<Buffer>) body += chunk.toString('utf8');
  return body;
}

function postsHandler(handled: SeenRequest[]) {
  let nextId = 100;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const request = seen(req);
    handled.push(request);
    const body = await drain(req);
    const { method, path } = request;
    const isJson = /^application\/json\b/i.test(req.headers['content-type'] ?? '');
    if (path === '/api/posts/') {
      if (method === 'GET' || method === 'HEAD') return json(res, 200, { count: POSTS.length, results: POSTS }, { 'X-Request-Id': randomBytes(8).toString('hex') });
      if (method === 'POST') {
        if (!isJson) return problem(res, 415, 'unsupported-media-type', 'Unsupported Media Type');
        return json(res, 201, { id: nextId++, ...(JSON.parse(body) as object) });
      }
    }
    const post = /^\/api\/posts\/(\d+)$/.exec(path);
    if (post !== null) {
      if (method === 'DELETE') {
        res.writeHead(204);
        res.end();
        return;
      }
      if (method === 'PUT' || method === 'PATCH') return json(res, 200, { id: Number(post[1]), ...(JSON.parse(body || '{}') as object) });
      if (method === 'GET') return json(res, 200, POSTS[0]);
    }
    if (path === '/api/token/' && method === 'POST') {
      // A session cookie as a real API sets it: HttpOnly, SameSite=Lax (sent on same-site requests
      // and top-level navigations only). Any password will do here.
      const cookie = `${SESSION_COOKIE}=${randomBytes(8).toString('hex')}; Path=/; HttpOnly; SameSite=Lax`;
      return json(res, 200, { access: 'probe-access-token', refresh: 'probe-refresh-token' }, { 'Set-Cookie': cookie });
    }
    if (path === '/api/users/me' && method === 'GET') {
      const signedIn = request.cookie || req.headers.authorization === 'Bearer probe-access-token';
      return signedIn ? json(res, 200, { id: 1, username: 'alice' }) : problem(res, 401, 'not-authenticated', 'Unauthorized');
    }
    if (path === '/api/public/' && method === 'GET') return json(res, 200, { message: 'public notice: anyone may read this' });
    if (path === '/api/private/' && method === 'GET') return json(res, 200, { message: 'private data for the front end only' });
    problem(res, 404, 'not-found', 'Not Found');
  };
}

/** The engine's Origin check of upgrade requests (gatehouse.upgrades), when this Gatehouse has one. */
interface UpgradeCheck {
  decide(facts: ReturnType<typeof nodeRequestFacts> & { target: string; clientIp: string | undefined }): UpgradeRefusal | undefined | Promise<UpgradeRefusal | undefined>;
}
interface UpgradeRefusal {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

export function upgradeCheckOf(gatehouse: Gatehouse): UpgradeCheck | undefined {
  const upgrades = (gatehouse as { upgrades?: Partial<UpgradeCheck> }).upgrades;
  return typeof upgrades?.decide === 'function' ? (upgrades as UpgradeCheck) : undefined;
}

/**
 * A WebSocket endpoint as a server that handles upgrades itself writes one: Gatehouse's Origin check
 * first (RFC 6455 §10.2: the server must check Origin), then the handshake of RFC 6455 §4.2.2 and one
 * text frame. Without a check (behind the gateway, which checked already) it accepts every handshake.
 */
export async function acceptWebSocket(req: IncomingMessage, socket: Duplex, handled: SeenRequest[], check: UpgradeCheck | undefined): Promise<number> {
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || new URL(req.url ?? '/', 'http://api.invalid').pathname !== '/api/ws') {
    socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return 400;
  }
  const refusal = await check?.decide({ ...nodeRequestFacts(req), target: req.url ?? '/', clientIp: req.socket.remoteAddress });
  if (refusal !== undefined) {
    const head = refusal.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.end(`HTTP/1.1 ${refusal.status} Forbidden\r\n${head}Connection: close\r\n\r\n${refusal.body}`);
    return refusal.status;
  }
  handled.push(seen(req));
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const payload = Buffer.from('{"hello":"from the API"}');
  // One unmasked final text frame (opcode 1), payload shorter than 126 bytes (RFC 6455 §5.2).
  socket.write(Buffer.concat([Buffer.from([0x81, payload.length]), payload]));
  socket.on('data', () => {
    // Anything from the client (its close frame) ends the exchange.
    socket.end();
  });
  socket.on('error', () => socket.destroy());
  return 101;
}

export async function startProbeApi(options: GatehouseOptions): Promise<ProbeApi> {
  const received: SeenRequest[] = [];
  const handled: SeenRequest[] = [];
  const gatehouse = createGatehouse({ logger: false, ...options });
  const gated = withGatehouse(postsHandler(handled), gatehouse);
  const sockets = new Set<Duplex>();
  const server: Server = createServer((req, res) => {
    const entry = seen(req);
    received.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    gated(req, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const entry = seen(req);
    received.push(entry);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    acceptWebSocket(req, socket, handled, upgradeCheckOf(gatehouse)).then(
      (status) => (entry.status = status),
      () => socket.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    gatehouse,
    received,
    handled,
    count: (where, via, filter = () => true) => (where === 'received' ? received : handled).filter((r) => r.via === via && filter(r)).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
