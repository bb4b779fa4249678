// Conformance vectors for cross-site protection beyond CORS: trusted proxies (spoofing from an
// untrusted peer), the redirect to HTTPS, HSTS, Fetch Metadata resource isolation, token-free CSRF,
// the headers of JSON responses, and WebSocket upgrades. Every row runs through every adapter over
// real HTTP on loopback (crossSite.test.ts).
//
// Conventions:
// - `setup` names one of SETUPS; rows are grouped by it, one server per group and adapter;
// - `from` is the peer address the request is sent from: 127.0.0.1 is the trusted proxy of the
//   setups that trust one, 127.0.0.2 is anybody else (the same header lines, another socket);
// - header names are lower-case; `null` means the header must be absent;
// - `problem` is the problem+json `code` of Gatehouse's own refusal (the handler never ran);
// - `client` is what the handler saw through clientOf(raw request): the address and protocol after
//   the trusted proxies had their say;
// - expected values are written out from the rules (Fetch Metadata, Go's CrossOriginProtection,
//   Django's CsrfViewMiddleware and SecurityMiddleware, RFC 6797, RFC 7239; docs/cross-site.md and
//   docs/https.md), never computed by Gatehouse code.

import type { CorsSettings } from '../../src/cors/settings.ts';
import type { StartOptions } from '../helpers/servers.ts';

export const API_HOST = 'api.example.com';
export const OWN = 'https://api.example.com';
export const APP = 'https://app.example.com';
export const EVIL = 'https://evil.example.net';
/** Same site as the API (example.com), another origin: Sec-Fetch-Site says same-site. */
export const SIBLING = 'https://evil.example.com';
export const SSO = 'https://sso.example.net';
export const HSTS = 'max-age=31536000; includeSubDomains';

export interface Setup {
  readonly cors: CorsSettings;
  readonly options: StartOptions;
}

export const SETUPS = {
  /** The defaults of crossSite, a trusted proxy on 127.0.0.1, HSTS on, a few trusted and exempt entries. */
  defaults: {
    cors: { allowedOrigins: [APP], allowCredentials: true },
    options: {
      proxy: { trusted: ['127.0.0.1'] },
      https: { hsts: { maxAge: 31_536_000, includeSubDomains: true } },
      crossSite: {
        fetchMetadata: { exemptPaths: ['/public/*'] },
        csrf: { trustedOrigins: ['https://*.partner.example', SSO], exemptPaths: ['/webhooks/*'] },
      },
    },
  },
  /** The redirect to HTTPS (Django's SECURE_SSL_REDIRECT) with an exempt path. */
  redirect: {
    cors: { allowedOrigins: [APP] },
    options: { proxy: { trusted: ['127.0.0.1'] }, https: { redirect: true, redirectExempt: ['/healthz'], hsts: { maxAge: 600 } } },
  },
  /** SECURE_SSL_HOST: every redirect goes to one host and port. */
  redirectHost: {
    cors: { allowedOrigins: [APP] },
    options: { https: { redirect: true, redirectHost: 'secure.example.com:8443', redirectExemptRegexes: ['^acme/'] } },
  },
  /** RFC 7239 Forwarded instead of X-Forwarded-*, with the host taken from it. */
  forwarded: {
    cors: { allowedOrigins: [APP], allowCredentials: true },
    options: { proxy: { trusted: ['127.0.0.1'], header: 'forwarded', useForwardedHost: true }, https: { hsts: { maxAge: 600 } } },
  },
  /** Nobody trusted: forwarded headers are never read, whoever sends them. */
  noProxy: {
    cors: { allowedOrigins: [APP], allowCredentials: true },
    options: { https: { hsts: { maxAge: 600 } } },
  },
  /** Every cross-site check and header turned off: the behaviour before them. */
  off: {
    cors: { allowedOrigins: [APP], allowCredentials: true },
    options: { crossSite: { fetchMetadata: { enabled: false }, csrf: { enabled: false }, headers: { nosniff: false, crossOriginResourcePolicy: false, noStore: false } } },
  },
  /** WebSocket upgrades: CORS enabled on /api/ only. */
  webSocket: {
    cors: { allowedOrigins: [APP], allowCredentials: true, urlsRegex: '^/api/' },
    options: { proxy: { trusted: ['127.0.0.1'] } },
  },
} as const satisfies Record<string, Setup>;

