// WebSocket (and any other) upgrades on a node:http or node:https server: `protectUpgrades(server,
// gatehouse, onUpgrade)` puts the engine's Origin check in front of the server's 'upgrade' listeners.
// A refused handshake gets a 403 problem+json written on the raw socket, which is then closed; an
// allowed one reaches the listeners (a `ws` server's handleUpgrade, say) untouched.
//
// Node calls every 'upgrade' listener, so a guard beside them could not stop the others: the guard
// takes their place instead. Listeners already added, the one passed here, and any added later (moved
// behind the guard as they are added) only see allowed upgrades. While no listener exists there is
// no guard either, so node keeps handing upgrade requests to the ordinary request handler (Node ≥ 10).

import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { toGatehouse, type Gatehouse, type GatehouseOptions } from '../gatehouse.ts';
import type { EngineAnswer } from '../https/engineAnswer.ts';
import { rememberFacts } from '../https/requestFacts.ts';
import { problemJson, PROBLEM_CONTENT_TYPE } from '../problem.ts';
import { nodeRequestFacts } from './node-http.ts';

export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

const guarded = new WeakSet<object>();

/** `server` is a node:http or node:https Server (Fastify's `app.server`, the one Express's `listen` returns). */
export function protectUpgrades(server: Pick<Server, 'on' | 'listeners' | 'removeListener' | 'removeAllListeners'>, options: GatehouseOptions | Gatehouse, onUpgrade?: UpgradeListener): void {
  if (guarded.has(server)) throw new TypeError('protectUpgrades was already called for this server');
  guarded.add(server);
  const gatehouse = toGatehouse(options);
  const { upgrades, proxy, logger } = gatehouse;
  const downstream = server.listeners('upgrade') as UpgradeListener[];
  server.removeAllListeners('upgrade');
  if (onUpgrade !== undefined) downstream.push(onUpgrade);

  const pass = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (downstream.length === 0) {
      socket.destroy();
      return;
    }
    for (const listener of downstream) listener(req, socket, head);
  };
  const guard: UpgradeListener = (req, socket, head) => {
    // A client that resets the connection while we answer must not crash the process.
    socket.on('error', ignore);
    let decision: EngineAnswer | undefined | Promise<EngineAnswer | undefined>;
    try {
      const facts = nodeRequestFacts(req, proxy);
      rememberFacts(req, facts);
      decision = upgrades.decide(facts);
    } catch (error) {
      failed(error);
      return;
    }
    if (decision instanceof Promise) decision.then((d) => finish(d), failed);
    else finish(decision);

    function finish(refusal: EngineAnswer | undefined): void {
      if (refusal === undefined) {
        socket.removeListener('error', ignore);
        pass(req, socket, head);
      } else {
        writeAndClose(socket, refusal.status, 'Forbidden', refusal.headers, refusal.body);
      }
    }
    function failed(error: unknown): void {
      logger.error({ err: error, url: req.url }, 'upgrade check failed');
      const body = problemJson('internal-error', 500, 'Internal Server Error');
      writeAndClose(socket, 500, 'Internal Server Error', [['Content-Type', PROBLEM_CONTENT_TYPE], ['Content-Length', String(Buffer.byteLength(body))]], body);
    }
  };
  const install = (): void => {
    if (server.listeners('upgrade').includes(guard)) return;
    server.on('upgrade', guard);
  };
  // Listeners added later are moved behind the guard before any connection can reach them: 'newListener'
  // fires before the listener is added, and the move happens in the same tick.
  (server as unknown as NodeJS.EventEmitter).on('newListener', (event: string | symbol, listener: UpgradeListener) => {
    if (event !== 'upgrade' || listener === guard) return;
    queueMicrotask(() => {
      server.removeListener('upgrade', listener);
      downstream.push(listener);
      install();
    });
  });
  if (downstream.length > 0) install();
}

function ignore(): void {}

function writeAndClose(socket: Duplex, status: number, reason: string, headers: readonly (readonly [string, string])[], body: string): void {
  if (socket.destroyed) return;
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  head += 'X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n';
  // end() flushes before closing; destroy() after would drop what is still buffered.
  socket.once('finish', () => socket.destroy());
  socket.end(head + body);
}
