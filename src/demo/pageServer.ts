// Serves one demo page (trusted or hostile) and its script on its own port, so each page has its own
// origin. The API's URL is read when a page is asked for: the page servers start before the API,
// whose configuration must name the trusted page's origin.

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoPageHtml, sideBySideHtml, type DemoLogin, type DemoRole, type SideBySideOptions } from './demoPage.ts';

const PROBES_JS = readFileSync(new URL('./probes.js', import.meta.url), 'utf8');

export interface PageServerOptions {
  readonly role: DemoRole;
  /** The API the page calls; read per request. */
  readonly apiUrl: () => string;
  /** What the page signs in with; read per request. */
  readonly login?: () => DemoLogin | undefined;
  /** When given, also serves /side-by-side with both pages in frames. */
  readonly sideBySide?: () => SideBySideOptions;
  readonly port?: number;
  readonly host?: string;
}

export interface RunningPageServer {
  readonly port: number;
  close(): Promise<void>;
}

function reply(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    // The pages are rebuilt on every start with new ports: never reuse an old one.
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}

export async function startPageServer(options: PageServerOptions): Promise<RunningPageServer> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const [path, query] = (req.url ?? '/').split('?', 2) as [string, string | undefined];
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed');
    if (path === '/') return reply(res, 200, 'text/html; charset=utf-8', demoPageHtml({ role: options.role, apiUrl: options.apiUrl(), ...(options.login?.() === undefined ? {} : { login: options.login()! }) }));
    if (path === '/probes.js') return reply(res, 200, 'text/javascript; charset=utf-8', PROBES_JS);
    if (path === '/side-by-side' && options.sideBySide !== undefined) {
      // The frames get the same query (?api=, ?only=) as the side-by-side page.
      const { trustedUrl, hostileUrl } = options.sideBySide();
      const suffix = query === undefined ? '' : `?${query}`;
      return reply(res, 200, 'text/html; charset=utf-8', sideBySideHtml({ trustedUrl: `${trustedUrl}/${suffix}`, hostileUrl: `${hostileUrl}/${suffix}` }));
    }
    if (path === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    reply(res, 404, 'text/plain; charset=utf-8', 'Not Found');
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
