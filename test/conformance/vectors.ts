// Conformance vectors for Gatehouse's CORS engine: one row per rule, shared by every adapter.
//
// Each row says which settings the engine starts with, which request the runner sends to the shared
// test app, and what the response must look like. The expected values are written out from the rules
// (newest django-cors-headers plus the WHATWG Fetch standard's CORS protocol), never computed by
// Gatehouse code: the defaults below are literals on purpose.
//
// Conventions:
// - header names are lower-case; a `null` value means the header must be absent;
// - every row asserts the five CORS response headers plus access-control-max-age,
//   access-control-allow-private-network and x-gatehouse-cors (absent when debugHeader is off);
// - a preflight the engine answers also asserts `content-length: 0`;
// - handlerCalled == the response carries `x-handler: called` (so `/throw` rows say false).

import type { CorsSettings } from '../../src/cors/settings.ts';

export interface ConformanceVector {
  id: string; // unique, kebab-case
  why: string; // one reason, one sentence: the rule this row proves
  settings: CorsSettings;
  request: { method: string; path: string; headers?: Record<string, string | string[]> }; // header names lower-case; an array sends the header line twice
  expect: {
    status: number;
    handlerCalled: boolean; // the app handler ran (the test app marks its responses with `x-handler: called`)
    headers: Record<string, string | null>; // lower-case name -> exact value, or null meaning the header must be ABSENT
    vary: 'origin' | 'absent'; // 'origin': the Vary header lists Origin; 'absent': Vary does not mention Origin
    /** Only when debugHeader is on: `x-gatehouse-cors` must be present and start with this word. */
    debugStartsWith?: 'allowed' | 'refused';
  };
}

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

type Request = ConformanceVector['request'];
type Expect = ConformanceVector['expect'];
type RequestHeaders = Record<string, string | string[]>;

const ACAO = 'access-control-allow-origin';
const ACAC = 'access-control-allow-credentials';
const ACAM = 'access-control-allow-methods';
const ACAH = 'access-control-allow-headers';
const ACEH = 'access-control-expose-headers';
const ACMA = 'access-control-max-age';
const ACAPN = 'access-control-allow-private-network';
const DEBUG = 'x-gatehouse-cors';

