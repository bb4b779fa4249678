// The framework-quirk table shared by test/adapters/*.test.ts. Each framework test builds the same small
// app the framework's own way (real routes, so its 404, OPTIONS and error handling run) and runs these
// rows against it over HTTP:
//   GET     /items          200 JSON                      (route "items")
//   OPTIONS /items          204 from a registered route   (route "options")
//   GET     /boom           throws inside the route       (route "boom")
//   GET     /stream         three chunks, streamed        (route "stream")
//   GET     /own-vary       sets Vary: Accept-Encoding and Access-Control-Allow-Origin: *, replacing
//                           what was there               (route "own-vary")
//   GET     /strict/items   200 on a strict path          (route "strict")
//   anything else           the framework's 404
// Each route records its name in `hits` when it runs.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listsToken } from '../../src/adapters/responseHeaders.ts';
import type { CorsSettings } from '../../src/cors/settings.ts';
import { send, type RawResponse } from './httpClient.ts';

export const ALLOWED = 'https://app.example.com';
export const REFUSED = 'https://evil.example.net';
/** Allowed by the asynchronous isRequestAllowed hook, so its decisions arrive as Promises. */
export const HOOKED = 'https://hooked.example.org';
/** Origins for which the hook throws, synchronously or as a rejected Promise. */
export const HOOK_THROWS = 'https://throws.example.org';
export const HOOK_REJECTS = 'https://rejects.example.org';
export const STREAM_CHUNKS = ['chunk 1\n', 'chunk 2\n', 'chunk 3\n'] as const;

