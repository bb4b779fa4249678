// Starts the test app behind each adapter on a real loopback port.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { withGatehouse as withNodeGatehouse } from '../../src/adapters/node-http.ts';
import { withGatehouse as withFetchGatehouse } from '../../src/adapters/fetch.ts';
import type { CorsSettings } from '../../src/cors/settings.ts';
import type { Logger } from '../../src/logger.ts';
import { testAppResponse } from './testApp.ts';

export const ADAPTERS = ['node', 'fetch'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

export interface TestServer {
  readonly url: string;
  readonly port: number;
  handlerCalls(): number;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger | false;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startTestServer(adapter: AdapterName, cors: CorsSettings, options: StartOptions = {}): Promise<TestServer> {
  let calls = 0;
  const logger = options.logger ?? false;
  let server: Server;
  if (adapter === 'node') {
    server = createServer(
      withNodeGatehouse((req, res) => {
        calls++;
        const answer = testAppResponse(req.method ?? 'GET', (req.url ?? '/').split('?')[0]!);
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      }, { cors, logger }),
    );
  } else {
    const fetchHandler = withFetchGatehouse((request) => {
      calls++;
      const answer = testAppResponse(request.method, new URL(request.url).pathname);
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    }, { cors, logger });
    server = createAdaptorServer({ fetch: fetchHandler }) as Server;
  }
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    handlerCalls: () => calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
