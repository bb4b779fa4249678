// `gatehouse serve`: the demo API behind the engine on node:http.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withGatehouse } from '../adapters/node-http.ts';
import type { ApiKeyStore } from '../auth/apiKeys/apiKeyStore.ts';
import type { Gatehouse } from '../gatehouse.ts';
import type { LoadedConfig } from '../config/load.ts';
import { createLogger, type LoggerOption } from '../logger.ts';
import { createDemoApi } from './demoApi.ts';
import { gatehouseFromConfig } from './gatehouseFromConfig.ts';

export interface ServeOptions {
  config: LoadedConfig;
  port?: number;
  host?: string;
  logger?: LoggerOption;
}

export interface RunningServer {
  readonly url: string;
  readonly gatehouse: Gatehouse;
  /** The key store, when auth.apiKeys is configured. */
  readonly apiKeys: ApiKeyStore | undefined;
  close(): Promise<void>;
}

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const logger = createLogger(options.logger, options.config.log?.level);
  const { gatehouse, database, apiKeys } = await gatehouseFromConfig(options.config, { logger });
  const server: Server = createServer({ maxHeaderSize: 16 * 1024 }, withGatehouse(createDemoApi(), gatehouse));
  // A client that never finishes its headers must not hold a socket forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const host = options.host ?? options.config.server?.host ?? '127.0.0.1';
  const port = options.port ?? options.config.server?.port ?? 8000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (error) {
    await database?.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    gatehouse,
    apiKeys,
    close: async () => {
      // Stop accepting, let requests in flight finish, then close the database.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await database?.close();
    },
  };
}
