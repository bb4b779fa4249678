// GET /api/ws: a WebSocket feed of post changes (`{"type":"post.created","post":{...}}`, `post.updated`,
// `post.deleted`), for front ends that keep a list fresh. A WebSocket is not bound by CORS, so the
// handshake goes through the engine first (protectUpgrades: the Origin must be allowed, or the API's
// own), then through authentication and the permission table like any GET; each event is sent only to
// callers whose GET rule allows that post. Events are those of this process.

import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FastifyInstance } from 'fastify';
import { accessRequestOf } from '../access/accessEngine.ts';
import { nodeRequestFacts } from '../adapters/node-http.ts';
import { protectUpgrades } from '../adapters/nodeUpgrade.ts';
import { checkObject } from '../permissions/permissionCheck.ts';
import { problemJson, PROBLEM_CONTENT_TYPE } from '../problem.ts';
import type { Post } from '../store/posts.ts';
import { postJson } from './routes/posts.ts';
import type { ServerContext } from './serverContext.ts';

export const LIVE_FEED_PATH = '/api/ws';
export type PostEvent = { type: 'post.created' | 'post.updated'; post: Post } | { type: 'post.deleted'; post: Post };

/** Where the routes announce changes; the feed listens. */
export class PostEvents extends EventEmitter<{ change: [PostEvent] }> {
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

export function attachLiveFeed(app: FastifyInstance, ctx: ServerContext, events: PostEvents): void {
  const access = ctx.gatehouse.access!;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const server = app.server as unknown as import('node:http').Server;

  protectUpgrades(server, ctx.gatehouse, (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const facts = nodeRequestFacts(req, ctx.gatehouse.proxy);
    if (facts.path !== LIVE_FEED_PATH) return refuse(socket, 404, 'Not Found', [], problemJson('not-found', 404, 'Not Found'));
    void access.check(accessRequestOf(facts, facts.clientIp)).then(
      (decision) => {
        if (!decision.allowed) return refuse(socket, decision.status, decision.status === 401 ? 'Unauthorized' : 'Forbidden', decision.headers, decision.body);
        const principal = decision.principal;
        const readRule = access.ruleFor('GET', '/api/posts/0');
        wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
          const send = (event: PostEvent) => {
            if (readRule.usesObject && !checkObject(readRule, { principal, method: 'GET', path: `/api/posts/${event.post.id}` }, event.post).allowed) return;
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
  app.addHook('onClose', async () => {
    for (const client of wss.clients) client.close(1001, 'server shutting down');
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
}
