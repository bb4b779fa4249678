// The browser suite's cases, run against a target: the thing that starts an API for a case. Real
// Chromium loads the demo pages (src/demo) from a trusted and a hostile origin, their script sends the
// requests, and each case checks whether the script's fetch resolved with the data or rejected
// (TypeError), counting on the server side which requests reached the handler. The table of every row
// is printed at the end (docs/browser.md).
//
// Two targets run these cases: the built-in one (browser.test.ts: the probe API, test/e2e/probeApi.ts,
// and `gatehouse serve`) and the gateway (gatewayBrowser.test.ts: `gatehouse serve --upstream` in front
// of a Django REST Framework app). A row means the same against both: `received` is every request that
// reached the API's server, `handled` every request the application behind Gatehouse ran.
//
// Origins (see docs/browser.md): API http://127.0.0.1:<a>; trusted page http://127.0.0.1:<t>
// (same-site as the API, another origin); hostile page http://localhost:<h> (another site); the same
// hostile page as http://127.0.0.1:<h> is a same-site sibling, whose requests carry the session
// cookie; app.example.test and appxexample.test (mapped to 127.0.0.1) are the look-alike pair.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import type { CorsPathPolicy, CorsSettings } from '../../src/cors/settings.ts';
import { demoConfig, startDemo, type DemoOrigins, type RunningDemo } from '../../src/demo/startDemo.ts';
import type { Gatehouse, GatehouseOptions } from '../../src/gatehouse.ts';
import { ensureDevCertificate } from '../../src/https/devCertificate.ts';
import type { TlsFiles } from '../../src/https/tlsFiles.ts';
import { send } from '../helpers/httpClient.ts';
import { csrfCapability, FEATURE_OPTIONS, fetchMetadataCapability, httpsCapability, webSocketCapability, type Capability } from './capabilities.ts';
import { useChromium, type SuiteBrowser } from './chromium.ts';
import { CaseTable, runProbes, type Outcome } from './probePage.ts';
import type { SeenRequest } from './probeApi.ts';

/** An API a case counts on: the probe API, or the gateway with the application behind it. */
export interface CaseApi {
  readonly url: string;
  readonly gatehouse: Pick<Gatehouse, 'warnings'>;
  /** Every request that reached the API's server, preflights included. */
  readonly received: readonly SeenRequest[];
  /** Every request the application behind Gatehouse ran (a WebSocket handshake it accepted, too). */
  readonly handled: readonly SeenRequest[];
  /** Requests of one probe that reached the server / the handler. */
  count(where: 'received' | 'handled', via: string, filter?: (r: SeenRequest) => boolean): number;
}

/** An API a case needs no counting from: `gatehouse serve`, in the target's mode. */
export interface ServedApi {
  readonly url: string;
  readonly gatehouse: Pick<Gatehouse, 'warnings'>;
}

/** What a case may switch beside the CORS policy: the cross-site checks (capabilities.ts's FEATURE_OPTIONS). */
export type CaseOptions = Omit<GatehouseOptions, 'cors'>;

export interface BrowserTarget {
  /** For the printed table's title, e.g. "built-in server". */
  readonly title: string;
  /** Printed under the title: what the target is made of, and where it differs. */
  readonly note?: string;
  /**
   * Whether `received` holds WebSocket handshakes, with the status they were answered with. When it
   * does not, the answer to a handshake is the one Chromium reported.
   */
  readonly countsUpgrades: boolean;
  /** false after skipping the test (what the target needs is missing, not under CI). */
  ready(t: TestContext): boolean;
  /** An API that counts, with this CORS policy; `websocket`: the API the WebSocket rows use. */
  withApi<T>(cors: CorsSettings, work: (api: CaseApi) => Promise<T>, options?: CaseOptions, serves?: 'websocket'): Promise<T>;
  /** `gatehouse serve` with the demo's configuration and this CORS policy, over TLS when given. */
  withServe<T>(cors: CorsSettings, work: (api: ServedApi) => Promise<T>, tls?: TlsFiles): Promise<T>;
}

