// A gateway on a loopback port, built as `gatehouse serve --upstream` builds it: the node adapter's
// withGatehouse around the gateway's handler, and the gateway's upgrade on the server's 'upgrade'.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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

export { sendRaw } from '../helpers/httpClient.ts';

/** test/helpers/httpClient.ts's send, connecting from the loopback address `from` (127.0.0.2: an untrusted peer). */
export { sendFrom } from '../helpers/httpClient.ts';