/** The documented defaults, written out (not imported) so a changed default fails these rows. */
const DEFAULT_METHODS = ['DELETE', 'GET', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;
const DEFAULT_HEADERS = ['accept', 'authorization', 'content-type', 'user-agent', 'x-csrftoken', 'x-requested-with'] as const;
const DEFAULT_MAX_AGE = 86400;

// Origins used across themes.
const A = 'https://app.example.com';
const B = 'https://b.example.com';
const EVIL = 'https://evil.example.net';

/** The settings that shape the response headers, with the defaults filled in. */
interface Effective {
  allowAllOrigins: boolean;
  allowCredentials: boolean;
  allowMethods: readonly string[];
  allowHeaders: readonly string[];
  exposeHeaders: readonly string[];
  preflightMaxAge: number;
  debugHeader: boolean;
}

/** Effective settings of a policy (global settings, or global merged with one `paths` entry by hand). */
function eff(s: CorsSettings): Effective {
  return {
    allowAllOrigins: s.allowAllOrigins ?? false,
    allowCredentials: s.allowCredentials ?? false,
    allowMethods: s.allowMethods ?? DEFAULT_METHODS,
    allowHeaders: s.allowHeaders ?? DEFAULT_HEADERS,
    exposeHeaders: s.exposeHeaders ?? [],
    preflightMaxAge: s.preflightMaxAge ?? DEFAULT_MAX_AGE,
    debugHeader: s.debugHeader ?? false,
  };
}

/** Every asserted header absent. */
function noCors(): Record<string, string | null> {
  return { [ACAO]: null, [ACAC]: null, [ACAM]: null, [ACAH]: null, [ACEH]: null, [ACMA]: null, [ACAPN]: null };
}

function finish(
  e: Effective,
  status: number,
  handlerCalled: boolean,
  headers: Record<string, string | null>,
  vary: Expect['vary'],
  verdict: 'allowed' | 'refused' | undefined,
): Expect {
  const out: Expect = { status, handlerCalled, headers: { ...headers }, vary };
  if (e.debugHeader) {
    if (verdict !== undefined) out.debugStartsWith = verdict;
  } else {
    out.headers[DEBUG] = null;
  }
  return out;
}

interface Shape {
  status?: number;
  handler?: boolean;
}

/** An allowed origin on an actual request (options: true adds the OPTIONS-only headers, rule 8). */
function allowed(origin: string, e: Effective, o: Shape & { options?: boolean } = {}): Expect {
  const h = noCors();
  h[ACAO] = e.allowAllOrigins && !e.allowCredentials ? '*' : origin;
  if (e.allowCredentials) h[ACAC] = 'true';
  if (e.exposeHeaders.length > 0) h[ACEH] = e.exposeHeaders.join(', ');
  if (o.options) {
    h[ACAM] = e.allowMethods.join(', ');
    h[ACAH] = e.allowHeaders.join(', ');
    if (e.preflightMaxAge > 0) h[ACMA] = String(e.preflightMaxAge);
  }
  return finish(e, o.status ?? 200, o.handler ?? true, h, 'origin', 'allowed');
}

/** A refused (or invalid) origin on an actual request: no CORS header at all, Vary still lists Origin. */
function refused(e: Effective, o: Shape = {}): Expect {
  return finish(e, o.status ?? 200, o.handler ?? true, noCors(), 'origin', 'refused');
}

/** No Origin (or an empty one) on an enabled path: nothing but Vary. */
function noOrigin(e: Effective, o: Shape = {}): Expect {
  return finish(e, o.status ?? 200, o.handler ?? true, noCors(), 'origin', undefined);
}

/** A preflight from an allowed origin, answered by the engine. */
function preflightOk(origin: string, e: Effective, o: { pn?: boolean } = {}): Expect {
  const out = allowed(origin, e, { handler: false, options: true });
  out.headers['content-length'] = '0';
  if (o.pn) out.headers[ACAPN] = 'true';
  return out;
}

/** A preflight from a refused origin: 200, empty, only Vary. */
function preflightRefused(e: Effective): Expect {
  const out = refused(e, { handler: false });
  out.headers['content-length'] = '0';
  return out;
}

/** Strict mode's refusal: 403, handler not run, no CORS header, Vary still lists Origin. */
function forbidden(e: Effective): Expect {
  return finish(e, 403, false, noCors(), 'origin', 'refused');
}

/** A path outside urlsRegex: the engine stays out of it entirely. */
function disabled(o: Shape = {}): Expect {
  return { status: o.status ?? 200, handlerCalled: o.handler ?? true, headers: { ...noCors(), [DEBUG]: null }, vary: 'absent' };
}

function withOrigin(origin: string | string[] | undefined, extra: RequestHeaders): RequestHeaders {
  return origin === undefined ? { ...extra } : { origin, ...extra };
}

/** An actual request. */
function call(method: string, origin?: string | string[], path = '/api/items', extra: RequestHeaders = {}): Request {
  return { method, path, headers: withOrigin(origin, extra) };
}

function get(origin?: string | string[], path = '/api/items', extra: RequestHeaders = {}): Request {
  return call('GET', origin, path, extra);
}

/** A CORS-preflight request: OPTIONS + Origin + Access-Control-Request-Method (+ optional extras). */
function preflight(
  origin: string | string[] | undefined,
  method: string,
  o: { path?: string; requestHeaders?: string; privateNetwork?: string; extra?: RequestHeaders } = {},
): Request {
  const headers: RequestHeaders = withOrigin(origin, { 'access-control-request-method': method });
  if (o.requestHeaders !== undefined) headers['access-control-request-headers'] = o.requestHeaders;
  if (o.privateNetwork !== undefined) headers['access-control-request-private-network'] = o.privateNetwork;
  Object.assign(headers, o.extra ?? {});
  return { method: 'OPTIONS', path: o.path ?? '/api/items', headers };
}

function v(id: string, why: string, settings: CorsSettings, request: Request, expect: Expect): ConformanceVector {
  return { id, why, settings, request, expect };
}

// ---------------------------------------------------------------------------------------------------
// Defaults
// ---------------------------------------------------------------------------------------------------

const NOTHING: CorsSettings = {};
const ONLY_A: CorsSettings = { allowedOrigins: [A] };

const defaultsTheme: ConformanceVector[] = [
  v('default-no-origin-get', 'A request without Origin on an enabled path gets no CORS header but Vary: Origin.', NOTHING, get(), noOrigin(eff(NOTHING))),
  v('default-no-origin-post', 'A POST without Origin is handled normally and still varies on Origin.', NOTHING, call('POST'), noOrigin(eff(NOTHING))),
  v('default-root-path-varies', "The default urlsRegex '^.*$' enables the root path too.", NOTHING, get(undefined, '/'), noOrigin(eff(NOTHING))),
  v('default-nothing-configured-refuses', 'With no origin settings every cross-origin request is refused.', NOTHING, get(A), refused(eff(NOTHING))),
  v('default-nothing-configured-refuses-preflight', 'With no origin settings a preflight is answered 200 with only Vary.', NOTHING, preflight(A, 'PUT'), preflightRefused(eff(NOTHING))),
  v('default-allowed-get-minimal', 'An allowed origin with default settings gets only Access-Control-Allow-Origin on a GET.', ONLY_A, get(A), allowed(A, eff(ONLY_A))),
  v('default-preflight-default-lists', 'A default preflight lists the six default methods, the six default headers and max-age 86400.', ONLY_A, preflight(A, 'PUT', { requestHeaders: 'content-type' }), preflightOk(A, eff(ONLY_A))),
  v('default-preflight-no-private-network', 'allowPrivateNetwork defaults to false, so a private-network request gets no allow header.', ONLY_A, preflight(A, 'GET', { privateNetwork: 'true' }), preflightOk(A, eff(ONLY_A))),
  v('default-deep-path-enabled', 'The default urlsRegex enables deeply nested paths.', ONLY_A, get(A, '/a/b/c/d'), allowed(A, eff(ONLY_A))),
  v('default-no-credentials-header', 'allowCredentials defaults to false, so an allowed origin gets no Access-Control-Allow-Credentials.', ONLY_A, call('POST', A), allowed(A, eff(ONLY_A))),
];

// ---------------------------------------------------------------------------------------------------
// Exact origins
// ---------------------------------------------------------------------------------------------------

const EXACT: CorsSettings = {
  allowedOrigins: [
    A,
    'http://localhost:3000',
    'http://127.0.0.1:9000',
    'https://admin.example.org:8443',
    'http://[::1]:8080',
    'http://192.168.1.10:8080',
    'http://example.net',
  ],
};
const E_EXACT = eff(EXACT);

const exactTheme: ConformanceVector[] = [
  v('exact-https-origin', 'An https origin listed verbatim is echoed back.', EXACT, get(A), allowed(A, E_EXACT)),
  v('exact-localhost-port', 'http://localhost:3000 listed verbatim is allowed.', EXACT, get('http://localhost:3000'), allowed('http://localhost:3000', E_EXACT)),
  v('exact-loopback-ip-port', 'http://127.0.0.1:9000 listed verbatim is allowed.', EXACT, get('http://127.0.0.1:9000'), allowed('http://127.0.0.1:9000', E_EXACT)),
  v('exact-https-custom-port', 'An https origin with a non-default port is allowed when listed with that port.', EXACT, get('https://admin.example.org:8443'), allowed('https://admin.example.org:8443', E_EXACT)),
  v('exact-ipv6-loopback', 'A bracketed IPv6 origin listed verbatim is allowed.', EXACT, get('http://[::1]:8080'), allowed('http://[::1]:8080', E_EXACT)),
  v('exact-private-ipv4', 'An IPv4 host with a port listed verbatim is allowed.', EXACT, get('http://192.168.1.10:8080'), allowed('http://192.168.1.10:8080', E_EXACT)),
  v('exact-http-default-port', 'An http origin on the default port is allowed as listed.', EXACT, get('http://example.net'), allowed('http://example.net', E_EXACT)),
  v('exact-post', 'An allowed origin gets CORS headers on POST.', EXACT, call('POST', A), allowed(A, E_EXACT)),
  v('exact-put', 'An allowed origin gets CORS headers on PUT.', EXACT, call('PUT', A), allowed(A, E_EXACT)),
  v('exact-patch', 'An allowed origin gets CORS headers on PATCH.', EXACT, call('PATCH', A), allowed(A, E_EXACT)),
  v('exact-delete', 'An allowed origin gets CORS headers on DELETE.', EXACT, call('DELETE', A), allowed(A, E_EXACT)),
  v('exact-head', 'An allowed origin gets CORS headers on HEAD.', EXACT, call('HEAD', A), allowed(A, E_EXACT)),
  v('exact-custom-method', 'Any method other than a preflight is an actual request, even one outside allowMethods.', EXACT, call('PURGE', A), allowed(A, E_EXACT)),
  v('exact-get-with-request-method-header', 'Access-Control-Request-Method on a GET does not make it a preflight.', EXACT, get(A, '/api/items', { 'access-control-request-method': 'GET' }), allowed(A, E_EXACT)),
  v('exact-preflight-ipv6', 'A preflight from a listed IPv6 origin echoes that origin.', EXACT, preflight('http://[::1]:8080', 'DELETE'), preflightOk('http://[::1]:8080', E_EXACT)),
  v('exact-preflight-custom-port', 'A preflight from a listed origin with a custom port echoes that origin.', EXACT, preflight('https://admin.example.org:8443', 'PATCH'), preflightOk('https://admin.example.org:8443', E_EXACT)),
];

// ---------------------------------------------------------------------------------------------------
// Look-alike origins (all refused by the EXACT list)
// ---------------------------------------------------------------------------------------------------

function lookalike(id: string, why: string, origin: string): ConformanceVector {
  return v(`lookalike-${id}`, why, EXACT, get(origin), refused(E_EXACT));
}

const lookalikeTheme: ConformanceVector[] = [
  lookalike('scheme-downgrade', 'http:// is a different origin from the listed https:// one.', 'http://app.example.com'),
  lookalike('scheme-upgrade', 'https:// is a different origin from the listed http:// one.', 'https://example.net'),
  lookalike('port-change', 'A different port is a different origin.', 'https://app.example.com:8443'),
  lookalike('explicit-default-port', 'A request origin is never canonicalised, so an explicit :443 does not match.', 'https://app.example.com:443'),
  lookalike('explicit-default-http-port', 'A request origin is never canonicalised, so an explicit :80 does not match.', 'http://example.net:80'),
  lookalike('host-upper-case', 'A request origin is compared byte for byte, so an upper-case host does not match.', 'https://APP.example.com'),
  lookalike('scheme-upper-case', 'A request origin is compared byte for byte, so an upper-case scheme does not match.', 'HTTPS://app.example.com'),
  lookalike('trailing-dot', 'A fully-qualified host with a trailing dot is not the listed host.', 'https://app.example.com.'),
  lookalike('suffix-attack', 'The listed origin followed by another domain is refused.', 'https://app.example.com.evil.net'),
  lookalike('prefix-attack', 'A host that merely ends with the listed host is refused.', 'https://evilapp.example.com'),
  lookalike('prefix-char', 'One extra leading character in the host is refused.', 'https://xapp.example.com'),
  lookalike('truncated-tld', 'A host that is a prefix of the listed host is refused.', 'https://app.example.co'),
  lookalike('extended-tld', 'A host that extends the listed host is refused.', 'https://app.example.comm'),
  lookalike('dash-for-dot', 'A dash in place of a dot is a different host.', 'https://app-example.com'),
  lookalike('dot-removed', 'A host with a dot removed is a different host.', 'https://appexample.com'),
  lookalike('subdomain-of-listed', 'A subdomain of a listed origin is not listed.', 'https://sub.app.example.com'),
  lookalike('parent-domain', 'The parent domain of a listed origin is not listed.', 'https://example.com'),
  lookalike('localhost-vs-loopback', 'http://127.0.0.1:3000 is a different origin from listed http://localhost:3000.', 'http://127.0.0.1:3000'),
  lookalike('loopback-vs-localhost', 'http://localhost:9000 is a different origin from listed http://127.0.0.1:9000.', 'http://localhost:9000'),
  lookalike('localhost-other-port', 'localhost on another port is refused.', 'http://localhost:3001'),
  lookalike('localhost-https', 'https://localhost:3000 is a different origin from http://localhost:3000.', 'https://localhost:3000'),
  lookalike('localhost-no-port', 'localhost on the default port is a different origin from localhost:3000.', 'http://localhost'),
  lookalike('custom-port-dropped', 'Dropping the listed non-default port gives a different origin.', 'https://admin.example.org'),
  lookalike('ipv6-expanded', 'The expanded spelling of ::1 is not byte-equal to the listed origin.', 'http://[0:0:0:0:0:0:0:1]:8080'),
  lookalike('ipv6-other-port', 'IPv6 loopback on another port is refused.', 'http://[::1]:8081'),
  lookalike('ipv6-no-port', 'IPv6 loopback on the default port is refused.', 'http://[::1]'),
  lookalike('ipv4-prefix', 'An IPv4 address that is a prefix of the listed one is refused.', 'http://192.168.1.1:8080'),
  lookalike('ipv4-extended', 'An IPv4 address that extends the listed one is refused.', 'http://192.168.1.100:8080'),
  lookalike('ipv4-no-port', 'The listed IPv4 host on the default port is refused.', 'http://192.168.1.10'),
  lookalike('punycode', 'A punycode look-alike host is refused.', 'https://xn--pp-example-q9a.com'),
  lookalike('no-scheme', 'A bare host is not an origin.', 'app.example.com'),
  lookalike('wildcard-literal', 'A literal * sent as Origin is refused.', '*'),
  v('lookalike-preflight-suffix-attack', 'A preflight from a suffix-attack origin gets only Vary.', EXACT, preflight('https://app.example.com.evil.net', 'DELETE'), preflightRefused(E_EXACT)),
  v('lookalike-preflight-scheme-downgrade', 'A preflight from the http:// twin of a listed https:// origin gets only Vary.', EXACT, preflight('http://app.example.com', 'PUT'), preflightRefused(E_EXACT)),
];

// ---------------------------------------------------------------------------------------------------
// Canonicalisation of configured origins (never of request origins)
// ---------------------------------------------------------------------------------------------------

const CANON: CorsSettings = {
  allowedOrigins: ['HTTPS://App.Example.com:443', 'http://LOCALHOST:80', 'http://Example.com:8080', 'https://api.example.org:443'],
};
const E_CANON = eff(CANON);

const canonTheme: ConformanceVector[] = [
  v('canon-mixed-case-default-port', 'A configured HTTPS://App.Example.com:443 is canonicalised and allows https://app.example.com.', CANON, get('https://app.example.com'), allowed('https://app.example.com', E_CANON)),
  v('canon-http-default-port', 'A configured http://LOCALHOST:80 allows http://localhost.', CANON, get('http://localhost'), allowed('http://localhost', E_CANON)),
  v('canon-keeps-custom-port', 'Canonicalisation lower-cases the host but keeps a non-default port.', CANON, get('http://example.com:8080'), allowed('http://example.com:8080', E_CANON)),
  v('canon-drops-443', 'A configured https://api.example.org:443 allows https://api.example.org.', CANON, get('https://api.example.org'), allowed('https://api.example.org', E_CANON)),
  v('canon-request-mixed-case-refused', 'The request origin is not canonicalised, so its mixed-case host is refused.', CANON, get('https://App.Example.com'), refused(E_CANON)),
  v('canon-request-explicit-443-refused', 'The request origin is not canonicalised, so an explicit :443 is refused.', CANON, get('https://app.example.com:443'), refused(E_CANON)),
  v('canon-request-upper-scheme-refused', 'The request origin is not canonicalised, so an upper-case scheme is refused.', CANON, get('HTTPS://app.example.com'), refused(E_CANON)),
  v('canon-request-explicit-80-refused', 'The request origin is not canonicalised, so an explicit :80 is refused.', CANON, get('http://localhost:80'), refused(E_CANON)),
  v('canon-preflight-echoes-request', 'A preflight from the canonical form echoes the request origin, not the configured spelling.', CANON, preflight('https://app.example.com', 'DELETE'), preflightOk('https://app.example.com', E_CANON)),
];

// ---------------------------------------------------------------------------------------------------
// null and file:// origins
// ---------------------------------------------------------------------------------------------------

const NULL_LISTED: CorsSettings = { allowedOrigins: [A, 'null'] };
const NULL_CRED: CorsSettings = { allowedOrigins: ['null'], allowCredentials: true };
const ALL: CorsSettings = { allowAllOrigins: true, publicData: true };
const REGEX_ANY: CorsSettings = { allowedOriginRegexes: ['^.*$'] };
const PATTERN_SUB: CorsSettings = { allowedOriginPatterns: ['https://*.example.com'] };

const nullTheme: ConformanceVector[] = [
  v('null-listed-allowed', "The origin 'null' is allowed when allowedOrigins literally contains 'null'.", NULL_LISTED, get('null'), allowed('null', eff(NULL_LISTED))),
  v('null-listed-preflight', "A preflight from 'null' is allowed when 'null' is listed.", NULL_LISTED, preflight('null', 'POST', { requestHeaders: 'content-type' }), preflightOk('null', eff(NULL_LISTED))),
  v('null-unlisted-refused', "The origin 'null' is refused when it is not listed.", ONLY_A, get('null'), refused(eff(ONLY_A))),
  v('null-upper-case-refused', "'NULL' is not byte-equal to the listed 'null'.", NULL_LISTED, get('NULL'), refused(eff(NULL_LISTED))),
  v('null-allow-all', "allowAllOrigins allows the origin 'null' with a wildcard.", ALL, get('null'), allowed('null', eff(ALL))),
  v('null-not-via-regex', "'null' is allowed only by a literal list entry, never by a regex that happens to match it.", REGEX_ANY, get('null'), refused(eff(REGEX_ANY))),
  v('null-not-via-pattern', "'null' is never allowed by an origin pattern.", PATTERN_SUB, get('null'), refused(eff(PATTERN_SUB))),
  v('null-with-credentials', "A listed 'null' is echoed with Access-Control-Allow-Credentials when credentials are on.", NULL_CRED, get('null'), allowed('null', eff(NULL_CRED))),
  v('null-file-scheme-unlisted', 'The file:// origin some Android Chrome versions send is refused when not listed.', ONLY_A, get('file://'), refused(eff(ONLY_A))),
];

// ---------------------------------------------------------------------------------------------------
// Invalid origins (refused even when a list, regex or allowAllOrigins would match)
// ---------------------------------------------------------------------------------------------------

const AB: CorsSettings = { allowedOrigins: [A, B] };
const E_AB = eff(AB);
const REGEX_HTTPS_ANY: CorsSettings = { allowedOriginRegexes: ['^https://.*$'] };
const E_RHA = eff(REGEX_HTTPS_ANY);

const invalidTheme: ConformanceVector[] = [
  v('invalid-repeated-origin-same', 'Two Origin lines (joined as "a, a") are refused even when the value is allowed.', AB, get([A, A]), refused(E_AB)),
  v('invalid-repeated-origin-both-allowed', 'Two Origin lines naming two allowed origins are refused.', AB, get([A, B]), refused(E_AB)),
  v('invalid-repeated-origin-preflight', 'A preflight with two Origin lines is refused with only Vary.', AB, preflight([A, A], 'PUT'), preflightRefused(E_AB)),
  v('invalid-comma-joined-origin', 'A single Origin line holding a comma-separated pair is refused.', AB, get(`${A}, ${B}`), refused(E_AB)),
  v('invalid-trailing-slash', 'An origin with a trailing slash is not a serialized origin.', AB, get(`${A}/`), refused(E_AB)),
  v('invalid-path', 'An origin with a path is refused.', AB, get(`${A}/api`), refused(E_AB)),
  v('invalid-userinfo', 'An origin with userinfo is refused.', AB, get('https://user@app.example.com'), refused(E_AB)),
  v('invalid-userinfo-password', 'An origin with user and password is refused.', AB, get('https://user:secret@app.example.com'), refused(E_AB)),
  v('invalid-query', 'An origin with a query is refused.', AB, get(`${A}?x=1`), refused(E_AB)),
  v('invalid-space-separated-list', 'A space-separated origin list (RFC 6454 origin-list) is refused.', AB, get(`${A} ${B}`), refused(E_AB)),
  v('invalid-inner-whitespace', 'An origin with whitespace inside the host is refused.', AB, get('https://app.example .com'), refused(E_AB)),
  v('invalid-empty-like-absent', 'An empty Origin header is treated like no Origin.', AB, get(''), noOrigin(E_AB)),
  v('invalid-empty-options-not-preflight', 'OPTIONS with an empty Origin is not a preflight, so the handler answers it.', AB, preflight('', 'PUT'), noOrigin(E_AB)),
  v('invalid-regex-trailing-slash', 'A trailing slash is refused even when the regex would match it.', REGEX_HTTPS_ANY, get(`${A}/`), refused(E_RHA)),
  v('invalid-regex-path', 'A path is refused even when the regex would match it.', REGEX_HTTPS_ANY, get(`${A}/x`), refused(E_RHA)),
  v('invalid-regex-userinfo', 'Userinfo is refused even when the regex would match it.', REGEX_HTTPS_ANY, get('https://u@app.example.com'), refused(E_RHA)),
  v('invalid-regex-query', 'A query is refused even when the regex would match it.', REGEX_HTTPS_ANY, get(`${A}?q`), refused(E_RHA)),
  v('invalid-regex-space-list', 'A space-separated list is refused even when the regex would match it.', REGEX_HTTPS_ANY, get(`${A} ${B}`), refused(E_RHA)),
  v('invalid-allow-all-repeated', 'allowAllOrigins still refuses two Origin lines.', ALL, get([A, B]), refused(eff(ALL))),
  v('invalid-allow-all-path', 'allowAllOrigins still refuses an origin with a path.', ALL, get(`${A}/path`), refused(eff(ALL))),
  v('invalid-allow-all-whitespace', 'allowAllOrigins still refuses an origin with inner whitespace.', ALL, get(`${A} ${B}`), refused(eff(ALL))),
  v('invalid-allow-all-empty', 'allowAllOrigins gives nothing to an empty Origin, which counts as no Origin.', ALL, get(''), noOrigin(eff(ALL))),
];

// ---------------------------------------------------------------------------------------------------
// Origin regexes (the whole origin must match; whatever the regex literally says is what matches)
// ---------------------------------------------------------------------------------------------------

const R_WORD: CorsSettings = { allowedOriginRegexes: ['^https://\\w+\\.example\\.com$'] };
const R_OPEN: CorsSettings = { allowedOriginRegexes: ['^https://.*\\.example\\.com'] };
const R_UNESCAPED: CorsSettings = { allowedOriginRegexes: ['^https://app.example.com$'] };
const R_ESCAPED: CorsSettings = { allowedOriginRegexes: ['^https://app\\.example\\.com$'] };
const R_BARE: CorsSettings = { allowedOriginRegexes: ['https://api\\.partner\\.io'] };
const R_ALT: CorsSettings = { allowedOriginRegexes: ['^https://a\\.example\\.com|https://b\\.example\\.com$'] };
const R_LOCALPORT: CorsSettings = { allowedOriginRegexes: ['^http://localhost:\\d+$'] };
const R_TWO: CorsSettings = { allowedOriginRegexes: ['^https://\\w+\\.example\\.org$', '^https://\\w+\\.example\\.com$'] };
const R_CRED: CorsSettings = { allowedOriginRegexes: ['^https://\\w+\\.example\\.com$'], allowCredentials: true };

const regexTheme: ConformanceVector[] = [
  v('regex-word-subdomain', 'A regex-matched origin is echoed back.', R_WORD, get('https://foo.example.com'), allowed('https://foo.example.com', eff(R_WORD))),
  v('regex-word-no-dots', '\\w+ does not match a dotted label, so a deeper subdomain is refused.', R_WORD, get('https://foo.bar.example.com'), refused(eff(R_WORD))),
  v('regex-word-suffix-attack', 'A regex anchored with $ refuses a suffix attack.', R_WORD, get('https://foo.example.com.evil.net'), refused(eff(R_WORD))),
  v('regex-word-http-refused', 'The regex says https, so http is refused.', R_WORD, get('http://foo.example.com'), refused(eff(R_WORD))),
  v('regex-word-preflight', 'A preflight from a regex-matched origin is allowed.', R_WORD, preflight('https://foo.example.com', 'PUT', { requestHeaders: 'content-type' }), preflightOk('https://foo.example.com', eff(R_WORD))),
  v('regex-open-end-allows-subdomain', 'A regex without $ still allows an origin it matches entirely.', R_OPEN, get('https://a.example.com'), allowed('https://a.example.com', eff(R_OPEN))),
  v('regex-open-end-deep-subdomain', '.* spans dots, so a deep subdomain is allowed.', R_OPEN, get('https://a.b.example.com'), allowed('https://a.b.example.com', eff(R_OPEN))),
  v('regex-open-end-suffix-refused', 'Unlike django re.match, a regex without $ must match the whole origin, so a suffix attack is refused.', R_OPEN, get('https://a.example.com.evil.net'), refused(eff(R_OPEN))),
  v('regex-open-end-port-refused', 'A port the regex does not mention leaves part of the origin unmatched, so it is refused.', R_OPEN, get('https://a.example.com:8443'), refused(eff(R_OPEN))),
  v('regex-unescaped-dot-exact', 'An unescaped-dot regex still allows the intended origin.', R_UNESCAPED, get(A), allowed(A, eff(R_UNESCAPED))),
  v('regex-unescaped-dot-any-char', 'An unescaped dot matches any character, so appxexample.com is allowed as the regex literally says.', R_UNESCAPED, get('https://appxexample.com'), allowed('https://appxexample.com', eff(R_UNESCAPED))),
  v('regex-unescaped-dot-dash', 'An unescaped dot matches a dash, so app-example.com is allowed as the regex literally says.', R_UNESCAPED, get('https://app-example.com'), allowed('https://app-example.com', eff(R_UNESCAPED))),
  v('regex-escaped-dot-refuses-any-char', 'An escaped dot matches only a dot, so appxexample.com is refused.', R_ESCAPED, get('https://appxexample.com'), refused(eff(R_ESCAPED))),
  v('regex-case-sensitive', 'Regexes are case-sensitive, so an upper-case host is refused.', R_ESCAPED, get('https://APP.example.com'), refused(eff(R_ESCAPED))),
  v('regex-unanchored-exact', 'An unanchored regex allows the origin it spells out.', R_BARE, get('https://api.partner.io'), allowed('https://api.partner.io', eff(R_BARE))),
  v('regex-unanchored-suffix-refused', 'An unanchored regex still has to match the whole origin.', R_BARE, get('https://api.partner.io.evil.net'), refused(eff(R_BARE))),
  v('regex-unanchored-extended-refused', 'An unanchored regex refuses an origin that extends it.', R_BARE, get('https://api.partner.iox'), refused(eff(R_BARE))),
  v('regex-alternation-second-branch', 'The second branch of an alternation allows its origin.', R_ALT, get(B), allowed(B, eff(R_ALT))),
  v('regex-alternation-first-branch-suffix', 'A first branch without $ still cannot allow a suffix attack under whole-origin matching.', R_ALT, get('https://a.example.com.evil.net'), refused(eff(R_ALT))),
  v('regex-local-any-port', 'A port regex allows localhost on any listed-by-regex port.', R_LOCALPORT, get('http://localhost:5173'), allowed('http://localhost:5173', eff(R_LOCALPORT))),
  v('regex-local-port-required', 'A regex that requires a port refuses localhost without one.', R_LOCALPORT, get('http://localhost'), refused(eff(R_LOCALPORT))),
  v('regex-local-host-suffix', 'A regex on localhost refuses localhost.evil.net.', R_LOCALPORT, get('http://localhost.evil.net:3000'), refused(eff(R_LOCALPORT))),
  v('regex-second-of-two', 'Any one of several regexes may allow an origin.', R_TWO, get('https://foo.example.com'), allowed('https://foo.example.com', eff(R_TWO))),
  v('regex-catch-all-real-origin', "A catch-all regex allows an ordinary origin.", REGEX_ANY, get('https://anything.test'), allowed('https://anything.test', eff(REGEX_ANY))),
  v('regex-with-credentials', 'A regex-matched origin is echoed with credentials, never replaced by *.', R_CRED, get('https://foo.example.com'), allowed('https://foo.example.com', eff(R_CRED))),
];

// ---------------------------------------------------------------------------------------------------
// Origin patterns
// ---------------------------------------------------------------------------------------------------

const P_PORTS: CorsSettings = { allowedOriginPatterns: ['https://*.example.com:[8080,8443]'] };
const P_ANYPORT: CorsSettings = { allowedOriginPatterns: ['https://*.example.com:[*]'] };
const P_MIXED: CorsSettings = { allowedOrigins: ['http://localhost:3000'], allowedOriginPatterns: ['https://*.example.com'] };
const E_PSUB = eff(PATTERN_SUB);

const patternTheme: ConformanceVector[] = [
  v('pattern-one-label', 'https://*.example.com allows a one-label subdomain.', PATTERN_SUB, get('https://a.example.com'), allowed('https://a.example.com', E_PSUB)),
  v('pattern-two-labels', 'https://*.example.com allows several labels under example.com.', PATTERN_SUB, get('https://a.b.example.com'), allowed('https://a.b.example.com', E_PSUB)),
  v('pattern-apex-refused', 'https://*.example.com never allows example.com itself.', PATTERN_SUB, get('https://example.com'), refused(E_PSUB)),
  v('pattern-apex-suffix-refused', 'https://*.example.com refuses example.com.evil.net.', PATTERN_SUB, get('https://example.com.evil.net'), refused(E_PSUB)),
  v('pattern-sub-suffix-refused', 'https://*.example.com refuses a.example.com.evil.net.', PATTERN_SUB, get('https://a.example.com.evil.net'), refused(E_PSUB)),
  v('pattern-no-dot-boundary-refused', 'https://*.example.com refuses evilexample.com.', PATTERN_SUB, get('https://evilexample.com'), refused(E_PSUB)),
  v('pattern-other-registrable-refused', 'https://*.example.com refuses a subdomain of evilexample.com.', PATTERN_SUB, get('https://a.evilexample.com'), refused(E_PSUB)),
  v('pattern-http-refused', 'https://*.example.com refuses http subdomains.', PATTERN_SUB, get('http://a.example.com'), refused(E_PSUB)),
  v('pattern-port-refused', 'https://*.example.com allows the default port only.', PATTERN_SUB, get('https://a.example.com:8443'), refused(E_PSUB)),
  v('pattern-trailing-dot-refused', 'A trailing-dot host is not under example.com.', PATTERN_SUB, get('https://a.example.com.'), refused(E_PSUB)),
  v('pattern-empty-label-refused', 'The * stands for one or more non-empty labels.', PATTERN_SUB, get('https://.example.com'), refused(E_PSUB)),
  v('pattern-preflight', 'A preflight from a pattern-matched origin echoes that origin.', PATTERN_SUB, preflight('https://a.example.com', 'DELETE'), preflightOk('https://a.example.com', E_PSUB)),
  v('pattern-preflight-apex-refused', 'A preflight from the apex of a subdomain pattern gets only Vary.', PATTERN_SUB, preflight('https://example.com', 'DELETE'), preflightRefused(E_PSUB)),
  v('pattern-ports-8080', 'A port-list pattern allows its first port.', P_PORTS, get('https://a.example.com:8080'), allowed('https://a.example.com:8080', eff(P_PORTS))),
  v('pattern-ports-8443', 'A port-list pattern allows its second port.', P_PORTS, get('https://a.example.com:8443'), allowed('https://a.example.com:8443', eff(P_PORTS))),
  v('pattern-ports-other-refused', 'A port-list pattern refuses an unlisted port.', P_PORTS, get('https://a.example.com:9090'), refused(eff(P_PORTS))),
  v('pattern-ports-default-refused', 'A port-list pattern refuses the default port, which it does not list.', P_PORTS, get('https://a.example.com'), refused(eff(P_PORTS))),
  v('pattern-ports-prefix-port-refused', 'A port that merely starts with a listed port is refused.', P_PORTS, get('https://a.example.com:80800'), refused(eff(P_PORTS))),
  v('pattern-ports-http-refused', 'A port-list https pattern refuses http on a listed port.', P_PORTS, get('http://a.example.com:8080'), refused(eff(P_PORTS))),
  v('pattern-ports-apex-refused', 'A port-list subdomain pattern refuses the apex on a listed port.', P_PORTS, get('https://example.com:8080'), refused(eff(P_PORTS))),
  v('pattern-anyport-none', 'A [*] port pattern allows the default port.', P_ANYPORT, get('https://a.example.com'), allowed('https://a.example.com', eff(P_ANYPORT))),
  v('pattern-anyport-some', 'A [*] port pattern allows any explicit port.', P_ANYPORT, get('https://a.example.com:1234'), allowed('https://a.example.com:1234', eff(P_ANYPORT))),
  v('pattern-anyport-http-refused', 'A [*] port https pattern still refuses http.', P_ANYPORT, get('http://a.example.com:1234'), refused(eff(P_ANYPORT))),
  v('pattern-anyport-apex-refused', 'A [*] port subdomain pattern still refuses the apex.', P_ANYPORT, get('https://example.com:1234'), refused(eff(P_ANYPORT))),
  v('pattern-mixed-list-entry', 'A list entry still works next to a pattern.', P_MIXED, get('http://localhost:3000'), allowed('http://localhost:3000', eff(P_MIXED))),
  v('pattern-mixed-pattern-entry', 'A pattern still works next to a list entry.', P_MIXED, get('https://x.example.com'), allowed('https://x.example.com', eff(P_MIXED))),
];

// ---------------------------------------------------------------------------------------------------
// allowAllOrigins
// ---------------------------------------------------------------------------------------------------

const E_ALL = eff(ALL);
const ALL_PLUS_LIST: CorsSettings = { allowAllOrigins: true, publicData: true, allowedOrigins: [A] };
const ALL_EXPOSE: CorsSettings = { allowAllOrigins: true, publicData: true, exposeHeaders: ['x-total-count'] };

const allowAllTheme: ConformanceVector[] = [
  v('allowall-any-origin-star', 'allowAllOrigins without credentials answers *.', ALL, get(EVIL), allowed(EVIL, E_ALL)),
  v('allowall-localhost-star', 'allowAllOrigins answers * for a localhost origin too.', ALL, get('http://localhost:1234'), allowed('http://localhost:1234', E_ALL)),
  v('allowall-post-star', 'allowAllOrigins answers * on POST.', ALL, call('POST', EVIL), allowed(EVIL, E_ALL)),
  v('allowall-preflight-star', 'allowAllOrigins answers a preflight with * and the method and header lists.', ALL, preflight(EVIL, 'PUT', { requestHeaders: 'content-type, x-requested-with' }), preflightOk(EVIL, E_ALL)),
  v('allowall-no-origin', 'allowAllOrigins adds nothing but Vary when there is no Origin.', ALL, get(), noOrigin(E_ALL)),
  v('allowall-list-ignored', 'allowAllOrigins answers * even for an origin that is also listed.', ALL_PLUS_LIST, get(A), allowed(A, eff(ALL_PLUS_LIST))),
  v('allowall-expose', 'allowAllOrigins still sends Access-Control-Expose-Headers.', ALL_EXPOSE, get(EVIL), allowed(EVIL, eff(ALL_EXPOSE))),
  v('allowall-error-status', 'allowAllOrigins keeps * on a 404 from the handler.', ALL, get(EVIL, '/status/404'), allowed(EVIL, E_ALL, { status: 404 })),
];

// ---------------------------------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------------------------------

const CRED: CorsSettings = { allowedOrigins: [A], allowCredentials: true };
const E_CRED = eff(CRED);
const CRED_PATTERN: CorsSettings = { allowedOriginPatterns: ['https://*.example.com'], allowCredentials: true };

const credentialsTheme: ConformanceVector[] = [
  v('cred-allowed-get', 'allowCredentials adds Access-Control-Allow-Credentials: true for an allowed origin.', CRED, get(A), allowed(A, E_CRED)),
  v('cred-allowed-post', 'allowCredentials applies to POST as well.', CRED, call('POST', A), allowed(A, E_CRED)),
  v('cred-refused-no-header', 'A refused origin gets no Access-Control-Allow-Credentials even with credentials on (django-cors-headers 4.3).', CRED, get(EVIL), refused(E_CRED)),
  v('cred-preflight', 'A preflight from an allowed origin carries Access-Control-Allow-Credentials: true.', CRED, preflight(A, 'POST', { requestHeaders: 'authorization' }), preflightOk(A, E_CRED)),
  v('cred-preflight-refused', 'A refused preflight carries no Access-Control-Allow-Credentials.', CRED, preflight(EVIL, 'POST'), preflightRefused(E_CRED)),
  v('cred-no-origin', 'Without an Origin, credentials on adds nothing.', CRED, get(), noOrigin(E_CRED)),
  v('cred-pattern-echoes', 'With credentials a pattern-matched origin is echoed exactly.', CRED_PATTERN, get('https://a.example.com'), allowed('https://a.example.com', eff(CRED_PATTERN))),
  v('cred-401-keeps-headers', 'A 401 from the handler keeps the credentials headers.', CRED, get(A, '/status/401'), allowed(A, E_CRED, { status: 401 })),
  v('cred-off-explicit', 'allowCredentials: false sends no Access-Control-Allow-Credentials.', { allowedOrigins: [A], allowCredentials: false }, get(A), allowed(A, eff({ allowCredentials: false }))),
];

// ---------------------------------------------------------------------------------------------------
// Expose headers
// ---------------------------------------------------------------------------------------------------

const EXPOSE: CorsSettings = { allowedOrigins: [A], exposeHeaders: ['x-total-count', 'x-request-id'] };
const E_EXPOSE = eff(EXPOSE);
const EXPOSE_CASE: CorsSettings = { allowedOrigins: [A], exposeHeaders: ['X-Total-Count'] };

const exposeTheme: ConformanceVector[] = [
  v('expose-joined', 'exposeHeaders is sent joined with ", " on an actual request.', EXPOSE, get(A), allowed(A, E_EXPOSE)),
  v('expose-on-post', 'exposeHeaders is sent on POST.', EXPOSE, call('POST', A), allowed(A, E_EXPOSE)),
  v('expose-on-preflight', 'exposeHeaders is also sent on a preflight (django-cors-headers parity).', EXPOSE, preflight(A, 'GET'), preflightOk(A, E_EXPOSE)),
  v('expose-refused', 'A refused origin gets no Access-Control-Expose-Headers.', EXPOSE, get(EVIL), refused(E_EXPOSE)),
  v('expose-empty-list', 'An empty exposeHeaders sends no Access-Control-Expose-Headers.', { allowedOrigins: [A], exposeHeaders: [] }, get(A), allowed(A, eff({ exposeHeaders: [] }))),
  v('expose-case-as-configured', 'exposeHeaders is sent as configured, case included.', EXPOSE_CASE, get(A), allowed(A, eff(EXPOSE_CASE))),
  v('expose-on-404', 'exposeHeaders survives a 404 from the handler.', EXPOSE, get(A, '/status/404'), allowed(A, E_EXPOSE, { status: 404 })),
];

// ---------------------------------------------------------------------------------------------------
// Preflight: methods and headers (non-strict: the lists are answered as configured, Django parity)
// ---------------------------------------------------------------------------------------------------

const E_ONLY_A = eff(ONLY_A);
const CUSTOM_METHODS: CorsSettings = { allowedOrigins: [A], allowMethods: ['GET', 'POST'] };
const CUSTOM_HEADERS: CorsSettings = { allowedOrigins: [A], allowHeaders: ['X-Api-Key', 'Content-Type'] };

function preflightMethod(method: string, why: string): ConformanceVector {
  return v(`preflight-method-${method.toLowerCase()}${method === method.toLowerCase() ? '-lower' : ''}`, why, ONLY_A, preflight(A, method), preflightOk(A, E_ONLY_A));
}

const preflightTheme: ConformanceVector[] = [
  preflightMethod('DELETE', 'A DELETE preflight from an allowed origin is answered with the full lists.'),
  preflightMethod('GET', 'A GET preflight from an allowed origin is answered with the full lists.'),
  preflightMethod('OPTIONS', 'An OPTIONS preflight from an allowed origin is answered with the full lists.'),
  preflightMethod('PATCH', 'A PATCH preflight from an allowed origin is answered with the full lists.'),
  preflightMethod('POST', 'A POST preflight from an allowed origin is answered with the full lists.'),
  preflightMethod('PUT', 'A PUT preflight from an allowed origin is answered with the full lists.'),
  preflightMethod('HEAD', 'A HEAD preflight outside allowMethods still gets the configured list (the browser decides).'),
  preflightMethod('PURGE', 'An unlisted method still gets the configured list outside strict mode.'),
  preflightMethod('patch', 'A lower-case requested method still gets the configured list outside strict mode.'),
  v('preflight-header-content-type', 'A preflight asking for content-type gets the configured header list.', ONLY_A, preflight(A, 'POST', { requestHeaders: 'content-type' }), preflightOk(A, E_ONLY_A)),
  v('preflight-headers-browser-format', 'A browser-style sorted, comma-only header list gets the configured header list.', ONLY_A, preflight(A, 'POST', { requestHeaders: 'authorization,content-type' }), preflightOk(A, E_ONLY_A)),
  v('preflight-headers-mixed-case', 'A mixed-case header list gets the configured header list unchanged.', ONLY_A, preflight(A, 'POST', { requestHeaders: 'Content-Type, X-Requested-With' }), preflightOk(A, E_ONLY_A)),
  v('preflight-header-unlisted', 'An unlisted requested header still gets the configured list outside strict mode.', ONLY_A, preflight(A, 'POST', { requestHeaders: 'x-custom-header' }), preflightOk(A, E_ONLY_A)),
  v('preflight-custom-methods', 'Access-Control-Allow-Methods is allowMethods joined with ", ".', CUSTOM_METHODS, preflight(A, 'POST'), preflightOk(A, eff(CUSTOM_METHODS))),
  v('preflight-custom-headers-as-configured', 'Access-Control-Allow-Headers is allowHeaders joined as configured, case included.', CUSTOM_HEADERS, preflight(A, 'POST', { requestHeaders: 'x-api-key' }), preflightOk(A, eff(CUSTOM_HEADERS))),
  v('preflight-on-404-path', 'A preflight is answered by the engine even where the handler would answer 404.', ONLY_A, preflight(A, 'GET', { path: '/status/404' }), preflightOk(A, E_ONLY_A)),
  v('preflight-on-500-path', 'A preflight is answered by the engine even where the handler would answer 500.', ONLY_A, preflight(A, 'GET', { path: '/status/500' }), preflightOk(A, E_ONLY_A)),
  v('preflight-on-401-path', 'A preflight to an authenticated resource is still 200 (credentials are never sent on preflights).', ONLY_A, preflight(A, 'GET', { path: '/status/401' }), preflightOk(A, E_ONLY_A)),
  v('preflight-on-throw-path', 'A preflight is answered by the engine even where the handler would throw.', ONLY_A, preflight(A, 'POST', { path: '/throw' }), preflightOk(A, E_ONLY_A)),
  v('preflight-refused', 'A preflight from a refused origin is 200, empty, with only Vary.', ONLY_A, preflight(EVIL, 'PUT'), preflightRefused(E_ONLY_A)),
  v('preflight-refused-with-headers', 'A refused preflight asking for headers still gets no CORS header.', ONLY_A, preflight(EVIL, 'PUT', { requestHeaders: 'content-type, authorization' }), preflightRefused(E_ONLY_A)),
  v('preflight-without-origin-is-actual', 'OPTIONS with Access-Control-Request-Method but no Origin is not a preflight, so the handler answers.', ONLY_A, preflight(undefined, 'PUT'), noOrigin(E_ONLY_A)),
];

// ---------------------------------------------------------------------------------------------------
// Max-age
// ---------------------------------------------------------------------------------------------------

const MAX0: CorsSettings = { allowedOrigins: [A], preflightMaxAge: 0 };
const MAX600: CorsSettings = { allowedOrigins: [A], preflightMaxAge: 600 };
const MAX1: CorsSettings = { allowedOrigins: [A], preflightMaxAge: 1 };

const maxAgeTheme: ConformanceVector[] = [
  v('maxage-zero-absent', 'preflightMaxAge 0 omits Access-Control-Max-Age.', MAX0, preflight(A, 'PUT'), preflightOk(A, eff(MAX0))),
  v('maxage-custom', 'A custom preflightMaxAge is sent as its decimal string.', MAX600, preflight(A, 'PUT'), preflightOk(A, eff(MAX600))),
  v('maxage-one', 'preflightMaxAge 1 is sent as "1".', MAX1, preflight(A, 'PUT'), preflightOk(A, eff(MAX1))),
  v('maxage-refused-absent', 'A refused preflight never carries Access-Control-Max-Age.', MAX600, preflight(EVIL, 'PUT'), preflightRefused(eff(MAX600))),
  v('maxage-not-on-get', 'Access-Control-Max-Age is never sent on a non-OPTIONS response.', MAX600, get(A), allowed(A, eff(MAX600))),
];

// ---------------------------------------------------------------------------------------------------
// Private network access
// ---------------------------------------------------------------------------------------------------

const PN: CorsSettings = { allowedOrigins: [A], allowPrivateNetwork: true };
const E_PN = eff(PN);
const PN_ALL: CorsSettings = { allowAllOrigins: true, publicData: true, allowPrivateNetwork: true };
const PN_CRED: CorsSettings = { allowedOrigins: [A], allowPrivateNetwork: true, allowCredentials: true };

const privateNetworkTheme: ConformanceVector[] = [
  v('pn-requested-allowed', 'allowPrivateNetwork answers a private-network preflight with Access-Control-Allow-Private-Network: true.', PN, preflight(A, 'GET', { privateNetwork: 'true' }), preflightOk(A, E_PN, { pn: true })),
  v('pn-not-requested', 'Without Access-Control-Request-Private-Network the allow header is not sent.', PN, preflight(A, 'GET'), preflightOk(A, E_PN)),
  v('pn-requested-false', 'Access-Control-Request-Private-Network: false is not a request for private-network access.', PN, preflight(A, 'GET', { privateNetwork: 'false' }), preflightOk(A, E_PN)),
  v('pn-disabled', 'With allowPrivateNetwork off a private-network request gets no allow header.', ONLY_A, preflight(A, 'GET', { privateNetwork: 'true' }), preflightOk(A, E_ONLY_A)),
  v('pn-refused-origin', 'A refused origin never gets Access-Control-Allow-Private-Network.', PN, preflight(EVIL, 'GET', { privateNetwork: 'true' }), preflightRefused(E_PN)),
  v('pn-allow-all', 'allowAllOrigins with allowPrivateNetwork answers * and the private-network header.', PN_ALL, preflight(EVIL, 'POST', { privateNetwork: 'true' }), preflightOk(EVIL, eff(PN_ALL), { pn: true })),
  v('pn-with-credentials', 'Private-network and credentials headers combine on one preflight.', PN_CRED, preflight(A, 'POST', { privateNetwork: 'true', requestHeaders: 'content-type' }), preflightOk(A, eff(PN_CRED), { pn: true })),
];

// ---------------------------------------------------------------------------------------------------
// OPTIONS without Access-Control-Request-Method (an actual request; Django adds the OPTIONS headers)
// ---------------------------------------------------------------------------------------------------

const CRED_EXPOSE: CorsSettings = { allowedOrigins: [A], allowCredentials: true, exposeHeaders: ['x-request-id'] };

const optionsTheme: ConformanceVector[] = [
  v('options-allowed-runs-handler', 'OPTIONS with Origin but no Access-Control-Request-Method reaches the handler and gets the OPTIONS headers.', ONLY_A, call('OPTIONS', A), allowed(A, E_ONLY_A, { options: true })),
  v('options-max-age-zero', 'OPTIONS without Access-Control-Request-Method honours preflightMaxAge 0.', MAX0, call('OPTIONS', A), allowed(A, eff(MAX0), { options: true })),
  v('options-custom-lists', 'OPTIONS without Access-Control-Request-Method sends the configured lists.', CUSTOM_METHODS, call('OPTIONS', A), allowed(A, eff(CUSTOM_METHODS), { options: true })),
  v('options-credentials-expose', 'OPTIONS without Access-Control-Request-Method carries credentials and expose headers.', CRED_EXPOSE, call('OPTIONS', A), allowed(A, eff(CRED_EXPOSE), { options: true })),
  v('options-allow-all', 'OPTIONS without Access-Control-Request-Method under allowAllOrigins answers *.', ALL, call('OPTIONS', EVIL), allowed(EVIL, E_ALL, { options: true })),
  v('options-refused', 'OPTIONS from a refused origin reaches the handler with no CORS header.', ONLY_A, call('OPTIONS', EVIL), refused(E_ONLY_A)),
  v('options-no-origin', 'OPTIONS without Origin reaches the handler with only Vary.', ONLY_A, call('OPTIONS'), noOrigin(E_ONLY_A)),
];

// ---------------------------------------------------------------------------------------------------
// urlsRegex (Python re.match: anchored at the start only)
// ---------------------------------------------------------------------------------------------------

const API_ONLY: CorsSettings = { allowedOrigins: [A], urlsRegex: '^/api/' };
const E_API = eff(API_ONLY);
const API_NO_CARET: CorsSettings = { allowedOrigins: [A], urlsRegex: '/api/' };
const API_FULL: CorsSettings = { allowedOrigins: [A], urlsRegex: '^/api/.*$' };
const API_VERSIONS: CorsSettings = { allowedOrigins: [A], urlsRegex: '^/api/v[12]/' };
const API_EXACT: CorsSettings = { allowedOrigins: [A], urlsRegex: '^/api/$' };
const API_STRICT: CorsSettings = { allowedOrigins: [A], urlsRegex: '^/api/', strict: true };

const urlsTheme: ConformanceVector[] = [
  v('urls-prefix-enabled', "urlsRegex '^/api/' enables /api/posts/.", API_ONLY, get(A, '/api/posts/'), allowed(A, E_API)),
  v('urls-outside-disabled', "urlsRegex '^/api/' leaves /health without CORS headers or Vary.", API_ONLY, get(A, '/health'), disabled()),
  v('urls-outside-no-origin', 'A disabled path does not vary on Origin even without an Origin.', API_ONLY, get(undefined, '/health'), disabled()),
  v('urls-lookalike-prefix-disabled', "urlsRegex '^/api/' does not enable /apiv2/x.", API_ONLY, get(A, '/apiv2/x'), disabled()),
  v('urls-case-sensitive', 'urlsRegex is case-sensitive, so /API/posts is disabled.', API_ONLY, get(A, '/API/posts'), disabled()),
  v('urls-refused-origin-disabled', 'A refused origin on a disabled path gets no Vary either.', API_ONLY, get(EVIL, '/health'), disabled()),
  v('urls-preflight-disabled-goes-to-handler', 'A preflight on a disabled path goes to the handler untouched.', API_ONLY, preflight(A, 'PUT', { path: '/health' }), disabled()),
  v('urls-match-anchored-at-start', "urlsRegex '/api/' (no caret) is anchored at the start like re.match, so /v1/api/x is disabled.", API_NO_CARET, get(A, '/v1/api/x'), disabled()),
  v('urls-no-caret-still-matches-start', "urlsRegex '/api/' enables /api/x.", API_NO_CARET, get(A, '/api/x'), allowed(A, eff(API_NO_CARET))),
  v('urls-query-ignored-enabled', 'A query string does not stop an enabled path from matching.', API_FULL, get(A, '/api/items?x=1'), allowed(A, eff(API_FULL))),
  v('urls-query-cannot-enable', 'A query string that mentions /api/ does not enable another path.', API_FULL, get(A, '/other?next=/api/'), disabled()),
  v('urls-class-enabled', 'A character class in urlsRegex enables the versions it names.', API_VERSIONS, get(A, '/api/v1/users'), allowed(A, eff(API_VERSIONS))),
  v('urls-class-disabled', 'A character class in urlsRegex leaves other versions disabled.', API_VERSIONS, get(A, '/api/v3/users'), disabled()),
  v('urls-dollar-exact', "urlsRegex '^/api/$' enables exactly /api/.", API_EXACT, get(A, '/api/'), allowed(A, eff(API_EXACT))),
  v('urls-dollar-excludes-deeper', "urlsRegex '^/api/$' leaves /api/x disabled.", API_EXACT, get(A, '/api/x'), disabled()),
  v('urls-disabled-404', 'A 404 on a disabled path has no CORS header and no Vary Origin.', API_ONLY, get(A, '/status/404'), disabled({ status: 404 })),
  v('urls-disabled-throw', 'A thrown error on a disabled path has no CORS header and no Vary Origin.', API_ONLY, get(A, '/throw'), disabled({ status: 500, handler: false })),
  v('urls-disabled-vary-keeps-handler-value', "On a disabled path the handler's own Vary does not gain Origin.", API_ONLY, get(A, '/vary'), disabled()),
  v('urls-disabled-strict-not-applied', 'Strict mode does not apply outside urlsRegex.', API_STRICT, get(EVIL, '/health'), disabled()),
  v('urls-enabled-strict-applied', 'Strict mode applies inside urlsRegex.', API_STRICT, get(EVIL, '/api/items'), forbidden(eff(API_STRICT))),
];

// ---------------------------------------------------------------------------------------------------
// Per-path overrides (first match wins; an entry's settings override the global ones)
// ---------------------------------------------------------------------------------------------------

const SHADOW = 'https://shadow.example.com';
const PATHS_GLOBAL: CorsSettings = { allowedOrigins: [A, B], allowCredentials: true, exposeHeaders: ['x-request-id'] };
const P_PUBLIC: CorsSettings = { allowAllOrigins: true, publicData: true, allowCredentials: false, exposeHeaders: [], preflightMaxAge: 600 };
const P_SHADOWED: CorsSettings = { allowedOrigins: [SHADOW] };
const P_PRIVATE: CorsSettings = { allowedOrigins: [B], allowMethods: ['GET'] };
const P_ADMIN: CorsSettings = { strict: true };
const P_DEVICE: CorsSettings = { allowPrivateNetwork: true };
const P_DEBUG: CorsSettings = { debugHeader: true };
const PATHS: CorsSettings = {
  ...PATHS_GLOBAL,
  paths: [
    { path: '/api/public/*', ...P_PUBLIC },
    { path: '/api/public/special', ...P_SHADOWED },
    { path: '/api/private', ...P_PRIVATE },
    { path: '/api/admin/*', ...P_ADMIN },
    { path: '/api/device/*', ...P_DEVICE },
    { path: '/api/debug/*', ...P_DEBUG },
  ],
};
const E_GLOBAL = eff(PATHS_GLOBAL);
const E_PUBLIC = eff({ ...PATHS_GLOBAL, ...P_PUBLIC });
const E_PRIVATE = eff({ ...PATHS_GLOBAL, ...P_PRIVATE });
const E_ADMIN = eff({ ...PATHS_GLOBAL, ...P_ADMIN });
const E_DEVICE = eff({ ...PATHS_GLOBAL, ...P_DEVICE });
const E_DEBUGP = eff({ ...PATHS_GLOBAL, ...P_DEBUG });
const PATH_OUTSIDE_URLS: CorsSettings = {
  allowedOrigins: [A],
  urlsRegex: '^/api/',
  paths: [{ path: '/static/*', allowAllOrigins: true, publicData: true }],
};

const pathsTheme: ConformanceVector[] = [
  v('paths-public-any-origin', 'The public path entry allows any origin with * and drops the global credentials.', PATHS, get(EVIL, '/api/public/data'), allowed(EVIL, E_PUBLIC)),
  v('paths-public-listed-origin-star', 'On the public path even a globally listed origin gets *.', PATHS, get(A, '/api/public/data'), allowed(A, E_PUBLIC)),
  v('paths-public-preflight', "The public path's preflight uses its own max-age with the inherited lists.", PATHS, preflight(EVIL, 'POST', { path: '/api/public/data', requestHeaders: 'content-type' }), preflightOk(EVIL, E_PUBLIC)),
  v('paths-public-nested', 'A trailing * matches any depth below the prefix.', PATHS, get(EVIL, '/api/public/a/b'), allowed(EVIL, E_PUBLIC)),
  v('paths-public-prefix-itself', 'A trailing * prefix matches the prefix path itself.', PATHS, get(EVIL, '/api/public/'), allowed(EVIL, E_PUBLIC)),
  v('paths-public-without-slash-falls-back', '/api/public does not start with the /api/public/ prefix, so the global policy applies.', PATHS, get(EVIL, '/api/public'), refused(E_GLOBAL)),
  v('paths-publicity-not-prefix', '/api/publicity is not under /api/public/, so the global policy applies.', PATHS, get(EVIL, '/api/publicity'), refused(E_GLOBAL)),
  v('paths-first-match-wins', 'The first matching entry wins, so a later exact entry for /api/public/special is shadowed.', PATHS, get(SHADOW, '/api/public/special'), allowed(SHADOW, E_PUBLIC)),
  v('paths-private-listed', 'The private path allows its own origin and inherits credentials and expose headers.', PATHS, get(B, '/api/private'), allowed(B, E_PRIVATE)),
  v('paths-private-global-origin-refused', "The private path's allowedOrigins replaces the global list, so A is refused there.", PATHS, get(A, '/api/private'), refused(E_PRIVATE)),
  v('paths-private-preflight-methods', "The private path's preflight lists only its own allowMethods.", PATHS, preflight(B, 'GET', { path: '/api/private' }), preflightOk(B, E_PRIVATE)),
  v('paths-private-exact-only', 'An entry without * matches only that exact path, so /api/private/ uses the global policy.', PATHS, get(A, '/api/private/'), allowed(A, E_GLOBAL)),
  v('paths-private-subpath-global', 'An exact entry does not cover sub-paths.', PATHS, get(A, '/api/private/x'), allowed(A, E_GLOBAL)),
  v('paths-admin-strict-refuses', 'Strict mode on one path answers 403 to a foreign origin there.', PATHS, get(EVIL, '/api/admin/users'), forbidden(E_ADMIN)),
  v('paths-admin-strict-allows-listed', 'Strict mode on one path still serves an inherited allowed origin.', PATHS, get(A, '/api/admin/users'), allowed(A, E_ADMIN)),
  v('paths-admin-strict-no-origin', 'Strict mode lets requests without Origin through.', PATHS, get(undefined, '/api/admin/users'), noOrigin(E_ADMIN)),
  v('paths-not-strict-elsewhere', 'Strict mode on one path does not affect other paths.', PATHS, get(EVIL, '/api/items'), refused(E_GLOBAL)),
  v('paths-global-elsewhere', 'Paths without an entry use the global policy.', PATHS, get(A, '/api/items'), allowed(A, E_GLOBAL)),
  v('paths-device-private-network', 'allowPrivateNetwork on one path answers its private-network preflight.', PATHS, preflight(A, 'POST', { path: '/api/device/reboot', privateNetwork: 'true' }), preflightOk(A, E_DEVICE, { pn: true })),
  v('paths-private-network-not-elsewhere', 'allowPrivateNetwork on one path does not leak to others.', PATHS, preflight(A, 'POST', { path: '/api/items', privateNetwork: 'true' }), preflightOk(A, E_GLOBAL)),
  v('paths-debug-on-one-path', 'debugHeader on one path adds x-gatehouse-cors there.', PATHS, get(A, '/api/debug/x'), allowed(A, E_DEBUGP)),
  v('paths-entry-outside-urls-regex', 'A paths entry outside urlsRegex does not enable CORS there.', PATH_OUTSIDE_URLS, get(EVIL, '/static/app.js'), disabled()),
];

// ---------------------------------------------------------------------------------------------------
// Strict mode
// ---------------------------------------------------------------------------------------------------

const STRICT: CorsSettings = { allowedOrigins: [A], strict: true };
const E_STRICT = eff(STRICT);
const STRICT_M: CorsSettings = { allowedOrigins: [A], strict: true, allowMethods: ['GET', 'POST'] };
const E_STRICT_M = eff(STRICT_M);
const STRICT_PUT_ONLY: CorsSettings = { allowedOrigins: [A], strict: true, allowMethods: ['PUT'] };
const STRICT_PURGE: CorsSettings = { allowedOrigins: [A], strict: true, allowMethods: ['GET', 'PURGE'] };
const STRICT_H: CorsSettings = { allowedOrigins: [A], strict: true, allowHeaders: ['Content-Type', 'X-Api-Key'] };
const E_STRICT_H = eff(STRICT_H);
const STRICT_ALL: CorsSettings = { allowAllOrigins: true, publicData: true, strict: true };
const STRICT_NULL: CorsSettings = { allowedOrigins: [A, 'null'], strict: true };
const HOST = 'api.example.com';

const strictTheme: ConformanceVector[] = [
  v('strict-refused-get-403', 'Strict mode answers 403 to a foreign origin without running the handler.', STRICT, get(EVIL), forbidden(E_STRICT)),
  v('strict-refused-post-403', 'Strict mode answers 403 to a foreign POST.', STRICT, call('POST', EVIL), forbidden(E_STRICT)),
  v('strict-refused-delete-403', 'Strict mode answers 403 to a foreign DELETE.', STRICT, call('DELETE', EVIL), forbidden(E_STRICT)),
  v('strict-refused-options-403', 'Strict mode answers 403 to a foreign OPTIONS without Access-Control-Request-Method.', STRICT, call('OPTIONS', EVIL), forbidden(E_STRICT)),
  v('strict-allowed-get', 'Strict mode serves an allowed origin normally.', STRICT, get(A), allowed(A, E_STRICT)),
  v('strict-no-origin', 'Strict mode lets a request without Origin through.', STRICT, get(), noOrigin(E_STRICT)),
  v('strict-empty-origin', 'Strict mode treats an empty Origin like no Origin.', STRICT, get(''), noOrigin(E_STRICT)),
  v('strict-same-origin', "Strict mode lets the server's own origin (http:// + Host) through without CORS headers.", STRICT, get(`http://${HOST}`, '/api/items', { host: HOST }), refused(E_STRICT)),
  v('strict-same-origin-with-port', 'The same-origin check includes the Host port.', STRICT, get(`http://${HOST}:8080`, '/api/items', { host: `${HOST}:8080` }), refused(E_STRICT)),
  v('strict-same-host-other-port-403', 'A different port from the Host header is not same-origin.', STRICT, get(`http://${HOST}:8080`, '/api/items', { host: HOST }), forbidden(E_STRICT)),
  v('strict-same-host-https-403', "The server's own origin is http:// + Host, so https:// + Host is foreign.", STRICT, get(`https://${HOST}`, '/api/items', { host: HOST }), forbidden(E_STRICT)),
  v('strict-foreign-with-host-403', 'A Host header does not make a foreign origin same-origin.', STRICT, get(EVIL, '/api/items', { host: HOST }), forbidden(E_STRICT)),
  v('strict-null-unlisted-403', "Strict mode refuses an unlisted 'null' origin with 403.", STRICT, get('null'), forbidden(E_STRICT)),
  v('strict-null-listed', "Strict mode serves a listed 'null' origin.", STRICT_NULL, get('null'), allowed('null', eff(STRICT_NULL))),
  v('strict-repeated-origin-403', 'Strict mode refuses two Origin lines with 403.', STRICT, get([A, A]), forbidden(E_STRICT)),
  v('strict-invalid-origin-403', 'Strict mode refuses an origin with a path with 403.', STRICT, get(`${A}/x`), forbidden(E_STRICT)),
  v('strict-refused-on-404-path-403', 'Strict mode refuses before the handler, so a 404 path answers 403.', STRICT, get(EVIL, '/status/404'), forbidden(E_STRICT)),
  v('strict-refused-on-throw-path-403', 'Strict mode refuses before the handler, so /throw answers 403.', STRICT, get(EVIL, '/throw'), forbidden(E_STRICT)),
  v('strict-preflight-allowed', 'A strict preflight for an allowed method and header is answered normally.', STRICT_M, preflight(A, 'POST', { requestHeaders: 'content-type' }), preflightOk(A, E_STRICT_M)),
  v('strict-preflight-refused-origin-403', 'A strict preflight from a refused origin answers 403.', STRICT_M, preflight(EVIL, 'GET'), forbidden(E_STRICT_M)),
  v('strict-preflight-method-not-allowed-403', 'A strict preflight asking for a method outside allowMethods answers 403.', STRICT_M, preflight(A, 'DELETE'), forbidden(E_STRICT_M)),
  v('strict-preflight-unknown-method-403', 'A strict preflight asking for an unknown method answers 403.', STRICT_M, preflight(A, 'PURGE'), forbidden(E_STRICT_M)),
  v('strict-preflight-get-safelisted', 'GET is a CORS-safelisted method, so a strict preflight for it passes even when allowMethods omits it.', STRICT_PUT_ONLY, preflight(A, 'GET'), preflightOk(A, eff(STRICT_PUT_ONLY))),
  v('strict-preflight-head-safelisted', 'HEAD is a CORS-safelisted method, so a strict preflight for it passes.', STRICT_PUT_ONLY, preflight(A, 'HEAD'), preflightOk(A, eff(STRICT_PUT_ONLY))),
  v('strict-preflight-post-safelisted', 'POST is a CORS-safelisted method, so a strict preflight for it passes.', STRICT_PUT_ONLY, preflight(A, 'POST'), preflightOk(A, eff(STRICT_PUT_ONLY))),
  v('strict-preflight-custom-method-listed', 'A strict preflight for a custom method listed in allowMethods passes.', STRICT_PURGE, preflight(A, 'PURGE'), preflightOk(A, eff(STRICT_PURGE))),
  v('strict-preflight-header-not-allowed-403', 'A strict preflight asking for a header outside allowHeaders answers 403.', STRICT_H, preflight(A, 'POST', { requestHeaders: 'x-other' }), forbidden(E_STRICT_H)),
  v('strict-preflight-one-bad-header-403', 'One unlisted header among listed ones is enough for a strict 403.', STRICT_H, preflight(A, 'POST', { requestHeaders: 'content-type, x-other' }), forbidden(E_STRICT_H)),
  v('strict-preflight-headers-case-insensitive', 'Strict header matching is case-insensitive.', STRICT_H, preflight(A, 'POST', { requestHeaders: 'content-type, x-api-key' }), preflightOk(A, E_STRICT_H)),
  v('strict-preflight-headers-no-spaces', 'A browser-style list without spaces is parsed.', STRICT_H, preflight(A, 'POST', { requestHeaders: 'content-type,x-api-key' }), preflightOk(A, E_STRICT_H)),
  v('strict-preflight-headers-extra-spaces', 'Spaces around commas are allowed in the requested header list.', STRICT_H, preflight(A, 'POST', { requestHeaders: 'Content-Type ,  X-API-KEY' }), preflightOk(A, E_STRICT_H)),
  v('strict-preflight-authorization-default', 'authorization is in the default allowHeaders, so a strict preflight for it passes.', STRICT, preflight(A, 'GET', { requestHeaders: 'authorization' }), preflightOk(A, E_STRICT)),
  v('strict-preflight-allow-all-bad-method-403', 'Strict mode checks the method even under allowAllOrigins.', STRICT_ALL, preflight(EVIL, 'PURGE'), forbidden(eff(STRICT_ALL))),
  v('strict-allow-all-get', 'Strict mode with allowAllOrigins serves any origin.', STRICT_ALL, get(EVIL), allowed(EVIL, eff(STRICT_ALL))),
  v('strict-allowed-throw-keeps-cors', 'An allowed origin under strict mode keeps its CORS headers on a thrown error.', STRICT, get(A, '/throw'), allowed(A, E_STRICT, { status: 500, handler: false })),
];

// ---------------------------------------------------------------------------------------------------
// Error statuses, /throw and /vary
// ---------------------------------------------------------------------------------------------------

const E_CE = eff(CRED_EXPOSE);

const errorsTheme: ConformanceVector[] = [
  v('errors-404-allowed', "A handler 404 keeps its status and the allowed origin's CORS headers.", CRED_EXPOSE, get(A, '/status/404'), allowed(A, E_CE, { status: 404 })),
  v('errors-401-allowed', "A handler 401 keeps its status and the allowed origin's CORS headers.", CRED_EXPOSE, get(A, '/status/401'), allowed(A, E_CE, { status: 401 })),
  v('errors-500-allowed', "A handler 500 keeps its status and the allowed origin's CORS headers.", CRED_EXPOSE, get(A, '/status/500'), allowed(A, E_CE, { status: 500 })),
  v('errors-404-refused', 'A refused origin on a 404 gets no CORS header but Vary.', CRED_EXPOSE, get(EVIL, '/status/404'), refused(E_CE, { status: 404 })),
  v('errors-500-refused', 'A refused origin on a 500 gets no CORS header but Vary.', CRED_EXPOSE, call('POST', EVIL, '/status/500'), refused(E_CE, { status: 500 })),
  v('errors-500-no-origin', 'A 500 without Origin still varies on Origin.', CRED_EXPOSE, get(undefined, '/status/500'), noOrigin(E_CE, { status: 500 })),
  v('errors-throw-allowed', 'When the handler throws, the 500 still carries the allowed CORS headers.', CRED_EXPOSE, get(A, '/throw'), allowed(A, E_CE, { status: 500, handler: false })),
  v('errors-throw-post-allowed', 'A thrown POST keeps the allowed CORS headers.', CRED_EXPOSE, call('POST', A, '/throw'), allowed(A, E_CE, { status: 500, handler: false })),
  v('errors-throw-refused', 'When the handler throws for a refused origin, the 500 has no CORS header but Vary.', CRED_EXPOSE, get(EVIL, '/throw'), refused(E_CE, { status: 500, handler: false })),
  v('errors-throw-no-origin', 'A thrown error without Origin still varies on Origin.', CRED_EXPOSE, get(undefined, '/throw'), noOrigin(E_CE, { status: 500, handler: false })),
  v('errors-throw-allow-all', 'A thrown error under allowAllOrigins still answers *.', ALL, get(EVIL, '/throw'), allowed(EVIL, E_ALL, { status: 500, handler: false })),
  v('errors-vary-merged-allowed', "The handler's own Vary is merged with Origin for an allowed origin.", CRED_EXPOSE, get(A, '/vary'), allowed(A, E_CE)),
  v('errors-vary-merged-no-origin', "The handler's own Vary is merged with Origin without an Origin.", CRED_EXPOSE, get(undefined, '/vary'), noOrigin(E_CE)),
  v('errors-vary-merged-refused', "The handler's own Vary is merged with Origin for a refused origin.", CRED_EXPOSE, get(EVIL, '/vary'), refused(E_CE)),
  v('errors-vary-preflight', 'A preflight to /vary is answered by the engine and varies on Origin.', CRED_EXPOSE, preflight(A, 'PUT', { path: '/vary' }), preflightOk(A, E_CE)),
];

// ---------------------------------------------------------------------------------------------------
// Debug header
// ---------------------------------------------------------------------------------------------------

const DBG: CorsSettings = { allowedOrigins: [A], debugHeader: true };
const E_DBG = eff(DBG);
const DBG_STRICT: CorsSettings = { allowedOrigins: [A], debugHeader: true, strict: true };
const DBG_ALL: CorsSettings = { allowAllOrigins: true, publicData: true, debugHeader: true };

const debugTheme: ConformanceVector[] = [
  v('debug-allowed', 'With debugHeader an allowed request says "allowed".', DBG, get(A), allowed(A, E_DBG)),
  v('debug-refused', 'With debugHeader a refused request says "refused".', DBG, get(EVIL), refused(E_DBG)),
  v('debug-preflight-allowed', 'With debugHeader an allowed preflight says "allowed".', DBG, preflight(A, 'PUT'), preflightOk(A, E_DBG)),
  v('debug-preflight-refused', 'With debugHeader a refused preflight says "refused".', DBG, preflight(EVIL, 'PUT'), preflightRefused(E_DBG)),
  v('debug-invalid-origin', 'With debugHeader two Origin lines say "refused".', DBG, get([A, A]), refused(E_DBG)),
  v('debug-strict-403', 'With debugHeader a strict 403 says "refused".', DBG_STRICT, get(EVIL), forbidden(eff(DBG_STRICT))),
  v('debug-allow-all', 'With debugHeader allowAllOrigins says "allowed".', DBG_ALL, get(EVIL), allowed(EVIL, eff(DBG_ALL))),
  v('debug-on-404', 'With debugHeader a handler 404 still carries the verdict.', DBG, get(A, '/status/404'), allowed(A, E_DBG, { status: 404 })),
  v('debug-on-throw', 'With debugHeader a thrown error still carries the verdict.', DBG, get(A, '/throw'), allowed(A, E_DBG, { status: 500, handler: false })),
  v('debug-off-explicit', 'With debugHeader false no x-gatehouse-cors header is sent.', { allowedOrigins: [A], debugHeader: false }, get(A), allowed(A, eff({ debugHeader: false }))),
];

// ---------------------------------------------------------------------------------------------------
// Stress: huge origins and huge header lists
// ---------------------------------------------------------------------------------------------------

const LONG_ORIGIN = `https://${'a'.repeat(4988)}.example.com`; // 5008 characters
const MANY_NAMES = Array.from({ length: 500 }, (_, i) => `x-h-${String(i).padStart(3, '0')}`);
const MANY_LIST = MANY_NAMES.join(', ');
const STRICT_MANY: CorsSettings = { allowedOrigins: [A], strict: true, allowHeaders: MANY_NAMES };

const stressTheme: ConformanceVector[] = [
  v('stress-long-origin-get', 'A 5000-character origin is refused without a crash.', ONLY_A, get(LONG_ORIGIN), refused(E_ONLY_A)),
  v('stress-long-origin-preflight', 'A preflight from a 5000-character origin is refused without a crash.', ONLY_A, preflight(LONG_ORIGIN, 'PUT'), preflightRefused(E_ONLY_A)),
  v('stress-long-origin-strict', 'Strict mode answers 403 to a 5000-character origin.', STRICT, get(LONG_ORIGIN), forbidden(E_STRICT)),
  v('stress-500-request-headers', 'A preflight asking for 500 headers is answered normally outside strict mode.', ONLY_A, preflight(A, 'POST', { requestHeaders: MANY_LIST }), preflightOk(A, E_ONLY_A)),
  v('stress-500-request-headers-no-spaces', 'A browser-style 500-name list without spaces is answered normally.', ONLY_A, preflight(A, 'POST', { requestHeaders: MANY_NAMES.join(',') }), preflightOk(A, E_ONLY_A)),
  v('stress-500-headers-strict-unlisted-403', 'A strict preflight asking for 500 unlisted headers answers 403.', STRICT, preflight(A, 'POST', { requestHeaders: MANY_LIST }), forbidden(E_STRICT)),
  v('stress-500-headers-strict-all-listed', 'A strict preflight asking for 500 listed headers passes and lists all 500.', STRICT_MANY, preflight(A, 'POST', { requestHeaders: MANY_NAMES.join(',') }), preflightOk(A, eff(STRICT_MANY))),
];

// ---------------------------------------------------------------------------------------------------

export const vectors: readonly ConformanceVector[] = [
  ...defaultsTheme,
  ...exactTheme,
  ...lookalikeTheme,
  ...canonTheme,
  ...nullTheme,
  ...invalidTheme,
  ...regexTheme,
  ...patternTheme,
  ...allowAllTheme,
  ...credentialsTheme,
  ...exposeTheme,
  ...preflightTheme,
  ...maxAgeTheme,
  ...privateNetworkTheme,
  ...optionsTheme,
  ...urlsTheme,
  ...pathsTheme,
  ...strictTheme,
  ...errorsTheme,
  ...debugTheme,
  ...stressTheme,
];
