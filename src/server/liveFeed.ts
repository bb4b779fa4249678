// GET /api/ws: a WebSocket feed of post changes (`{"type":"post.created","post":{...}}`, `post.updated`,
// `post.deleted`), for front ends that keep a list fresh. A WebSocket is not bound by CORS, so the
// handshake goes through the engine first (protectUpgrades: the Origin must be allowed, or the API's
// own), then through authentication and the permission table for /api/ws, and then the rule for reading
// posts (GET /api/posts/): a caller who may not list posts may not listen either. Each event is checked
// against that rule with the post, and the caller's credential again (expired or revoked: the socket is
// closed with 1008). Events are those of this process. On shutdown every socket is closed first (1001),
// so open feeds never hold the server open.

import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FastifyInstance } from 'fastify';
import { accessRequestOf } from '../access/accessEngine.ts';
import { nodeRequestFacts } from '../adapters/node-http.ts';
import { protectUpgrades } from '../adapters/nodeUpgrade.ts';
import type { Principal } from '../auth/principal.ts';
import { checkObject } from '../permissions/permissionCheck.ts';
import { problemJson, PROBLEM_CONTENT_TYPE } from '../problem.ts';
import type { Post } from '../store/posts.ts';
import { ownerView } from './localUser.ts';
import { postJson } from './routes/posts.ts';
import type { ServerContext } from './serverContext.ts';

export const LIVE_FEED_PATH = '/api/ws';
export type PostEvent = { type: 'post.created' | 'post.updated'; post: Post } | { type: 'post.deleted'; post: Post };

/** Where the routes announce changes; the feed listens. */
export class PostEvents extends EventEmitter<{ change: [PostEvent] }> {
  constructor() {
    super();
    // One listener per open socket: no leak warning at eleven clients.
    this.setMaxListeners(0);
  }

  announce(event: PostEvent): void {
    this.emit('change', event);
  }
}

function refuse(socket: Duplex, status: number, reason: string, headers: readonly (readonly [string, string])[], body: string): void {
  let head = `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n`;
  for (const [name, value] of headers) if (!/^content-(type|length)$/i.test(name)) head += `${name}: ${value}\r\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(`${head}\r\n${body}`);
}

/** Whether the credential behind a Principal still holds: not expired, not revoked since the handshake. */
function stillValid(principal: Principal | undefined, ctx: ServerContext): boolean {
  if (principal === undefined) return true;
  if (principal.expiresAt !== undefined && principal.expiresAt * 1000 <= Date.now()) return false;
  if (principal.method !== 'jwt' && principal.method !== 'session') return true;
  const iat = principal.claims.iat;
  return !ctx.revocation.isRevoked({
    subject: principal.subject,
    ...(principal.credentialId === undefined ? {} : { jti: principal.credentialId }),
    ...(principal.issuer === undefined ? {} : { issuer: principal.issuer }),
    ...(typeof iat === 'number' ? { issuedAt: iat } : {}),
  });
}

export function attachLiveFeed(app: FastifyInstance, ctx: ServerContext, events: PostEvents): void {
  const access = ctx.gatehouse.access!;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const server = app.server as unknown as import('node:http').Server;
  let closing = false;

  protectUpgrades(server, ctx.gatehouse, (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    if (closing) return refuse(socket, 503, 'Service Unavailable', [], problemJson('shutting-down', 503, 'Service Unavailable', 'The server is shutting down.'));
    const facts = nodeRequestFacts(req, ctx.gatehouse.proxy);
    if (facts.path !== LIVE_FEED_PATH) return refuse(socket, 404, 'Not Found', [], problemJson('not-found', 404, 'Not Found'));
    void access.check(accessRequestOf(facts, facts.clientIp)).then(
      (decision) => {
        if (!decision.allowed) return refuse(socket, decision.status, decision.status === 401 ? 'Unauthorized' : 'Forbidden', decision.headers, decision.body);
        const principal = decision.principal;
        // Listening is reading the list: the caller must pass the list's rule too.
        const readRule = access.ruleFor('GET', '/api/posts/');
        const listing = access.authorize({ method: 'GET', path: '/api/posts/' }, principal, readRule);
        if (!listing.allowed) return refuse(socket, listing.status, listing.status === 401 ? 'Unauthorized' : 'Forbidden', listing.headers, listing.body);
        const owner = ownerView(principal, ctx);
        wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
          const send = (event: PostEvent) => {
            if (!stillValid(principal, ctx)) {
              ws.close(1008, 'credentials expired or revoked');
              return;
            }
            // The whole rule with the post: its request part and, when it has one, its object part.
            if (!checkObject(readRule, { principal: owner, method: 'GET', path: `/api/posts/${event.post.id}` }, event.post).allowed) return;
            ws.send(JSON.stringify({ type: event.type, post: postJson(event.post) }));
          };
          events.on('change', send);
          // Clients only listen; a message from them is ignored, a ping keeps idle proxies from closing.
          const ping = setInterval(() => ws.ping(), 30_000);
          ping.unref();
          ws.on('close', () => {
            events.off('change', send);
            clearInterval(ping);
          });
          ws.on('error', () => ws.terminate());
          ws.send(JSON.stringify({ type: 'hello', subject: principal?.subject ?? null }));
        });
      },
      (error: unknown) => {
        ctx.logger.error({ err: error }, 'live feed: the access check failed');
        refuse(socket, 500, 'Internal Server Error', [], problemJson('internal-error', 500, 'Internal Server Error'));
      },
    );
  });
  // Before the HTTP server closes: it waits for every socket, upgraded ones included, so open feeds
  // must go first. A client that does not answer the close frame within a second is cut.
  app.addHook('preClose', async () => {
    closing = true;
    for (const client of wss.clients) client.close(1001, 'server shutting down');
    const cut = setTimeout(() => {
      for (const client of wss.clients) client.terminate();
    }, 1000);
    cut.unref();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    while (wss.clients.size > 0) await new Promise((r) => setTimeout(r, 20));
    clearTimeout(cut);
  });
}