export type SetupName = keyof typeof SETUPS;

export interface CrossSiteVector {
  id: string;
  why: string;
  setup: SetupName;
  request: { method: string; path: string; headers?: Record<string, string>; from?: string };
  expect: {
    status: number;
    handlerCalled: boolean;
    problem?: string;
    headers: Record<string, string | null>;
    client?: { ip: string; protocol: 'http' | 'https' };
  };
}

export interface UpgradeVector {
  id: string;
  why: string;
  setup: SetupName;
  /** `<own>` in an Origin stands for the test server's own origin, http://127.0.0.1:<port>. */
  request: { path: string; headers?: Record<string, string>; from?: string };
  expect: { status: 101 | 403; problem?: string };
}

// ---------------------------------------------------------------------------------------------------
// Helpers: what a response must carry
// ---------------------------------------------------------------------------------------------------

type Expect = CrossSiteVector['expect'];
type Headers = Record<string, string>;

/** The request as the trusted proxy forwards an HTTPS request of client 203.0.113.7. */
const viaHttps: Headers = { host: API_HOST, 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' };
/** The same proxy forwarding a plain HTTP request. */
const viaHttp: Headers = { host: API_HOST, 'x-forwarded-proto': 'http', 'x-forwarded-for': '203.0.113.7' };
const COOKIE = { cookie: 'sessionid=s3cr3t' };
const crossSite = (mode: string, dest: string): Headers => ({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': mode, 'sec-fetch-dest': dest });

/** The handler ran; its JSON answer got nosniff, CORP and, for a credentialed request, no-store. */
function handled(options: { https?: boolean; credentialed?: boolean; client?: Expect['client']; hsts?: string } = {}, headers: Record<string, string | null> = {}): Expect {
  return {
    status: 200,
    handlerCalled: true,
    headers: {
      'x-content-type-options': 'nosniff',
      'cross-origin-resource-policy': 'same-site',
      'cache-control': options.credentialed ? 'no-store' : null,
      'strict-transport-security': options.https ? (options.hsts ?? HSTS) : null,
      ...headers,
    },
    ...(options.client === undefined ? {} : { client: options.client }),
  };
}

/** Gatehouse refused before the handler: 403 problem+json, never cached, with the JSON headers. */
function refused(problem: string, options: { https?: boolean; hsts?: string } = {}, headers: Record<string, string | null> = {}): Expect {
  return {
    status: 403,
    handlerCalled: false,
    problem,
    headers: {
      'content-type': 'application/problem+json',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'cross-origin-resource-policy': 'same-site',
      'access-control-allow-origin': null,
      'strict-transport-security': options.https ? (options.hsts ?? HSTS) : null,
      ...headers,
    },
  };
}

function redirected(status: 301 | 308, location: string): Expect {
  return { status, handlerCalled: false, headers: { location, 'strict-transport-security': null, 'access-control-allow-origin': null } };
}

const FM = 'cross-site-request-refused';
const CSRF = 'csrf-refused';

function v(id: string, why: string, setup: SetupName, request: CrossSiteVector['request'], expect: Expect): CrossSiteVector {
  return { id, why, setup, request, expect };
}
const get = (path: string, headers: Headers = {}, from?: string) => ({ method: 'GET', path, headers, ...(from ? { from } : {}) });
const post = (path: string, headers: Headers = {}, from?: string) => ({ method: 'POST', path, headers, ...(from ? { from } : {}) });

const UNTRUSTED = '127.0.0.2';

// ---------------------------------------------------------------------------------------------------
// The vectors
// ---------------------------------------------------------------------------------------------------

export const crossSiteVectors: readonly CrossSiteVector[] = [
  // --- Trusted proxies: the same headers from the proxy and from anybody else -----------------------
  v('proxy-trusted-https', 'From the trusted proxy, X-Forwarded-Proto and -For are believed: HTTPS (so HSTS) and the client behind it.', 'defaults', get('/api/data', viaHttps), handled({ https: true, client: { ip: '203.0.113.7', protocol: 'https' } })),
  v('proxy-untrusted-https-ignored', 'The same headers from 127.0.0.2 are ignored: plain HTTP, no HSTS, the socket is the client.', 'defaults', get('/api/data', viaHttps, UNTRUSTED), handled({ client: { ip: UNTRUSTED, protocol: 'http' } })),
  v('proxy-trusted-http', 'The trusted proxy saying http is believed too: no HSTS.', 'defaults', get('/api/data', viaHttp), handled({ client: { ip: '203.0.113.7', protocol: 'http' } })),
  v('proxy-trusted-no-headers', 'A request from the proxy without forwarded headers: the proxy is the client, over the socket\'s HTTP.', 'defaults', get('/api/data', { host: API_HOST }), handled({ client: { ip: '127.0.0.1', protocol: 'http' } })),
  v('proxy-client-prepended-proto', 'A client\'s own "X-Forwarded-Proto: https" before the proxy\'s "http" is not read: only the last value is the trusted proxy\'s.', 'defaults', get('/api/data', { host: API_HOST, 'x-forwarded-proto': 'https, http', 'x-forwarded-for': '6.6.6.6, 198.51.100.4' }), handled({ client: { ip: '198.51.100.4', protocol: 'http' } })),
  v('proxy-client-prepended-for', 'A client\'s own X-Forwarded-For entry stops at the first untrusted hop: the address the proxy saw is the client.', 'defaults', get('/api/data', { ...viaHttps, 'x-forwarded-for': '10.9.9.9, 203.0.113.7' }), handled({ https: true, client: { ip: '203.0.113.7', protocol: 'https' } })),
  v('proxy-chain-of-trusted', 'Through two trusted hops (127.0.0.1 twice), the entry before them is the client.', 'defaults', get('/api/data', { host: API_HOST, 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.9, 127.0.0.1' }), handled({ https: true, client: { ip: '198.51.100.9', protocol: 'https' } })),
  v('proxy-none-trusted', 'With nobody trusted, not even 127.0.0.1\'s forwarded headers are read.', 'noProxy', get('/api/data', viaHttps), handled({ client: { ip: '127.0.0.1', protocol: 'http' } })),
  v('proxy-spoofed-own-origin-csrf', 'A cookie POST claiming HTTPS from 127.0.0.2: the server is http://, so Origin https://api.example.com is not its own.', 'defaults', post('/api/data', { ...viaHttps, ...COOKIE, origin: OWN }, UNTRUSTED), refused(CSRF)),
  v('proxy-trusted-own-origin-csrf', 'The same cookie POST through the trusted proxy is same-origin: allowed.', 'defaults', post('/api/data', { ...viaHttps, ...COOKIE, origin: OWN }), handled({ https: true, credentialed: true })),

  // --- RFC 7239 Forwarded ----------------------------------------------------------------------------
  v('forwarded-https-and-host', 'Forwarded from the trusted proxy: for, proto and host are believed.', 'forwarded', get('/api/data', { host: 'internal:8000', forwarded: 'for=203.0.113.7;proto=https;host=api.example.com' }), handled({ https: true, hsts: 'max-age=600', client: { ip: '203.0.113.7', protocol: 'https' } }, { 'x-client-host': API_HOST })),
  v('forwarded-untrusted-ignored', 'The same Forwarded from 127.0.0.2 is ignored.', 'forwarded', get('/api/data', { host: 'internal:8000', forwarded: 'for=203.0.113.7;proto=https;host=api.example.com' }, UNTRUSTED), handled({ client: { ip: UNTRUSTED, protocol: 'http' } }, { 'x-client-host': 'internal:8000' })),
  v('forwarded-x-forwarded-not-read', 'Under header: forwarded, X-Forwarded-Proto is not read, even from the trusted proxy.', 'forwarded', get('/api/data', viaHttps), handled({ client: { ip: '127.0.0.1', protocol: 'http' } })),
  v('forwarded-ipv6-quoted', 'An IPv6 node in quotes with a port (RFC 7239 §6).', 'forwarded', get('/api/data', { host: API_HOST, forwarded: 'for="[2001:db8:cafe::17]:4711";proto=https' }), handled({ https: true, hsts: 'max-age=600', client: { ip: '2001:db8:cafe::17', protocol: 'https' } })),
  v('forwarded-chain', 'Through the trusted hop 127.0.0.1, the element before it is the client\'s.', 'forwarded', get('/api/data', { host: API_HOST, forwarded: 'for=198.51.100.1;proto=https, for=127.0.0.1;proto=http' }), handled({ https: true, hsts: 'max-age=600', client: { ip: '198.51.100.1', protocol: 'https' } })),
  v('forwarded-client-prepended', 'A client\'s own element before the proxy\'s is not read.', 'forwarded', get('/api/data', { host: API_HOST, forwarded: 'for=6.6.6.6;proto=https, for=198.51.100.1;proto=http' }), handled({ client: { ip: '198.51.100.1', protocol: 'http' } })),
  v('forwarded-malformed', 'An unparsable Forwarded is not believed at all: the proxy is the client.', 'forwarded', get('/api/data', { host: API_HOST, forwarded: 'for=;proto=https' }), handled({ client: { ip: '127.0.0.1', protocol: 'http' } })),
  v('forwarded-host-is-own-origin', 'The forwarded host and proto make the server\'s own origin for CSRF.', 'forwarded', post('/api/data', { host: 'internal:8000', forwarded: 'for=203.0.113.7;proto=https;host=api.example.com', origin: OWN, ...COOKIE }), handled({ https: true, hsts: 'max-age=600', credentialed: true })),

  // --- The redirect to HTTPS -------------------------------------------------------------------------
  v('redirect-get-301', 'A GET over HTTP is sent to the same target over HTTPS with 301 (RFC 6797 §7.2).', 'redirect', get('/api/data?page=2', { host: API_HOST }), redirected(301, 'https://api.example.com/api/data?page=2')),
  v('redirect-head-301', 'HEAD is redirected with 301 too.', 'redirect', { method: 'HEAD', path: '/api/data', headers: { host: API_HOST } }, redirected(301, 'https://api.example.com/api/data')),
  v('redirect-post-308', 'A POST gets 308, which keeps the method and body (RFC 9110 §15.4.9).', 'redirect', post('/api/data', { host: API_HOST }), redirected(308, 'https://api.example.com/api/data')),
  v('redirect-delete-308', 'Any method but GET and HEAD gets 308.', 'redirect', { method: 'DELETE', path: '/api/data/1', headers: { host: API_HOST } }, redirected(308, 'https://api.example.com/api/data/1')),
  v('redirect-port-dropped', 'The HTTP port says nothing about the HTTPS one: it is dropped.', 'redirect', get('/api/data', { host: 'api.example.com:8080' }), redirected(301, 'https://api.example.com/api/data')),
  v('redirect-before-cors', 'A preflight over HTTP is redirected before CORS answers it.', 'redirect', { method: 'OPTIONS', path: '/api/data', headers: { host: API_HOST, origin: APP, 'access-control-request-method': 'PUT' } }, redirected(308, 'https://api.example.com/api/data')),
  v('redirect-exempt-path', 'An exempt path is served over HTTP.', 'redirect', get('/healthz', { host: API_HOST }), handled({}, { 'cross-origin-resource-policy': 'same-site' })),
  v('redirect-secure-via-proxy', 'HTTPS reported by the trusted proxy is not redirected, and gets HSTS.', 'redirect', get('/api/data', viaHttps), handled({ https: true, hsts: 'max-age=600' })),
  v('redirect-spoofed-proto', 'HTTPS claimed from 127.0.0.2 is not believed: redirected.', 'redirect', get('/api/data', viaHttps, UNTRUSTED), redirected(301, 'https://api.example.com/api/data')),
  v('redirect-invalid-host', 'A Host that is not host[:port] is never copied into Location: 400.', 'redirect', get('/api/data', { host: 'evil"example.com' }), { status: 400, handlerCalled: false, problem: 'https-redirect-host-invalid', headers: { location: null, 'content-type': 'application/problem+json' } }),
  v('redirect-host-setting', 'redirectHost (SECURE_SSL_HOST) names the host and port of every redirect.', 'redirectHost', get('/api/data?q=1', { host: 'api.example.com:8080' }), redirected(301, 'https://secure.example.com:8443/api/data?q=1')),
  v('redirect-exempt-regex', 'SECURE_REDIRECT_EXEMPT regexes search the path without its leading slash.', 'redirectHost', get('/acme/challenge', { host: API_HOST }), handled()),

  // --- HSTS and the headers of JSON responses ----------------------------------------------------------
  v('hsts-only-over-https', 'No Strict-Transport-Security over plain HTTP (RFC 6797 §7.2).', 'defaults', get('/api/data', { host: API_HOST }), handled()),
  v('headers-handler-own-kept', 'The handler\'s own HSTS, Cache-Control, CORP and nosniff are kept, never overwritten.', 'defaults', get('/own-headers', { ...viaHttps, ...COOKIE }), handled({}, { 'strict-transport-security': 'max-age=60', 'cache-control': 'private, max-age=60', 'cross-origin-resource-policy': 'cross-origin' })),
  v('headers-credentialed-no-store', 'A JSON answer to a request with a cookie is no-store.', 'defaults', get('/api/data', { host: API_HOST, ...COOKIE }), handled({ credentialed: true })),
  v('headers-bearer-no-store', 'A JSON answer to a request with a Bearer token is no-store.', 'defaults', get('/api/data', { host: API_HOST, authorization: 'Bearer abc' }), handled({ credentialed: true })),
  v('headers-api-key-no-store', 'A JSON answer to a request with an API key is no-store.', 'defaults', get('/api/data', { host: API_HOST, 'x-api-key': 'k' }), handled({ credentialed: true })),
  v('headers-text-not-json', 'A text answer gets nosniff but neither CORP nor no-store.', 'defaults', get('/text', { host: API_HOST, ...COOKIE }), handled({}, { 'cross-origin-resource-policy': null, 'cache-control': null })),
  v('headers-preflight', 'The engine\'s preflight answer gets nosniff (and HSTS over HTTPS), no CORP: it has no body.', 'defaults', { method: 'OPTIONS', path: '/api/data', headers: { ...viaHttps, origin: APP, 'access-control-request-method': 'PUT' } }, { status: 200, handlerCalled: false, headers: { 'access-control-allow-origin': APP, 'x-content-type-options': 'nosniff', 'cross-origin-resource-policy': null, 'strict-transport-security': HSTS } }),

  // --- Fetch Metadata resource isolation ---------------------------------------------------------------
  v('fm-cross-site-image', 'An <img> of another site: Sec-Fetch-Site cross-site, no-cors: refused.', 'defaults', get('/api/data', { host: API_HOST, ...crossSite('no-cors', 'image') }), refused(FM)),
  v('fm-cross-site-script', 'A <script src> of another site (XSSI): refused.', 'defaults', get('/api/data', { host: API_HOST, ...COOKIE, ...crossSite('no-cors', 'script') }), refused(FM)),
  v('fm-cross-site-fetch-refused-origin', 'A cross-site fetch() from an origin CORS does not allow: refused before the handler.', 'defaults', get('/api/data', { host: API_HOST, origin: EVIL, ...crossSite('cors', 'empty') }), refused(FM)),
  v('fm-top-level-navigation', 'A link followed from another site (top-level GET navigation) is allowed.', 'defaults', get('/api/data', { host: API_HOST, ...COOKIE, ...crossSite('navigate', 'document') }), handled({ credentialed: true })),
  v('fm-top-level-head', 'A top-level HEAD navigation is allowed.', 'defaults', { method: 'HEAD', path: '/api/data', headers: { host: API_HOST, ...crossSite('navigate', 'document') } }, handled()),
  v('fm-cross-site-form-post', 'A cross-site form POST is a navigation but not a GET: refused.', 'defaults', post('/api/data', { host: API_HOST, origin: EVIL, ...crossSite('navigate', 'document') }), refused(FM)),
  v('fm-iframe', 'Another site framing the API (<iframe>) is not a top-level navigation: refused.', 'defaults', get('/api/data', { host: API_HOST, ...crossSite('navigate', 'iframe') }), refused(FM)),
  v('fm-object', 'An <object> navigation is refused (web.dev\'s policy).', 'defaults', get('/api/data', { host: API_HOST, ...crossSite('navigate', 'object') }), refused(FM)),
  v('fm-same-site', 'Same-site requests are not judged by Fetch Metadata.', 'defaults', get('/api/data', { host: API_HOST, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' }), handled()),
  v('fm-same-origin', 'Same-origin requests pass.', 'defaults', get('/api/data', { host: API_HOST, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' }), handled()),
  v('fm-none', 'User-initiated requests (the address bar) pass.', 'defaults', get('/api/data', { host: API_HOST, 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }), handled()),
  v('fm-no-header', 'Without Sec-Fetch-Site (curl, old browsers) Fetch Metadata does not judge.', 'defaults', get('/api/data', { host: API_HOST }), handled()),
  v('fm-unknown-value', 'A Sec-Fetch-Site value no browser sends fails closed.', 'defaults', get('/api/data', { host: API_HOST, 'sec-fetch-site': 'cross-origin', 'sec-fetch-mode': 'no-cors' }), refused(FM)),
  v('fm-allowed-origin', 'A cross-site fetch() from an origin CORS allows passes, with its CORS headers.', 'defaults', get('/api/data', { host: API_HOST, origin: APP, ...crossSite('cors', 'empty') }), handled({}, { 'access-control-allow-origin': APP })),
  v('fm-trusted-origin-form-post', 'A cross-site form POST from a trusted origin (an SSO callback) passes both checks.', 'defaults', post('/api/data', { host: API_HOST, origin: SSO, ...COOKIE, ...crossSite('navigate', 'document') }), handled({ credentialed: true })),
  v('fm-exempt-path', 'An exempt path may be embedded by other sites.', 'defaults', get('/public/logo', { host: API_HOST, ...crossSite('no-cors', 'image') }), handled()),
  v('fm-preflight-answered-by-cors', 'A preflight is answered by CORS, before Fetch Metadata.', 'defaults', { method: 'OPTIONS', path: '/api/data', headers: { host: API_HOST, origin: APP, 'access-control-request-method': 'PUT', ...crossSite('cors', 'empty') } }, { status: 200, handlerCalled: false, headers: { 'access-control-allow-origin': APP, 'content-length': '0' } }),
  v('fm-refusal-keeps-vary', 'A Fetch Metadata refusal still lists Origin in Vary and carries HSTS over HTTPS.', 'defaults', get('/api/data', { ...viaHttps, origin: EVIL, ...crossSite('cors', 'empty') }), refused(FM, { https: true }, { vary: 'Origin' })),

  // --- CSRF for requests with ambient credentials ------------------------------------------------------
  v('csrf-cross-origin-old-browser', 'A cookie POST from another origin without Sec-Fetch-Site (an old browser): refused by the Origin check.', 'defaults', post('/api/data', { host: API_HOST, origin: EVIL, ...COOKIE }), refused(CSRF)),
  v('csrf-same-site-sibling', 'A sibling subdomain (Sec-Fetch-Site same-site) passes Fetch Metadata but not CSRF.', 'defaults', post('/api/data', { host: API_HOST, origin: SIBLING, ...COOKIE, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' }), refused(CSRF)),
  v('csrf-same-origin-fetch', 'Sec-Fetch-Site same-origin passes.', 'defaults', post('/api/data', { host: API_HOST, origin: 'http://api.example.com', ...COOKIE, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' }), handled({ credentialed: true })),
  v('csrf-own-origin', 'Without Sec-Fetch-Site, the server\'s own origin (scheme and Host) passes.', 'defaults', post('/api/data', { host: API_HOST, origin: 'http://api.example.com', ...COOKIE }), handled({ credentialed: true })),
  v('csrf-own-host-other-scheme', 'http:// is not the own origin of an HTTPS request (Django compares the scheme).', 'defaults', post('/api/data', { ...viaHttps, origin: 'http://api.example.com', ...COOKIE }), refused(CSRF, { https: true })),
  v('csrf-null-origin', 'Origin null is never the own origin.', 'defaults', post('/api/data', { host: API_HOST, origin: 'null', ...COOKIE }), refused(CSRF)),
  v('csrf-trusted-wildcard', 'https://*.partner.example trusts its subdomains (CSRF_TRUSTED_ORIGINS).', 'defaults', post('/api/data', { host: API_HOST, origin: 'https://a.b.partner.example', ...COOKIE }), handled({ credentialed: true })),
  v('csrf-trusted-wildcard-apex', 'https://*.partner.example trusts partner.example itself, as in Django.', 'defaults', post('/api/data', { host: API_HOST, origin: 'https://partner.example', ...COOKIE }), handled({ credentialed: true })),
  v('csrf-trusted-wildcard-port', 'A wildcard without a port trusts the default port only.', 'defaults', post('/api/data', { host: API_HOST, origin: 'https://a.partner.example:8443', ...COOKIE }), refused(CSRF)),
  v('csrf-trusted-wildcard-scheme', 'A wildcard trusts its scheme only.', 'defaults', post('/api/data', { host: API_HOST, origin: 'http://a.partner.example', ...COOKIE }), refused(CSRF)),
  v('csrf-trusted-lookalike', 'https://evilpartner.example is not under *.partner.example.', 'defaults', post('/api/data', { host: API_HOST, origin: 'https://evilpartner.example', ...COOKIE }), refused(CSRF)),
  v('csrf-trusted-cross-site-fetch', 'A trusted origin passes even when Sec-Fetch-Site says cross-site.', 'defaults', post('/api/data', { host: API_HOST, origin: SSO, ...COOKIE, ...crossSite('cors', 'empty') }), handled({ credentialed: true })),
  v('csrf-cors-credentialed-origin', 'An origin CORS allows with credentials may send cookie POSTs.', 'defaults', post('/api/data', { host: API_HOST, origin: APP, ...COOKIE, ...crossSite('cors', 'empty') }), handled({ credentialed: true }, { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' })),
  v('csrf-bearer-not-affected', 'A Bearer token is no ambient credential: not checked.', 'defaults', post('/api/data', { host: API_HOST, origin: EVIL, authorization: 'Bearer abc' }), handled({ credentialed: true })),
  v('csrf-api-key-not-affected', 'An API key (with a cookie too) is no forgery: not checked.', 'defaults', post('/api/data', { host: API_HOST, origin: EVIL, 'x-api-key': 'k', ...COOKIE }), handled({ credentialed: true })),
  v('csrf-bearer-beats-cookie', 'A Bearer token next to a cookie: the token authenticates, not checked.', 'defaults', post('/api/data', { host: API_HOST, origin: EVIL, authorization: 'Bearer abc', ...COOKIE }), handled({ credentialed: true })),
  v('csrf-basic-is-ambient', 'Basic credentials are attached by the browser: checked like cookies.', 'defaults', post('/api/data', { host: API_HOST, origin: EVIL, authorization: 'Basic dXNlcjpwYXNz' }), refused(CSRF)),
  v('csrf-no-credentials-not-affected', 'Without credentials a forged POST gains nothing: not checked (the CORS behaviour stays).', 'defaults', post('/api/data', { host: API_HOST, origin: EVIL }), handled()),
  v('csrf-safe-method', 'GET is safe: not checked.', 'defaults', get('/api/data', { host: API_HOST, origin: EVIL, ...COOKIE }), handled({ credentialed: true })),
  v('csrf-delete', 'DELETE with a cookie from another origin: refused.', 'defaults', { method: 'DELETE', path: '/api/data/1', headers: { host: API_HOST, origin: EVIL, ...COOKIE } }, refused(CSRF)),
  v('csrf-exempt-path', 'An exempt path (a webhook) is not checked.', 'defaults', post('/webhooks/stripe', { host: API_HOST, origin: EVIL, ...COOKIE }), handled({ credentialed: true })),
  v('csrf-https-referer-own', 'HTTPS without Origin: a Referer of the own origin passes (Django).', 'defaults', post('/api/data', { ...viaHttps, referer: 'https://api.example.com/settings', ...COOKIE }), handled({ https: true, credentialed: true })),
  v('csrf-https-no-referer', 'HTTPS without Origin and without Referer: refused (Django\'s "no Referer").', 'defaults', post('/api/data', { ...viaHttps, ...COOKIE }), refused(CSRF, { https: true })),
  v('csrf-https-referer-insecure', 'An http:// Referer on an HTTPS request: refused.', 'defaults', post('/api/data', { ...viaHttps, referer: 'http://api.example.com/settings', ...COOKIE }), refused(CSRF, { https: true })),
  v('csrf-https-referer-other', 'A Referer of another site: refused.', 'defaults', post('/api/data', { ...viaHttps, referer: 'https://evil.example.net/x', ...COOKIE }), refused(CSRF, { https: true })),
  v('csrf-https-referer-trusted', 'A Referer under a trusted wildcard passes.', 'defaults', post('/api/data', { ...viaHttps, referer: 'https://shop.partner.example/checkout', ...COOKIE }), handled({ https: true, credentialed: true })),
  v('csrf-http-no-origin', 'Plain HTTP without Origin or Sec-Fetch-Site: nothing vouches for it: refused.', 'defaults', post('/api/data', { host: API_HOST, ...COOKIE }), refused(CSRF)),

  // --- Everything off ----------------------------------------------------------------------------------
  v('off-cross-site-image', 'With Fetch Metadata off, a cross-site <img> reaches the handler.', 'off', get('/api/data', crossSite('no-cors', 'image')), { status: 200, handlerCalled: true, headers: { 'x-content-type-options': null, 'cross-origin-resource-policy': null } }),
  v('off-csrf', 'With CSRF off, a cookie POST from another origin reaches the handler.', 'off', post('/api/data', { origin: EVIL, ...COOKIE }), { status: 200, handlerCalled: true, headers: { 'cache-control': null, 'x-content-type-options': null } }),
];

// ---------------------------------------------------------------------------------------------------
// WebSocket upgrades
// ---------------------------------------------------------------------------------------------------

const ws = (id: string, why: string, request: UpgradeVector['request'], status: 101 | 403): UpgradeVector => ({
  id,
  why,
  setup: 'webSocket',
  request,
  expect: status === 101 ? { status } : { status, problem: 'websocket-origin-refused' },
});

export const upgradeVectors: readonly UpgradeVector[] = [
  ws('ws-no-origin', 'A handshake without Origin is no browser: allowed.', { path: '/api/ws' }, 101),
  ws('ws-allowed-origin', 'An origin CORS allows on the path: allowed.', { path: '/api/ws', headers: { origin: APP } }, 101),
  ws('ws-own-origin', 'The server\'s own origin: allowed.', { path: '/api/ws', headers: { origin: '<own>' } }, 101),
  ws('ws-own-origin-outside-cors', 'The own origin is allowed on a path CORS does not cover.', { path: '/chat', headers: { origin: '<own>' } }, 101),
  ws('ws-refused-origin', 'Another origin (cross-site WebSocket hijacking): 403.', { path: '/api/ws', headers: { origin: EVIL } }, 403),
  ws('ws-null-origin', 'Origin null (a sandboxed iframe): 403.', { path: '/api/ws', headers: { origin: 'null' } }, 403),
  ws('ws-allowed-origin-outside-cors', 'An allowed origin on a path outside urlsRegex: only the own origin may connect.', { path: '/chat', headers: { origin: APP } }, 403),
  ws('ws-trusted-proxy-own-origin', 'Through the trusted proxy, https://api.example.com is the own origin.', { path: '/api/ws', headers: { host: API_HOST, 'x-forwarded-proto': 'https', origin: OWN } }, 101),
  ws('ws-spoofed-own-origin', 'The same handshake from 127.0.0.2: the server is http://, the Origin is another origin.', { path: '/chat', headers: { host: API_HOST, 'x-forwarded-proto': 'https', origin: OWN }, from: UNTRUSTED }, 403),
];