/** The /stream route's body: a chunk, a pause, the next chunk, so the head goes out before the end. */
export async function* streamedChunks(): AsyncGenerator<string> {
  for (const chunk of STREAM_CHUNKS) {
    yield chunk;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const QUIRK_SETTINGS: CorsSettings = {
  allowedOrigins: [ALLOWED],
  allowCredentials: true,
  exposeHeaders: ['X-Total'],
  paths: [{ path: '/strict/*', allowedOrigins: [ALLOWED], strict: true }],
  isRequestAllowed: (request) => {
    if (request.origin === HOOK_THROWS) throw new Error('the hook broke');
    if (request.origin === HOOK_REJECTS) return Promise.reject(new Error('the hook broke'));
    return Promise.resolve(request.origin === HOOKED);
  },
};

export interface QuirkApp {
  readonly url: string;
  /** The names of the routes that ran, in order. */
  readonly hits: string[];
  close(): Promise<void>;
}

export interface QuirkCase {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly status: number;
  /**
   * 'allowed': the full CORS answer for the request's origin; 'refused': no CORS header, Vary lists
   * Origin; 'undecided': the engine gave no decision (its hook threw), so there is nothing to check.
   */
  readonly cors: 'allowed' | 'refused' | 'undecided';
  /** The route that must have run, or null when none may run. */
  readonly route: string | null;
  readonly preflight?: boolean;
  readonly body?: string;
  /** A header value the response must keep besides the CORS ones. */
  readonly varyAlsoLists?: string;
}

const fromAllowed = { origin: ALLOWED };
const fromRefused = { origin: REFUSED };
const preflightFrom = (origin: string) => ({ origin, 'access-control-request-method': 'PUT' });

export const quirkCases: readonly QuirkCase[] = [
  { name: 'a route answers with the CORS headers', method: 'GET', path: '/items', headers: fromAllowed, status: 200, cors: 'allowed', route: 'items' },
  { name: "the framework's 404 for an unknown route keeps the CORS headers", method: 'GET', path: '/nowhere', headers: fromAllowed, status: 404, cors: 'allowed', route: null },
  { name: "the framework's 404 keeps Vary: Origin for a refused origin", method: 'GET', path: '/nowhere', headers: fromRefused, status: 404, cors: 'refused', route: null },
  { name: 'an error thrown by a route becomes a 500 that keeps the CORS headers', method: 'GET', path: '/boom', headers: fromAllowed, status: 500, cors: 'allowed', route: 'boom' },
  { name: 'an error thrown by a route keeps Vary: Origin for a refused origin', method: 'GET', path: '/boom', headers: fromRefused, status: 500, cors: 'refused', route: 'boom' },
  { name: 'a streamed response keeps the CORS headers and its whole body', method: 'GET', path: '/stream', headers: fromAllowed, status: 200, cors: 'allowed', route: 'stream', body: STREAM_CHUNKS.join('') },
  { name: 'HEAD is answered with the CORS headers and no body', method: 'HEAD', path: '/items', headers: fromAllowed, status: 200, cors: 'allowed', route: 'items', body: '' },
  { name: 'a preflight is answered by the engine although a route is registered for OPTIONS', method: 'OPTIONS', path: '/items', headers: preflightFrom(ALLOWED), status: 200, cors: 'allowed', route: null, preflight: true, body: '' },
  { name: 'a preflight to a path with no route is answered by the engine, not 404', method: 'OPTIONS', path: '/nowhere', headers: preflightFrom(ALLOWED), status: 200, cors: 'allowed', route: null, preflight: true, body: '' },
  { name: 'a refused preflight is answered by the engine too', method: 'OPTIONS', path: '/items', headers: preflightFrom(REFUSED), status: 200, cors: 'refused', route: null, body: '' },
  { name: 'an OPTIONS request that is not a preflight reaches the OPTIONS route', method: 'OPTIONS', path: '/items', headers: fromAllowed, status: 204, cors: 'allowed', route: 'options' },
  { name: 'a route that replaces Vary and sets its own Allow-Origin cannot drop Origin or widen access', method: 'GET', path: '/own-vary', headers: fromRefused, status: 200, cors: 'refused', route: 'own-vary', varyAlsoLists: 'accept-encoding' },
  { name: 'strict mode refuses with 403 before the route runs', method: 'GET', path: '/strict/items', headers: fromRefused, status: 403, cors: 'refused', route: null },
  { name: 'an origin the async isRequestAllowed hook allows reaches the route with the CORS headers', method: 'GET', path: '/items', headers: { origin: HOOKED }, status: 200, cors: 'allowed', route: 'items' },
  { name: 'a preflight decided by the async hook is still answered before any route', method: 'OPTIONS', path: '/items', headers: preflightFrom(HOOKED), status: 200, cors: 'allowed', route: null, preflight: true, body: '' },
  { name: 'an isRequestAllowed hook that throws gives a 500, never a crash, and the route does not run', method: 'GET', path: '/items', headers: { origin: HOOK_THROWS }, status: 500, cors: 'undecided', route: null },
  { name: 'an isRequestAllowed hook that rejects gives a 500, never a crash, and the route does not run', method: 'GET', path: '/items', headers: { origin: HOOK_REJECTS }, status: 500, cors: 'undecided', route: null },
  { name: 'strict mode lets an allowed origin reach the route', method: 'GET', path: '/strict/items', headers: fromAllowed, status: 200, cors: 'allowed', route: 'strict' },
];

export function checkQuirkCase(row: QuirkCase, response: RawResponse, hits: readonly string[]): void {
  const h = response.headers;
  assert.equal(response.status, row.status, 'status');
  assert.deepEqual(hits, row.route === null ? [] : [row.route], 'routes that ran');
  if (row.cors === 'undecided') return;
  assert.ok(listsToken(h.vary ?? '', 'origin'), `Vary lists Origin (got "${h.vary}")`);
  if (row.varyAlsoLists !== undefined) assert.ok(listsToken(h.vary ?? '', row.varyAlsoLists), `Vary keeps ${row.varyAlsoLists} (got "${h.vary}")`);
  if (row.cors === 'allowed') {
    assert.equal(h['access-control-allow-origin'], row.headers.origin);
    assert.equal(h['access-control-allow-credentials'], 'true');
    if (row.method !== 'OPTIONS') assert.equal(h['access-control-expose-headers'], 'X-Total');
  } else {
    assert.equal(h['access-control-allow-origin'], undefined);
    assert.equal(h['access-control-allow-credentials'], undefined);
  }
  if (row.preflight === true) {
    assert.equal(h['access-control-allow-methods'], 'DELETE, GET, OPTIONS, PATCH, POST, PUT');
    assert.equal(h['content-length'], '0');
  }
  if (row.body !== undefined) assert.equal(response.body, row.body, 'body');
}

/** Registers one test per row of quirkCases against the app `start` builds (inside a describe). */
export function testQuirkCases(start: () => Promise<QuirkApp>): void {
  let app: QuirkApp;
  before(async () => {
    app = await start();
  });
  after(() => app.close());
  for (const row of quirkCases) {
    test(row.name, async () => {
      app.hits.length = 0;
      const response = await send(app.url, row.method, row.path, row.headers);
      checkQuirkCase(row, response, app.hits);
    });
  }
}