/** Where each page is loaded from (the page servers answer on every loopback name). */
export interface PageUrls {
  trusted: string;
  hostile: string;
  sibling: string;
  namedTrusted: string;
  lookalike: string;
}

export interface BrowserSuite {
  readonly chromium: SuiteBrowser;
  readonly table: CaseTable;
  /** The demo page servers' origins (set in `before`). */
  origins(): DemoOrigins;
}

export async function inContext<T>(browser: Browser, work: (context: BrowserContext) => Promise<T>): Promise<T> {
  const context = await browser.newContext();
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}

/** Fetch Metadata off: for the rows that show what CORS or strict mode does on its own. */
const NO_FETCH_METADATA: CaseOptions = { crossSite: { fetchMetadata: { enabled: false } } };

const times = (n: number) => `${n}×`;

/** Marks the test todo with "needs <feature>" unless the capability is there. */
async function needs(t: TestContext, capability: Capability | Promise<Capability>): Promise<Capability | undefined> {
  const c = await capability;
  if (c.available) return c;
  t.todo(c.needs);
  return undefined;
}

/** The status in Chromium's console message for a refused handshake ("Unexpected response code: 403"). */
function handshakeStatusChromiumSaw(said: string | undefined): string {
  return /response code: (\d{3})/.exec(said ?? '')?.[1] ?? 'none';
}

