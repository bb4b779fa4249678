// The browser suite's gateway target: `gatehouse serve --upstream` (serve() with config.upstream, in
// process, as the CLI runs it) in front of the Django REST Framework app in probe mode
// (test/gateway/django_upstream/probe.py, gunicorn, Debian's packages, no CORS package).
//
// Counting, so that the rows mean what they mean against the probe API:
// - `received`: every request that reached the gateway's server, seen on node's diagnostics channels
//   'http.server.request.start' and 'http.server.response.finish' (every in-process node:http and
//   node:https server publishes them; this gateway's are told apart by its port). No hook in serve.
//   Node publishes nothing for an upgrade request, so WebSocket handshakes are not in `received`:
//   the WebSocket rows take the gateway's answer from Chromium's console instead (countsUpgrades).
// - `handled`: every request a Django view ran, as the app appended it to a file (probe.py), keeping
//   the lines that came through this gateway (X-Forwarded-Host is the gateway's own host and port).
//
// Authentication: the probe API has none, so the page's made-up bearer token passes it; serve always
// authenticates a Bearer token, and refuses one it cannot verify (401 invalid-token). So Django signs
// in as an application behind the gateway would: POST /api/token/ answers an HS256 JWT, and the
// gateway trusts that issuer (auth.jwt.issuers), as the README's Django deployment trusts its own.
//
// WebSocket rows: gunicorn's WSGI workers cannot accept a WebSocket (WSGI has no way to take over the
// connection), so for them the gateway stands in front of a small node upstream that accepts every
// handshake (no Gatehouse of its own: the gateway's Origin check is the one under test).

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { after, before, type TestContext } from 'node:test';
import type { LoadedConfig } from '../../src/config/load.ts';
import type { CorsSettings } from '../../src/cors/settings.ts';
import { demoConfig, type DemoOrigins } from '../../src/demo/startDemo.ts';
import type { TlsFiles } from '../../src/https/tlsFiles.ts';
import { serve, type RunningServer } from '../../src/server/serve.ts';
import { djangoUpstreamAvailable, startDjangoUpstream, type DjangoUpstream } from '../gateway/djangoUpstream.ts';
import type { BrowserTarget, CaseApi, CaseOptions } from './browserCases.ts';
import { acceptWebSocket, seen, type SeenRequest } from './probeApi.ts';

/** Must match probe.py: the issuer and audience of the tokens POST /api/token/ answers. */
const PROBE_JWT_ISSUER = 'django-probe-upstream';
const PROBE_JWT_AUDIENCE = 'gatehouse-browser-suite';

/** What Django wrote for each request its views ran (probe.py's _record). */
interface DjangoRecord {
  method: string;
  path: string;
  preflight: boolean;
  via: string | null;
  origin: string | null;
  cookie: boolean;
  authorization: boolean;
  fetchSite: string | null;
  gateway: string | null;
}

/** Every request the in-process server listening on `port` received, from node's diagnostics channels. */
function countReceived(port: () => number | undefined): { received: SeenRequest[]; stop(): void } {
  const received: SeenRequest[] = [];
  const entries = new WeakMap<IncomingMessage, SeenRequest>();
  const onStart = (message: unknown): void => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    if (socket.localPort !== port()) return;
    const entry = seen(request);
    entries.set(request, entry);
    received.push(entry);
  };
  const onFinish = (message: unknown): void => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    const entry = entries.get(request);
    if (entry !== undefined) entry.status = response.statusCode;
  };
  subscribe('http.server.request.start', onStart);
  subscribe('http.server.response.finish', onFinish);
  return {
    received,
    stop() {
      unsubscribe('http.server.request.start', onStart);
      unsubscribe('http.server.response.finish', onFinish);
    },
  };
}

