// The gateway as a server: what `gatehouse serve --upstream URL` runs. A node:http (or, given TLS
// options, node:https) server whose requests go through the node adapter (the gate, CORS, cross-site
// checks, authentication, permissions) before the gateway forwards them, and whose WebSocket
// handshakes go to the gateway's upgrade.

import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { principalOf } from '../access/requestPrincipal.ts';
import { clientOf, withGatehouse } from '../adapters/node-http.ts';
import { protectUpgrades } from '../adapters/nodeUpgrade.ts';
import type { Gatehouse } from '../gatehouse.ts';
import { PROBLEM_CONTENT_TYPE } from '../problem.ts';
import type { PrincipalLimits } from '../ratelimit/principalLimits.ts';
import { createGateway, upgradeAccessCheck, type Gateway, type GatewayOptions } from './gateway.ts';

export interface ListenGatewayOptions extends Omit<GatewayOptions, 'gatehouse'> {
  readonly gatehouse: Gatehouse;
  /** Default 127.0.0.1 and 8000. */
  readonly host?: string;
  readonly port?: number;
  /** node:https options (`cert`, `key`...) to terminate TLS; plain HTTP without. */
  readonly tls?: HttpsServerOptions;
  /** How long close() lets requests in flight finish before cutting them; default 10 s. */
  readonly shutdownGraceMs?: number;
  /** Per-principal rate limits, counted after authentication and before forwarding. */
  readonly limits?: PrincipalLimits;
}

export interface RunningGatewayServer {
  readonly url: string;
  readonly server: Server;
  readonly gateway: Gateway;
  close(): Promise<void>;
}

/** Headers must arrive within this (slow-loris clients), a connection may stay silent this long. */
const HEADERS_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 120_000;

export async function listenGateway(options: ListenGatewayOptions): Promise<RunningGatewayServer> {
  const { gatehouse, host = '127.0.0.1', port = 8000, tls, shutdownGraceMs = 10_000, limits, ...gatewayOptions } = options;
  // The engine's Origin check runs first (protectUpgrades), so the gateway's own upgrade check is
  // authentication and the route's rule; forwarded headers describe the client as trusted proxies saw it.
  const gateway = createGateway({ checkUpgrade: upgradeAccessCheck(gatehouse), clientOf, ...gatewayOptions, gatehouse });
  const forward = limits === undefined ? gateway.handler : rateLimited(gateway.handler, limits);
  const handler = withGatehouse(forward, gatehouse);
  const server: Server = tls === undefined ? createServer({ maxHeaderSize: 16 * 1024 }, handler) : (createHttpsServer({ maxHeaderSize: 16 * 1024, ...tls }, handler) as unknown as Server);
  protectUpgrades(server, gatehouse, gateway.upgrade);
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  // No limit on a whole request: a large upload streams for as long as it moves. A connection that
  // moves nothing either way for two minutes is closed.
  server.requestTimeout = 0;
  server.setTimeout(IDLE_TIMEOUT_MS, (socket) => socket.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await gateway.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `${tls === undefined ? 'http' : 'https'}://${shownHost}:${address.port}`,
    server,
    gateway,
    close() {
      // Stop accepting, let requests in flight finish (up to the grace period), end WebSocket tunnels.
      closing ??= (async () => {
        const force = setTimeout(() => server.closeAllConnections(), shutdownGraceMs);
        force.unref();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await Promise.all([closed, gateway.close()]);
        clearTimeout(force);
      })();
      return closing;
    },
  };
}

/** Counts the request against its caller's limit; a refusal is answered here and never forwarded. */
function rateLimited(handler: (req: IncomingMessage, res: ServerResponse) => void, limits: PrincipalLimits): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    limits.check(principalOf(req), clientOf(req)?.ip ?? req.socket.remoteAddress).then(
      (verdict) => {
        if (verdict !== undefined) for (const [name, value] of verdict.headers) res.setHeader(name, value);
        if (verdict === undefined || verdict.allowed) return handler(req, res);
        res.writeHead(429, { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(verdict.body!), 'Cache-Control': 'no-store' });
        res.end(verdict.body);
      },
      // The limiter never rejects; if it somehow did, forwarding beats failing the request.
      () => handler(req, res),
    );
  };
}