/** Registers the page servers, Chromium, the printed table and every shared case against `target`. */
export function defineBrowserCases(target: BrowserTarget): BrowserSuite {
  const chromium = useChromium();
  const table = new CaseTable();
  let pages: RunningDemo;
  let origins: DemoOrigins;
  const at: PageUrls = { trusted: '', hostile: '', sibling: '', namedTrusted: '', lookalike: '' };

  before(async () => {
    // The demo's page servers; every case points them at its own API with ?api=.
    pages = await startDemo({ apiUrl: 'http://127.0.0.1:9' });
    origins = pages.origins;
    const trustedPort = new URL(origins.trusted).port;
    const hostilePort = new URL(origins.hostile).port;
    at.trusted = `${origins.trusted}/`;
    at.hostile = `${origins.hostile}/`;
    at.sibling = `http://127.0.0.1:${hostilePort}/`;
    at.namedTrusted = `http://app.example.test:${trustedPort}/`;
    at.lookalike = `http://appxexample.test:${hostilePort}/`;
  });

  after(async () => {
    await pages?.close();
    if (table.rows.length === 0) return;
    const note = target.note === undefined ? '' : `${target.note}\n`;
    process.stdout.write(`\nBrowser suite, ${target.title}: cases × expected × what Chromium (and the server) did\n${note}${table.format()}\n\n`);
  });

  /** The browser, or undefined after skipping the test (Chromium or what the target needs is missing). */
  const browserFor = (t: TestContext): Browser | undefined => {
    const browser = chromium.get(t);
    return browser !== undefined && target.ready(t) ? browser : undefined;
  };

  /** The demo's own policy (src/demo/startDemo.ts demoConfig), as the demo runs it. */
  const demoPolicy = (): CorsSettings => demoConfig(origins).cors;

  /** The demo policy with the /api/* entry changed. */
  const withApiPolicy = (change: Partial<CorsPathPolicy>): CorsSettings => {
    const policy = demoPolicy();
    return { ...policy, paths: policy.paths!.map((p) => (p.path === '/api/*' ? { ...p, ...change } : p)) };
  };

  describe('the browser enforces what Gatehouse answers', () => {
    test('simple GET: the trusted page reads /api/posts/, the hostile page\'s fetch rejects', async (t) => {
      const browser = browserFor(t);
      if (browser === undefined) return;
      const rows = table.begin('simple GET');
      await target.withServe(demoPolicy(), (server) =>
        inContext(browser, async (context) => {
          rows.probe('trusted', (await runProbes(context, at.trusted, server.url, ['get'])).get, 'data');
          const hostile = (await runProbes(context, at.hostile, server.url, ['get'])).get;
          rows.probe('hostile', hostile, 'blocked');
          rows.expect('hostile', 'data in the script', 'none', hostile?.outcome === 'data' ? 'some' : 'none');
        }),
      );
      // Without strict mode and Fetch Metadata the server answers the hostile page in full; the browser
      // alone withholds it.
      await target.withApi(
        withApiPolicy({ strict: false }),
        (api) =>
          inContext(browser, async (context) => {
            rows.probe('hostile, server answers', (await runProbes(context, at.hostile, api.url, ['get'])).get, 'blocked');
            const answered = api.received.filter((r) => r.via === 'get').map((r) => r.status);
            rows.expect('server', 'answer to hostile GET (strict, Fetch Metadata off)', '200', String(answered[0]), 'the data was sent; the browser kept it from the script');
          }),
        NO_FETCH_METADATA,
      );
      rows.assertAll();
    });

    test('credentials: the cookie the API sets and an Authorization header work for the trusted page only', async (t) => {
      const browser = browserFor(t);
      if (browser === undefined) return;
      const rows = table.begin('credentials');
      await target.withApi(demoPolicy(), (api) =>
        inContext(browser, async (context) => {
          const trusted = await runProbes(context, at.trusted, api.url, ['login', 'cookie', 'authorization']);
          rows.probe('trusted', trusted.login, 'data');
          rows.probe('trusted', trusted.cookie, 'data');
          rows.probe('trusted', trusted.authorization, 'data');
          rows.expect('server', 'cookie on trusted GET /api/users/me', 'sent', api.count('handled', 'cookie', (r) => r.cookie) === 1 ? 'sent' : 'not sent');
          rows.expect('server', 'Authorization on trusted GET /api/users/me', 'sent', api.count('handled', 'authorization', (r) => r.authorization) === 1 ? 'sent' : 'not sent');
          const before = api.count('received', 'cookie', (r) => r.cookie);

          // The same browser (the user is signed in) visits the hostile site.
          const hostile = await runProbes(context, at.hostile, api.url, ['cookie', 'authorization']);
          rows.probe('hostile', hostile.cookie, 'blocked');
          rows.probe('hostile', hostile.authorization, 'blocked');
          rows.expect('server', 'authorization reached handler from hostile', times(0), times(api.count('handled', 'authorization', (r) => r.origin === origins.hostile)));

          // A same-site sibling (another port of 127.0.0.1): SameSite=Lax lets the cookie go, so CORS
          // alone keeps the signed-in answer from its script.
          const sibling = await runProbes(context, at.sibling, api.url, ['cookie']);
          rows.probe('sibling', sibling.cookie, 'blocked');
          rows.expect('server', 'cookie on sibling GET', 'sent', api.count('received', 'cookie', (r) => r.cookie) > before ? 'sent' : 'not sent', 'same-site: the browser attached the session cookie');

          // allowAllOrigins (the public path) answers `*`, which never works with credentials.
          for (const [from, url] of [['trusted', at.trusted], ['hostile', at.hostile]] as const) {
            const results = await runProbes(context, url, api.url, ['public', 'public-credentials']);
            rows.probe(from, results.public, 'data');
            rows.probe(from, results['public-credentials'], 'blocked');
          }
        }),
      );
      rows.assertAll();
    });

    test('PUT, PATCH and DELETE: Gatehouse answers the preflight, max-age caches it, an unlisted header is refused', async (t) => {
      const browser = browserFor(t);
      if (browser === undefined) return;
      const rows = table.begin('preflight');
      await target.withApi(demoPolicy(), (api) =>
        inContext(browser, async (context) => {
          const trusted = await runProbes(context, at.trusted, api.url, ['create', 'put', 'patch', 'delete', 'header-not-allowed']);
          for (const name of ['create', 'put', 'patch', 'delete']) rows.probe('trusted', trusted[name], 'data');
          for (const via of ['create', 'put', 'patch', 'delete']) {
            rows.expect('server', `preflights of ${via} (one URL each)`, times(1), times(api.count('received', via, (r) => r.preflight)));
          }
          rows.expect('server', 'OPTIONS that reached the handler', times(0), times(api.handled.filter((r) => r.method === 'OPTIONS').length), 'Gatehouse answers preflights itself');
          for (const method of ['PUT', 'PATCH', 'DELETE']) {
            rows.expect('server', `${method} that reached the handler`, times(1), times(api.handled.filter((r) => r.method === method).length));
          }
          rows.probe('trusted', trusted['header-not-allowed'], 'blocked');
          rows.expect('server', 'GET with X-Trace-Id that reached the handler', times(0), times(api.count('handled', 'header-not-allowed')), 'the preflight was sent; the request never was');

          const hostile = await runProbes(context, at.hostile, api.url, ['put', 'delete']);
          rows.probe('hostile', hostile.put, 'blocked');
          rows.probe('hostile', hostile.delete, 'blocked');
          rows.expect('server', 'hostile PUT/DELETE that reached the handler', times(0), times(api.handled.filter((r) => r.origin === origins.hostile).length));
        }),
      );
      // Max-age: the same PUT twice, 1.2 s apart, with the default max-age (86400 s; Chromium caps it at
      // 2 h) and with max-age 1 s. Both contexts run at once to keep the suite fast.
      const twice = (maxAge: number | undefined) =>
        target.withApi(maxAge === undefined ? demoPolicy() : withApiPolicy({ preflightMaxAge: maxAge }), (api) =>
          inContext(browser, async (context) => {
            await runProbes(context, at.trusted, api.url, ['put']);
            await new Promise((resolve) => setTimeout(resolve, 1200));
            await runProbes(context, at.trusted, api.url, ['put']);
            return api.count('received', 'put', (r) => r.preflight);
          }),
        );
      const [cached, expired] = await Promise.all([twice(undefined), twice(1)]);
      rows.expect('server', 'preflights for 2 PUTs 1.2 s apart, max-age 86400', times(1), times(cached), 'the browser reused the cached preflight');
      rows.expect('server', 'preflights for 2 PUTs 1.2 s apart, max-age 1', times(2), times(expired), 'the cache entry expired');
      rows.assertAll();
    });

    test('exposeHeaders: the trusted page reads X-Request-Id only when it is listed', async (t) => {
      const browser = browserFor(t);
      if (browser === undefined) return;
      const rows = table.begin('expose headers');
      await target.withApi(demoPolicy(), (api) =>
        inContext(browser, async (context) => {
          const wire = await send(api.url, 'GET', '/api/posts/?via=wire', { origin: origins.trusted });
          rows.expect('server', 'sends X-Request-Id and Date', 'both', wire.headers['x-request-id'] !== undefined && wire.headers.date !== undefined ? 'both' : 'not both');
          const trusted = await runProbes(context, at.trusted, api.url, ['exposed-header', 'hidden-header']);
          rows.probe('trusted', trusted['exposed-header'], 'data');
          rows.expect('trusted', 'X-Request-Id value', 'read', trusted['exposed-header']?.value ? 'read' : 'null');
          rows.probe('trusted', trusted['hidden-header'], 'hidden');
          rows.probe('hostile', (await runProbes(context, at.hostile, api.url, ['exposed-header']))['exposed-header'], 'blocked');
        }),
      );
      await target.withApi(withApiPolicy({ exposeHeaders: [] }), (api) =>
        inContext(browser, async (context) => {
          const trusted = await runProbes(context, at.trusted, api.url, ['exposed-header']);
          rows.expect('trusted', 'exposed-header, exposeHeaders: []', 'hidden', trusted['exposed-header']?.outcome ?? 'missing', trusted['exposed-header']?.detail);
        }),
      );
      rows.assertAll();
    });

    test('a null origin (sandboxed iframe, data: frame) is refused unless null is listed', async (t) => {
      const browser = browserFor(t);
      if (browser === undefined) return;
      const rows = table.begin('null origin');
      await target.withServe(demoPolicy(), (server) =>
        inContext(browser, async (context) => {
          const results = await runProbes(context, at.hostile, server.url, ['null-sandbox', 'null-data']);
          rows.probe('hostile', results['null-sandbox'], 'blocked');
          rows.probe('hostile', results['null-data'], 'blocked');
        }),
      );
      await target.withServe(withApiPolicy({ allowedOrigins: [origins.trusted, 'null'] }), (server) =>
        inContext(browser, async (context) => {
          const warned = server.gatehouse.warnings.some((w) => w.value === 'null' && /null origin/.test(w.message));
          rows.expect('server', 'start-up warning for "null"', 'warned', warned ? 'warned' : 'silent');
          const results = await runProbes(context, at.hostile, server.url, ['null-sandbox', 'null-data']);
          rows.probe('hostile, null listed', results['null-sandbox'], 'data');
          rows.probe('hostile, null listed', results['null-data'], 'data');
        }),
      );
      rows.assertAll();
    });

    test('per-path policy: /api/public/ is readable from anywhere, /api/private/ from the trusted page only', async (t) => {
      const browser = browserFor(t);
      if (browser === undefined) return;
      const rows = table.begin('per-path');
      await target.withApi(demoPolicy(), (api) =>
        inContext(browser, async (context) => {
          const expected: Record<'trusted' | 'hostile', Record<string, Outcome>> = {
            trusted: { public: 'data', private: 'data' },
            hostile: { public: 'data', private: 'blocked' },
          };
          for (const from of ['trusted', 'hostile'] as const) {
            const results = await runProbes(context, at[from], api.url, ['public', 'private']);
            for (const [name, outcome] of Object.entries(expected[from])) rows.probe(from, results[name], outcome);
          }
        }),
      );
      rows.assertAll();
    });

    test('misconfiguration: the unescaped-dot regex Gatehouse warns about really lets a look-alike site read', async (t) => {
      const browser = browserFor(t);
      if (browser === undefined) return;
      const rows = table.begin('warned regex');
      const regexPolicy = (regex: string): CorsSettings => ({ allowedOriginRegexes: [regex], allowCredentials: true });
      await target.withServe(regexPolicy('^http://app.example.test:\\d+$'), (server) =>
        inContext(browser, async (context) => {
          const warned = server.gatehouse.warnings.some((w) => w.setting === 'cors.allowedOriginRegexes[0]' && /unescaped/.test(w.message));
          rows.expect('server', 'start-up warning for ^http://app.example.test:\\d+$', 'warned', warned ? 'warned' : 'silent');
          rows.probe('app.example.test', (await runProbes(context, at.namedTrusted, server.url, ['get'])).get, 'data');
          rows.probe('appxexample.test', (await runProbes(context, at.lookalike, server.url, ['get'])).get, 'data');
        }),
      );
      await target.withServe(regexPolicy('^http://app\\.example\\.test:\\d+$'), (server) =>
        inContext(browser, async (context) => {
          rows.expect('server', 'start-up warning for the escaped regex', 'silent', server.gatehouse.warnings.length > 0 ? 'warned' : 'silent');
          rows.probe('app.example.test', (await runProbes(context, at.namedTrusted, server.url, ['get'])).get, 'data');
          rows.probe('appxexample.test, escaped', (await runProbes(context, at.lookalike, server.url, ['get'])).get, 'blocked');
        }),
      );
      rows.assertAll();
    });
  });

  describe('requests CORS does not cover: forms, <img>, <script>, WebSocket', () => {
    test('a cross-site form POST runs the handler unless strict mode refuses it', async (t) => {
      const browser = browserFor(t);
      if (browser === undefined) return;
      const rows = table.begin('form POST (strict)');
      // Fetch Metadata off in both, so that the difference is strict mode's.
      await target.withApi(
        withApiPolicy({ strict: false }),
        (api) =>
          inContext(browser, async (context) => {
            await runProbes(context, at.hostile, api.url, ['form-post']);
            rows.expect('server', 'hostile form POST reached the handler (strict off)', times(1), times(api.count('handled', 'form-post')), 'CORS alone never stops a form');
          }),
        NO_FETCH_METADATA,
      );
      await target.withApi(
        demoPolicy(),
        (api) =>
          inContext(browser, async (context) => {
            const hostile = await runProbes(context, at.hostile, api.url, ['form-post']);
            rows.probe('hostile', hostile['form-post'], 'sent');
            rows.expect('server', 'answer to hostile form POST (strict)', '403', String(api.received.find((r) => r.via === 'form-post')?.status));
            rows.expect('server', 'hostile form POST reached the handler (strict)', times(0), times(api.count('handled', 'form-post')));
            await runProbes(context, at.trusted, api.url, ['form-post']);
            rows.expect('server', 'trusted form POST reached the handler (strict)', times(1), times(api.count('handled', 'form-post', (r) => r.origin === origins.trusted)));
          }),
        NO_FETCH_METADATA,
      );
      rows.assertAll();
    });

    test('Fetch Metadata: a cross-site form POST, <img> and <script> never reach the handler', async (t) => {
      const browser = browserFor(t);
      if (browser === undefined) return;
      const rows = table.begin('Fetch Metadata');
      const capability = await fetchMetadataCapability();
      if (!capability.available) {
        for (const what of ['form-post', 'img', 'script']) rows.todo('hostile', `${what} reached the handler`, times(0), capability.needs);
        await needs(t, capability);
        return;
      }
      // Strict mode off, so that only Fetch Metadata can refuse.
      await target.withApi(
        withApiPolicy({ strict: false }),
        (api) =>
          inContext(browser, async (context) => {
            await runProbes(context, at.hostile, api.url, ['form-post', 'img', 'script']);
            for (const what of ['form-post', 'img', 'script']) rows.expect('server', `hostile ${what} reached the handler`, times(0), times(api.count('handled', what)));
            const trusted = await runProbes(context, at.trusted, api.url, ['get', 'put']);
            rows.probe('trusted', trusted.get, 'data');
            rows.probe('trusted', trusted.put, 'data');
          }),
        FEATURE_OPTIONS.fetchMetadata,
      );
      rows.assertAll();
    });

    test('CSRF check: a same-site sibling\'s form POST with the session cookie never reaches the handler', async (t) => {
      const browser = browserFor(t);
      if (browser === undefined) return;
      const rows = table.begin('CSRF');
      const capability = await csrfCapability();
      if (!capability.available) {
        rows.todo('hostile', 'form-post reached the handler', times(0), capability.needs);
        await needs(t, capability);
        return;
      }
      // The same-site sibling (127.0.0.1, another port): Fetch Metadata lets same-site requests through
      // and the SameSite=Lax session cookie goes with its form POST, so only the CSRF check stands.
      const formFromSibling = (options: CaseOptions) =>
        target.withApi(
          withApiPolicy({ strict: false }),
          (api) =>
            inContext(browser, async (context) => {
              await runProbes(context, at.trusted, api.url, ['login']);
              await runProbes(context, at.sibling, api.url, ['form-post']);
              const request = api.received.find((r) => r.via === 'form-post');
              return { handled: api.count('handled', 'form-post'), cookie: request?.cookie === true, site: request?.fetchSite, status: request?.status };
            }),
          options,
        );
      const refused = await formFromSibling(FEATURE_OPTIONS.csrf);
      rows.expect('server', 'sibling form POST carried the session cookie', 'yes', refused.cookie ? 'yes' : 'no', `Sec-Fetch-Site: ${refused.site}`);
      rows.expect('server', 'sibling form POST reached the handler (CSRF on)', times(0), times(refused.handled), `answered ${refused.status}`);
      const control = await formFromSibling({ crossSite: { csrf: { enabled: false } } });
      rows.expect('server', 'sibling form POST reached the handler (CSRF off)', times(1), times(control.handled), 'the control: nothing else stops it');
      rows.assertAll();
    });

    test('WebSocket: the trusted page connects', async (t) => {
      const browser = browserFor(t);
      if (browser === undefined) return;
      const rows = table.begin('WebSocket');
      await target.withApi(
        demoPolicy(),
        (api) =>
          inContext(browser, async (context) => {
            rows.probe('trusted', (await runProbes(context, at.trusted, api.url, ['websocket'])).websocket, 'data');
          }),
        {},
        'websocket',
      );
      rows.assertAll();
    });

    test('WebSocket: the hostile page\'s handshake is refused', async (t) => {
      const browser = browserFor(t);
      if (browser === undefined) return;
      const rows = table.begin('WebSocket');
      const capability = webSocketCapability();
      if (!capability.available) {
        rows.todo('hostile', 'websocket', 'blocked', capability.needs);
        await needs(t, capability);
        return;
      }
      await target.withApi(
        demoPolicy(),
        (api) =>
          inContext(browser, async (context) => {
            const hostile = (await runProbes(context, at.hostile, api.url, ['websocket'])).websocket;
            rows.probe('hostile', hostile, 'blocked');
            rows.expect('server', 'hostile handshakes accepted', times(0), times(api.count('handled', 'websocket')));
            if (target.countsUpgrades) rows.expect('server', 'answer to the hostile handshake', '403', String(api.received.find((r) => r.via === 'websocket')?.status ?? 'none'));
            else rows.expect('hostile', 'answer to the handshake, as Chromium saw it', '403', handshakeStatusChromiumSaw(hostile?.browserSaid), hostile?.browserSaid);
            rows.probe('trusted', (await runProbes(context, at.trusted, api.url, ['websocket'])).websocket, 'data');
          }),
        {},
        'websocket',
      );
      rows.assertAll();
    });
  });

  describe('over HTTPS', () => {
    test('the API on https:// with the development certificate: the trusted page reads, the hostile page does not', async (t) => {
      const browser = browserFor(t);
      if (browser === undefined) return;
      const rows = table.begin('HTTPS');
      const capability = await httpsCapability();
      if (!capability.available) {
        rows.todo('trusted', 'get over https', 'data', capability.needs);
        await needs(t, capability);
        return;
      }
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-tls-'));
      try {
        const dev = await ensureDevCertificate(join(dir, 'dev-tls'));
        const tls = { certFile: dev.cert, keyFile: dev.key };
        await target.withServe(
          demoPolicy(),
          async (server) => {
            rows.expect('server', 'URL scheme', 'https:', new URL(server.url).protocol);
            // Node, given only the development CA, accepts the server's certificate: the chain is right.
            const verified = await new Promise<string>((resolve) => {
              httpsGet(`${server.url}/api/posts/`, { ca: readFileSync(dev.caCert) }, (res) => {
                res.resume();
                resolve(String(res.statusCode));
              }).on('error', (error) => resolve(error.message));
            });
            rows.expect('server', 'certificate verifies against the dev CA', '200', verified);
            // Chromium does not trust the development CA (a person imports it once, docs/https.md);
            // this context accepts the certificate so that the case is about CORS over HTTPS.
            const context = await browser.newContext({ ignoreHTTPSErrors: true });
            try {
              rows.probe('trusted', (await runProbes(context, at.trusted, server.url, ['get'])).get, 'data');
              rows.probe('hostile', (await runProbes(context, at.hostile, server.url, ['get'])).get, 'blocked');
            } finally {
              await context.close();
            }
          },
          tls,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      rows.assertAll();
    });
  });

  return { chromium, table, origins: () => origins };
}