/** A WebSocket upstream without Gatehouse: accepts every handshake on /api/ws, 404 to anything else. */
async function startWebSocketUpstream(): Promise<{ url: string; handled: SeenRequest[]; close(): Promise<void> }> {
  const handled: SeenRequest[] = [];
  const sockets = new Set<Duplex>();
  const server = createServer((_req, res) => {
    res.writeHead(404, { 'Content-Length': '0' });
    res.end();
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    acceptWebSocket(req, socket, handled, undefined).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handled,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The gateway target. Registers before/after hooks that start and stop one Django for the whole file;
 * `origins` gives the demo page servers' origins once they run. Without Django the cases skip with the
 * reason (fail under CI=true).
 */
export function useGatewayTarget(origins: () => DemoOrigins): BrowserTarget {
  const availability = djangoUpstreamAvailable();
  const secret = randomBytes(32).toString('base64url');
  let dir: string | undefined;
  let django: DjangoUpstream | undefined;

  before(async () => {
    if (!availability.ok) {
      if (process.env.CI !== 'true') process.stdout.write(`# gateway browser suite skipped: ${availability.reason}\n`);
      return;
    }
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-gateway-'));
    django = await startDjangoUpstream('probe', { env: { GATEHOUSE_UPSTREAM_LOG: join(dir, 'handled.jsonl'), GATEHOUSE_PROBE_JWT_SECRET: secret } });
  });
  after(async () => {
    await django?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** What Django's views ran, of the requests that came through the gateway at `host`. */
  function handledVia(host: string): SeenRequest[] {
    let text = '';
    try {
      text = readFileSync(join(dir!, 'handled.jsonl'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as DjangoRecord)
      .filter((r) => r.gateway === host)
      .map((r) => ({ method: r.method, path: r.path, via: r.via ?? undefined, origin: r.origin ?? undefined, preflight: r.preflight, cookie: r.cookie, authorization: r.authorization, fetchSite: r.fetchSite ?? undefined }));
  }

  /** `gatehouse serve --upstream` with the demo's configuration, this CORS policy, and Django's login trusted. */
  async function startGateway(upstream: string, cors: CorsSettings, change: Partial<LoadedConfig> = {}, tls?: TlsFiles): Promise<RunningServer> {
    const { DATABASE_URL: _database, REDIS_URL: _redis, ...env } = process.env;
    const auth = { jwt: { issuers: [{ issuer: PROBE_JWT_ISSUER, audience: PROBE_JWT_AUDIENCE, algorithms: ['HS256'], secret }] } };
    const config: LoadedConfig = { ...demoConfig(origins()), cors, auth, ...change, upstream, sources: ['browser suite, gateway'] };
    return serve({ config, env, port: 0, logger: false, ...(tls === undefined ? {} : { tls }) });
  }

  return {
    title: 'gateway (gatehouse serve --upstream, Django REST Framework under gunicorn)',
    note: 'API: gatehouse serve --upstream in front of Django REST Framework (gunicorn, no CORS package); the WebSocket rows: in front of a node upstream, since gunicorn\'s WSGI workers cannot accept a WebSocket; handshake answers as Chromium reported them',
    countsUpgrades: false,
    ready(t: TestContext) {
      if (availability.ok && django !== undefined) return true;
      const reason = availability.ok ? 'the Django upstream did not start' : availability.reason;
      if (process.env.CI === 'true') throw new Error(`CI=true and the Django upstream cannot run: ${reason}`);
      t.skip(reason);
      return false;
    },
    async withApi<T>(cors: CorsSettings, work: (api: CaseApi) => Promise<T>, options: CaseOptions = {}, serves?: 'websocket'): Promise<T> {
      const { crossSite, ...rest } = options;
      // Only the cross-site checks have a counterpart in the configuration a case would need here.
      if (Object.keys(rest).length > 0) throw new Error(`the gateway target cannot apply ${Object.keys(rest).join(', ')}`);
      const websockets = serves === 'websocket' ? await startWebSocketUpstream() : undefined;
      let port: number | undefined;
      const counter = countReceived(() => port);
      try {
        // As the probe API: CORS and the cross-site checks guard the application, no permission rule
        // does (demoConfig's would refuse a form or a cookie-only read with 401 before Django ran).
        const server = await startGateway(websockets?.url ?? django!.url, cors, { permissions: [], defaultRule: 'any', ...(crossSite === undefined ? {} : { crossSite }) });
        port = Number(new URL(server.url).port);
        const host = new URL(server.url).host;
        const handled = (): SeenRequest[] => websockets?.handled ?? handledVia(host);
        const api: CaseApi = {
          url: server.url,
          gatehouse: server.gatehouse,
          received: counter.received,
          get handled() {
            return handled();
          },
          count: (where, via, filter = () => true) => (where === 'received' ? counter.received : handled()).filter((r) => r.via === via && filter(r)).length,
        };
        try {
          return await work(api);
        } finally {
          await server.close();
        }
      } finally {
        counter.stop();
        await websockets?.close();
      }
    },
    async withServe(cors, work, tls) {
      const server = await startGateway(django!.url, cors, {}, tls);
      try {
        return await work(server);
      } finally {
        await server.close();
      }
    },
  };
}
