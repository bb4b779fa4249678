// A gateway on a loopback port, built as `gatehouse serve --upstream` builds it: the node adapter's
// withGatehouse around the gateway's handler, and the gateway's upgrade on the server's 'upgrade'.

import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withGatehouse } from '../../src/adapters/node-http.ts';
import { createGatehouse, type Gatehouse, type GatehouseOptions } from '../../src/gatehouse.ts';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/gateway.ts';
import { captureLogger, type LogEntry } from '../helpers/captureLogger.ts';

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly gateway: Gateway;
  readonly gatehouse: Gatehouse;
  /** What the gateway and Gatehouse logged. */
  readonly logs: LogEntry[];
  close(): Promise<void>;
}

export function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export async function startGateway(upstream: GatewayOptions['upstream'], gatehouseOptions: GatehouseOptions = {}, gatewayOptions: Omit<GatewayOptions, 'upstream' | 'gatehouse'> = {}): Promise<RunningGateway> {
  const logger = captureLogger();
  const gatehouse = createGatehouse({ logger, ...gatehouseOptions });
  const gateway = createGateway({ upstream, gatehouse, ...gatewayOptions });
  const server = createServer(withGatehouse(gateway.handler, gatehouse));
  server.on('upgrade', gateway.upgrade);
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    gateway,
    gatehouse,
    logs: logger.entries,
    // server.close() waits for every socket, WebSocket tunnels included, which only gateway.close() ends.
    close: async () => {
      await Promise.all([closeServer(server), gateway.close()]);
    },
  };
}

/** A node upstream for one test: `handle` answers, `seen` keeps every request head it received. */
export interface NodeUpstream {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly seen: { method: string; url: string; headers: IncomingMessage['headers']; rawHeaders: string[] }[];
  close(): Promise<void>;
}

export async function startUpstream(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<NodeUpstream> {
  const seen: NodeUpstream['seen'] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders });
    handle(req, res);
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, port, server, seen, close: () => closeServer(server) };
}

/**
 * Sends the request target exactly as given (test/helpers/httpClient.ts goes through the WHATWG URL
 * parser, which would already have removed `%2e%2e` segments before the gateway saw them).
 */
export function sendRaw(port: number, method: string, target: string, headers: Record<string, string | string[]> = {}): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** test/helpers/httpClient.ts's send, connecting from the loopback address `from` (127.0.0.2: an untrusted peer). */
export { sendFrom } from '../helpers/httpClient.ts';
