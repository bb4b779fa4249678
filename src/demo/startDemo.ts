// `gatehouse demo`: the API (`gatehouse serve`) plus two small pages that send it the same requests,
// a trusted front end on the allowed origin and a hostile site on another one.
//
// Origins: the API and the trusted page are both on 127.0.0.1 (another port: cross-origin but
// same-site, like api.example.com and app.example.com), so the session cookie the API sets is a
// first-party cookie for the front end. The hostile page is on localhost, which browsers treat as
// another site: its requests carry `Sec-Fetch-Site: cross-site` and no SameSite=Lax cookie.

import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../access/requestPrincipal.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { LoggerOption } from '../logger.ts';
import { ADMIN_PASSWORD_ENV } from '../server/seed.ts';
import { serve, type RunningServer } from '../server/serve.ts';
import type { DemoLogin } from './demoPage.ts';
import { startPageServer, type RunningPageServer } from './pageServer.ts';

export interface DemoOrigins {
  /** e.g. http://127.0.0.1:5173: allowed by the demo configuration. */
  readonly trusted: string;
  /** e.g. http://localhost:5174: allowed by nothing. */
  readonly hostile: string;
}

/**
 * The demo's configuration. CORS: only the trusted page may read /api/ (with credentials), and may
 * read X-Request-Id; /api/public/ is readable from anywhere without credentials; strict mode refuses
 * other origins' requests to /api/ before any handler runs (the form POST a CORS header alone cannot
 * stop). Permissions: reading posts needs no sign-in, so the simple GET shows what CORS alone does;
 * writing needs the owner or an admin, as in `gatehouse serve`'s defaults. A private in-memory
 * database, so every start has the same demo user and posts, and no rate limit for anonymous
 * requests: both pages and the person's reloads share one address.
 */
export function demoConfig(origins: DemoOrigins): LoadedConfig {
  return {
    cors: {
      paths: [
        { path: '/api/public/*', allowAllOrigins: true, allowCredentials: false, publicData: true },
        { path: '/api/*', allowedOrigins: [origins.trusted], allowCredentials: true, exposeHeaders: ['x-request-id'], strict: true },
      ],
    },
    permissions: [
      { methods: ['GET'], path: '/api/posts/*', rule: 'any' },
      { methods: ['POST', 'PUT', 'PATCH', 'DELETE'], path: '/api/posts/*', rule: 'owner OR admin' },
      { methods: ['GET'], path: '/api/users/me', rule: 'authenticated' },
      { path: '/api/users/*', rule: 'admin' },
      { path: '/api/keys/*', rule: 'admin' },
      { path: '/api/public/*', rule: 'any' },
      { path: '/api/private/*', rule: 'authenticated' },
    ],
    database: { url: 'sqlite::memory:' },
    rateLimits: { anon: false },
    sources: ['gatehouse demo defaults'],
  };
}

/**
 * The two paths of the per-path policy: /api/public/ (any origin, no credentials, anyone) and
 * /api/private/ (the trusted origin, credentials, signed-in callers), added to the ready server.
 */
export function demoRoutes(app: FastifyInstance): void {
  app.get('/api/public/', async () => ({ path: '/api/public/', message: 'Public data: any origin may read it, without credentials.' }));
  app.get('/api/private/', async (request) => ({ path: '/api/private/', message: 'Private data: the trusted front end, signed in.', subject: principalOf(request.raw)?.subject ?? null }));
}

export interface DemoOptions {
  /** A configuration, or a function of the pages' origins; default demoConfig. */
  config?: LoadedConfig | ((origins: DemoOrigins) => LoadedConfig);
  /** 0 (the default) picks a free port. */
  apiPort?: number;
  trustedPort?: number;
  hostilePort?: number;
  /** An API already running: the pages call it and no `gatehouse serve` is started. */
  apiUrl?: string;
  /** What the trusted page signs in with; default the demo user, whose password is made at start. */
  login?: DemoLogin;
  logger?: LoggerOption;
}

export interface RunningDemo {
  readonly apiUrl: string;
  readonly trustedUrl: string;
  readonly hostileUrl: string;
  /** Both pages side by side (served by the trusted page's server). */
  readonly sideBySideUrl: string;
  readonly origins: DemoOrigins;
  /** The started `gatehouse serve`, unless apiUrl was given. */
  readonly api: RunningServer | undefined;
  close(): Promise<void>;
}

export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  let apiUrl = options.apiUrl ?? '';
  // The demo user (seeded into the empty database) gets a password made now, which only the trusted
  // page is given: the hostile site has to guess.
  const password = randomBytes(12).toString('base64url');
  const login: DemoLogin = options.login ?? { username: 'admin', password };
  const pages: RunningPageServer[] = [];
  let api: RunningServer | undefined;
  const closeAll = async () => {
    await Promise.all([...pages.map((p) => p.close()), api?.close()]);
  };
  try {
    const origins = { trusted: '', hostile: '' };
    const trusted = await startPageServer({
      role: 'trusted',
      apiUrl: () => apiUrl,
      login: () => login,
      port: options.trustedPort ?? 0,
      sideBySide: () => ({ trustedUrl: origins.trusted, hostileUrl: origins.hostile }),
    });
    pages.push(trusted);
    const hostile = await startPageServer({ role: 'hostile', apiUrl: () => apiUrl, port: options.hostilePort ?? 0 });
    pages.push(hostile);
    origins.trusted = `http://127.0.0.1:${trusted.port}`;
    origins.hostile = `http://localhost:${hostile.port}`;
    if (options.apiUrl === undefined) {
      const config = typeof options.config === 'function' ? options.config(origins) : (options.config ?? demoConfig(origins));
      // The demo's own configuration is self-contained: no DATABASE_URL or REDIS_URL from the shell.
      const { DATABASE_URL: _database, REDIS_URL: _redis, ...shell } = process.env;
      const env = { ...(options.config === undefined ? shell : process.env), [ADMIN_PASSWORD_ENV]: password };
      api = await serve({ config, env, port: options.apiPort ?? 0, routes: demoRoutes, ...(options.logger === undefined ? {} : { logger: options.logger }) });
      apiUrl = api.url;
    }
    return {
      apiUrl,
      trustedUrl: `${origins.trusted}/`,
      hostileUrl: `${origins.hostile}/`,
      sideBySideUrl: `${origins.trusted}/side-by-side`,
      origins: Object.freeze({ ...origins }),
      api,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
