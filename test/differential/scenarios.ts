// The differential scenarios shared by the Django oracle and Gatehouse: each scenario is one set of
// django-cors-headers settings (Django setting names, JSON values as Python would see them) and the
// requests to send to both. What Django 3.2 + django-cors-headers 3.14 answered is written down in
// django-observed.md.
//
// Left out on purpose: CORS_ALLOW_ALL_ORIGINS together with CORS_ALLOW_CREDENTIALS, which Gatehouse
// refuses at start-up.

export interface DifferentialRequest {
  id: string;
  method: string;
  path: string;
  headers?: Record<string, string | string[]>;
}

export interface DifferentialScenario {
  id: string;
  why: string;
  django: Record<string, unknown>;
  requests: DifferentialRequest[];
}

const APP = 'https://app.example.com';
const LOCAL = 'http://localhost:3000';
const EVIL = 'https://evil.example.net';

const get = (id: string, origin?: string | string[], path = '/api/items'): DifferentialRequest =>
  origin === undefined ? { id, method: 'GET', path } : { id, method: 'GET', path, headers: { origin } };

const preflight = (
  id: string,
  origin: string | undefined,
  requestMethod: string,
  requestHeaders?: string,
  path = '/api/items',
): DifferentialRequest => {
  const headers: Record<string, string> = { 'access-control-request-method': requestMethod };
  if (origin !== undefined) headers['origin'] = origin;
  if (requestHeaders !== undefined) headers['access-control-request-headers'] = requestHeaders;
  return { id, method: 'OPTIONS', path, headers };
};

export const scenarios: readonly DifferentialScenario[] = [
  {
    id: 'list-basic',
    why: 'Two listed origins: listed ones are echoed on every method, others and absent Origin get only Vary.',
    django: { CORS_ALLOWED_ORIGINS: [APP, LOCAL] },
    requests: [
      get('get-listed-https', APP),
      get('get-listed-localhost', LOCAL),
      get('get-refused', EVIL),
      get('get-no-origin'),
      get('get-empty-origin', ''),
      { id: 'post-listed', method: 'POST', path: '/api/items', headers: { origin: APP, 'content-type': 'application/json' } },
      { id: 'put-listed', method: 'PUT', path: '/api/items/1', headers: { origin: APP } },
      { id: 'patch-listed', method: 'PATCH', path: '/api/items/1', headers: { origin: APP } },
      { id: 'delete-listed', method: 'DELETE', path: '/api/items/1', headers: { origin: APP } },
      { id: 'delete-refused', method: 'DELETE', path: '/api/items/1', headers: { origin: EVIL } },
      { id: 'purge-listed', method: 'PURGE', path: '/api/items/1', headers: { origin: APP } },
      get('get-root-listed', APP, '/'),
    ],
  },
  {
    id: 'list-lookalikes',
    why: 'Origins that resemble a listed one: Django compares urlsplit() scheme and netloc only.',
    django: { CORS_ALLOWED_ORIGINS: [APP] },
    requests: [
      get('exact', APP),
      get('prefix-host', 'https://app.example.com.evil.net'),
      get('suffix-host', 'https://evilapp.example.com'),
      get('sub-host', 'https://x.app.example.com'),
      get('parent-host', 'https://example.com'),
      get('scheme-http', 'http://app.example.com'),
      get('scheme-wss', 'wss://app.example.com'),
      get('other-port', 'https://app.example.com:8443'),
      get('explicit-default-port', 'https://app.example.com:443'),
      get('uppercase-host', 'https://APP.example.com'),
      get('uppercase-scheme', 'HTTPS://app.example.com'),
      get('trailing-slash', 'https://app.example.com/'),
      get('with-path', 'https://app.example.com/some/path'),
      get('with-query', 'https://app.example.com?x=1'),
      get('with-userinfo', 'https://user@app.example.com'),
      get('trailing-dot', 'https://app.example.com.'),
      get('no-scheme', 'app.example.com'),
      get('wildcard-origin', '*'),
    ],
  },
  {
    id: 'list-ports-and-ip',
    why: 'Listed origins with explicit ports and IP literals: the port is part of the netloc string.',
    django: { CORS_ALLOWED_ORIGINS: ['http://localhost:8080', 'http://127.0.0.1:8000', 'http://[::1]:5173', 'https://secure.example.com:443'] },
    requests: [
      get('localhost-8080', 'http://localhost:8080'),
      get('localhost-8081', 'http://localhost:8081'),
      get('localhost-no-port', 'http://localhost'),
      get('ipv4-listed', 'http://127.0.0.1:8000'),
      get('ipv4-other-port', 'http://127.0.0.1:8001'),
      get('ipv6-listed', 'http://[::1]:5173'),
      get('ipv6-other-port', 'http://[::1]:5174'),
      get('ipv6-unclosed-bracket', 'http://[::1'),
      get('listed-with-443-exact', 'https://secure.example.com:443'),
      get('listed-with-443-bare', 'https://secure.example.com'),
    ],
  },
  {
    id: 'null-listed',
    why: '"null" listed allows the opaque origin; in 3.14 it also lets through any Origin whose urlsplit() has no scheme and no netloc, since "null" splits that way too.',
    django: { CORS_ALLOWED_ORIGINS: [APP, 'null'] },
    requests: [
      get('null-get', 'null'),
      preflight('null-preflight', 'null', 'POST', 'content-type'),
      get('null-uppercase', 'NULL'),
      get('schemeless-host', 'evil.example.net'),
      get('garbage', 'not a url'),
      get('empty-origin', ''),
      get('listed-still-works', APP),
      get('refused', EVIL),
    ],
  },
  {
    id: 'null-unlisted',
    why: 'Without "null" listed the opaque origin is refused.',
    django: { CORS_ALLOWED_ORIGINS: [APP] },
    requests: [
      get('null-get', 'null'),
      preflight('null-preflight', 'null', 'POST', 'content-type'),
      get('null-uppercase', 'NULL'),
      get('schemeless-host', 'evil.example.net'),
      get('listed', APP),
    ],
  },
  {
    id: 'file-scheme-listed',
    why: '"file://" is accepted by the system checks; it then matches any origin with scheme file and no host.',
    django: { CORS_ALLOWED_ORIGINS: [APP, 'file://'] },
    requests: [
      get('file-bare', 'file://'),
      get('file-with-path', 'file:///etc/passwd'),
      get('file-with-host', 'file://host'),
      get('null', 'null'),
    ],
  },
  {
    id: 'allow-all',
    why: 'CORS_ALLOW_ALL_ORIGINS without credentials answers "*" for every parseable Origin.',
    django: { CORS_ALLOW_ALL_ORIGINS: true },
    requests: [
      get('any-origin', EVIL),
      get('null-origin', 'null'),
      get('no-origin'),
      get('empty-origin', ''),
      get('garbage-origin', 'not a url'),
      get('unparseable-origin', 'http://[::1'),
      preflight('preflight', EVIL, 'PUT', 'x-custom'),
      preflight('preflight-no-acrh', EVIL, 'GET'),
      { id: 'options-no-acrm', method: 'OPTIONS', path: '/api/items', headers: { origin: EVIL } },
      get('status-500', EVIL, '/status/500'),
    ],
  },
  {
    id: 'allow-all-expose',
    why: 'CORS_ALLOW_ALL_ORIGINS with expose headers, custom methods and headers.',
    django: {
      CORS_ALLOW_ALL_ORIGINS: true,
      CORS_EXPOSE_HEADERS: ['x-request-id', 'x-total-count'],
      CORS_ALLOW_METHODS: ['GET', 'POST'],
      CORS_ALLOW_HEADERS: ['content-type', 'x-api-key'],
    },
    requests: [
      get('get', APP),
      { id: 'post', method: 'POST', path: '/api/items', headers: { origin: APP } },
      preflight('preflight', APP, 'POST', 'x-api-key'),
      preflight('preflight-unlisted-method', APP, 'DELETE'),
      get('vary', APP, '/vary'),
      get('no-origin'),
    ],
  },
  {
    id: 'credentials',
    why: 'CORS_ALLOW_CREDENTIALS echoes the origin; 3.14 sends Allow-Credentials even to refused origins.',
    django: { CORS_ALLOWED_ORIGINS: [APP, 'null'], CORS_ALLOW_CREDENTIALS: true },
    requests: [
      get('listed', APP),
      get('refused', EVIL),
      get('no-origin'),
      get('empty-origin', ''),
      get('null-listed', 'null'),
      get('unparseable-origin', 'http://[::1'),
      preflight('preflight-listed', APP, 'PUT', 'authorization, content-type'),
      preflight('preflight-refused', EVIL, 'PUT', 'authorization'),
      get('status-401-listed', APP, '/status/401'),
      get('status-401-refused', EVIL, '/status/401'),
    ],
  },
  {
    id: 'credentials-regex',
    why: 'Credentials with an anchored regex: the matching origin is echoed with credentials.',
    django: { CORS_ALLOWED_ORIGIN_REGEXES: ['^https://[a-z]+\\.example\\.com$'], CORS_ALLOW_CREDENTIALS: true },
    requests: [
      get('matching', 'https://shop.example.com'),
      get('not-matching', 'https://shop.example.com.evil.net'),
      preflight('preflight-matching', 'https://shop.example.com', 'POST', 'content-type'),
      preflight('preflight-not-matching', 'https://evil.net', 'POST'),
    ],
  },
  {
    id: 'regex-anchored',
    why: 'A properly anchored regex: only one lower-case label under example.com, https only.',
    django: { CORS_ALLOWED_ORIGIN_REGEXES: ['^https://[a-z]+\\.example\\.com$'] },
    requests: [
      get('one-label', 'https://a.example.com'),
      get('two-labels', 'https://b.a.example.com'),
      get('apex', 'https://example.com'),
      get('suffix-attack', 'https://a.example.com.evil.net'),
      get('http', 'http://a.example.com'),
      get('uppercase-label', 'https://A.example.com'),
      get('uppercase-scheme', 'HTTPS://a.example.com'),
      get('explicit-port', 'https://a.example.com:443'),
      get('trailing-slash', 'https://a.example.com/'),
      get('digits-label', 'https://a1.example.com'),
      preflight('preflight-match', 'https://a.example.com', 'PATCH', 'content-type'),
    ],
  },
  {
    id: 'regex-start-anchored-only',
    why: 'A regex anchored only at the start (re.match): anything after example.com is accepted too.',
    django: { CORS_ALLOWED_ORIGIN_REGEXES: ['^https://.*\\.example\\.com'] },
    requests: [
      get('one-label', 'https://a.example.com'),
      get('suffix-attack', 'https://a.example.com.evil.net'),
      get('port-suffix', 'https://a.example.com:8443'),
      get('path-smuggle', 'https://evil.net/x.example.com'),
      get('apex', 'https://example.com'),
      get('http', 'http://a.example.com'),
      get('repeated-first-matches', ['https://a.example.com', 'https://evil.net']),
      get('repeated-second-matches', ['https://evil.net', 'https://a.example.com']),
    ],
  },
  {
    id: 'regex-no-caret',
    why: 'Patterns without ^: Python re.match still anchors at the start, so a bare host pattern never matches.',
    django: { CORS_ALLOWED_ORIGIN_REGEXES: ['https://[a-z]+\\.example\\.org', 'partner\\.example\\.net'] },
    requests: [
      get('scheme-pattern-match', 'https://www.example.org'),
      get('scheme-pattern-suffix', 'https://www.example.org.evil.net'),
      get('bare-host-pattern', 'https://partner.example.net'),
      get('bare-host-pattern-as-origin', 'partner.example.net'),
    ],
  },
  {
    id: 'list-and-regex',
    why: 'A list and a regex together: either may allow an origin.',
    django: { CORS_ALLOWED_ORIGINS: [APP], CORS_ALLOWED_ORIGIN_REGEXES: ['^http://localhost:\\d+$'] },
    requests: [
      get('list-match', APP),
      get('regex-match', 'http://localhost:5173'),
      get('regex-no-port', 'http://localhost'),
      get('neither', EVIL),
      preflight('preflight-regex', 'http://localhost:5173', 'DELETE'),
    ],
  },
  {
    id: 'expose-headers',
    why: 'CORS_EXPOSE_HEADERS goes on allowed responses, including preflights and error statuses.',
    django: { CORS_ALLOWED_ORIGINS: [APP], CORS_EXPOSE_HEADERS: ['x-request-id', 'Content-Length', 'X-RateLimit-Remaining'] },
    requests: [
      get('listed', APP),
      get('refused', EVIL),
      preflight('preflight', APP, 'GET'),
      get('status-404', APP, '/status/404'),
      get('status-500', APP, '/status/500'),
      get('no-origin'),
    ],
  },
  {
    id: 'custom-methods-headers',
    why: 'Custom method and header lists are sent verbatim; Django never compares them with the request.',
    django: {
      CORS_ALLOWED_ORIGINS: [APP],
      CORS_ALLOW_METHODS: ['GET', 'POST', 'PURGE'],
      CORS_ALLOW_HEADERS: ['content-type', 'X-Custom-Header', 'authorization'],
    },
    requests: [
      preflight('listed-method', APP, 'POST', 'content-type'),
      preflight('unlisted-method', APP, 'DELETE'),
      preflight('custom-method', APP, 'PURGE'),
      preflight('lowercase-method', APP, 'post'),
      preflight('unlisted-header', APP, 'GET', 'x-other'),
      preflight('mixed-case-headers', APP, 'GET', 'X-CUSTOM-HEADER, Content-Type'),
      preflight('refused-origin', EVIL, 'POST', 'content-type'),
      { id: 'delete-actual', method: 'DELETE', path: '/api/items/1', headers: { origin: APP } },
    ],
  },
  {
    id: 'max-age-zero',
    why: 'CORS_PREFLIGHT_MAX_AGE 0 leaves Access-Control-Max-Age out.',
    django: { CORS_ALLOWED_ORIGINS: [APP], CORS_PREFLIGHT_MAX_AGE: 0 },
    requests: [
      preflight('preflight', APP, 'PUT', 'content-type'),
      preflight('preflight-refused', EVIL, 'PUT'),
      get('get', APP),
    ],
  },
  {
    id: 'max-age-custom',
    why: 'A custom CORS_PREFLIGHT_MAX_AGE goes on allowed preflights only.',
    django: { CORS_ALLOWED_ORIGINS: [APP], CORS_PREFLIGHT_MAX_AGE: 600 },
    requests: [
      preflight('preflight', APP, 'PUT', 'content-type'),
      preflight('preflight-refused', EVIL, 'PUT'),
      { id: 'options-no-acrm', method: 'OPTIONS', path: '/api/items', headers: { origin: APP } },
      get('get', APP),
    ],
  },
  {
    id: 'urls-regex',
    why: 'CORS_URLS_REGEX ^/api/.*$ limits CORS (headers, Vary and the preflight short-cut) to /api/.',
    django: { CORS_ALLOWED_ORIGINS: [APP], CORS_URLS_REGEX: '^/api/.*$' },
    requests: [
      get('inside-listed', APP, '/api/items'),
      get('inside-refused', EVIL, '/api/items'),
      get('inside-prefix-only', APP, '/api/'),
      get('no-trailing-slash', APP, '/api'),
      get('outside-listed', APP, '/public/items'),
      get('outside-uppercase', APP, '/API/items'),
      get('outside-lookalike', APP, '/apix/items'),
      get('inside-no-origin', undefined, '/api/items'),
      get('outside-no-origin', undefined, '/public/items'),
      preflight('preflight-inside', APP, 'POST', 'content-type', '/api/items'),
      preflight('preflight-outside', APP, 'POST', 'content-type', '/public/items'),
      get('outside-status-404', APP, '/status/404'),
      get('outside-vary', APP, '/vary'),
      get('encoded-slash', APP, '/api%2Fitems'),
      get('encoded-inside', APP, '/%61pi/items'),
    ],
  },
  {
    id: 'preflight-shapes',
    why: 'What makes Django treat OPTIONS as a preflight: the Access-Control-Request-Method header, nothing else.',
    django: { CORS_ALLOWED_ORIGINS: [APP] },
    requests: [
      preflight('listed-no-acrh', APP, 'PUT'),
      preflight('listed-with-acrh', APP, 'PUT', 'content-type'),
      preflight('listed-acrh-list', APP, 'PUT', 'Content-Type, X-Requested-With, Authorization'),
      preflight('listed-acrh-unlisted', APP, 'PUT', 'x-not-in-defaults'),
      preflight('refused-origin', EVIL, 'PUT'),
      preflight('no-origin', undefined, 'PUT'),
      preflight('empty-acrm', APP, ''),
      preflight('acrm-garbage', APP, 'NOT A METHOD'),
      { id: 'options-no-acrm', method: 'OPTIONS', path: '/api/items', headers: { origin: APP } },
      { id: 'options-no-acrm-refused', method: 'OPTIONS', path: '/api/items', headers: { origin: EVIL } },
      { id: 'options-nothing', method: 'OPTIONS', path: '/api/items' },
      { id: 'get-with-acrm', method: 'GET', path: '/api/items', headers: { origin: APP, 'access-control-request-method': 'PUT' } },
      preflight('to-404', APP, 'GET', undefined, '/status/404'),
      preflight('to-500', APP, 'GET', undefined, '/status/500'),
      preflight('to-vary', APP, 'GET', undefined, '/vary'),
    ],
  },
  {
    id: 'error-paths',
    why: 'Handler error statuses still carry CORS headers for allowed origins.',
    django: { CORS_ALLOWED_ORIGINS: [APP] },
    requests: [
      get('404-listed', APP, '/status/404'),
      get('404-refused', EVIL, '/status/404'),
      get('401-listed', APP, '/status/401'),
      get('500-listed', APP, '/status/500'),
      get('500-refused', EVIL, '/status/500'),
      get('404-no-origin', undefined, '/status/404'),
      { id: '500-post-listed', method: 'POST', path: '/status/500', headers: { origin: APP } },
    ],
  },
  {
    id: 'vary',
    why: 'Vary: Origin is merged with the handler\'s own Vary, for allowed, refused and origin-less requests.',
    django: { CORS_ALLOWED_ORIGINS: [APP] },
    requests: [
      get('listed', APP, '/vary'),
      get('refused', EVIL, '/vary'),
      get('no-origin', undefined, '/vary'),
      preflight('preflight', APP, 'GET', undefined, '/vary'),
      get('plain-path-listed', APP, '/plain'),
    ],
  },
  {
    id: 'vary-allow-all',
    why: 'Vary under CORS_ALLOW_ALL_ORIGINS, where the answer does not depend on Origin.',
    django: { CORS_ALLOW_ALL_ORIGINS: true },
    requests: [
      get('with-origin', APP, '/vary'),
      get('no-origin', undefined, '/vary'),
      get('plain', APP, '/plain'),
    ],
  },
  {
    id: 'repeated-origin',
    why: 'Two Origin header lines: wsgiref joins them with "," before Django sees them.',
    django: { CORS_ALLOWED_ORIGINS: [APP, LOCAL] },
    requests: [
      get('two-listed', [APP, LOCAL]),
      get('same-twice', [APP, APP]),
      get('refused-then-listed', [EVIL, APP]),
      get('listed-then-refused', [APP, EVIL]),
      get('comma-joined-single-line', `${APP}, ${LOCAL}`),
      preflight('preflight-comma-joined', `${APP},${APP}`, 'GET'),
    ],
  },
  {
    id: 'defaults',
    why: 'Only CORS_ALLOWED_ORIGINS set: the 3.14 default methods, allow-headers (with accept-encoding, dnt, origin) and max age 86400.',
    django: { CORS_ALLOWED_ORIGINS: [APP] },
    requests: [
      preflight('preflight-plain', APP, 'POST'),
      preflight('preflight-content-type', APP, 'POST', 'content-type'),
      preflight('preflight-dnt', APP, 'POST', 'dnt'),
      preflight('preflight-refused', EVIL, 'POST', 'content-type'),
      get('get', APP),
      get('get-refused', EVIL),
      get('no-origin'),
    ],
  },
  {
    id: 'private-network',
    why: 'CORS_ALLOW_PRIVATE_NETWORK (a 4.x setting): 3.14 ignores it and never sends Allow-Private-Network.',
    django: { CORS_ALLOWED_ORIGINS: [APP], CORS_ALLOW_PRIVATE_NETWORK: true },
    requests: [
      {
        id: 'preflight-pna',
        method: 'OPTIONS',
        path: '/api/items',
        headers: { origin: APP, 'access-control-request-method': 'GET', 'access-control-request-private-network': 'true' },
      },
      {
        id: 'preflight-pna-refused',
        method: 'OPTIONS',
        path: '/api/items',
        headers: { origin: EVIL, 'access-control-request-method': 'GET', 'access-control-request-private-network': 'true' },
      },
      preflight('preflight-no-pna', APP, 'GET'),
      get('get', APP),
    ],
  },
  {
    id: 'nothing-allowed',
    why: 'No origin allowed at all (empty list): only Vary: Origin ever appears.',
    django: { CORS_ALLOWED_ORIGINS: [] },
    requests: [
      get('get', APP),
      get('null', 'null'),
      preflight('preflight', APP, 'GET', 'content-type'),
      get('no-origin'),
    ],
  },
  {
    id: 'origin-shapes-credentials',
    why: 'Odd Origin shapes with credentials on: path, default port, uppercase scheme, trailing slash, empty.',
    django: { CORS_ALLOWED_ORIGINS: [APP, 'http://localhost:3000'], CORS_ALLOW_CREDENTIALS: true },
    requests: [
      get('with-path', `${APP}/login`),
      get('explicit-default-port', `${APP}:443`),
      get('http-explicit-port-listed', 'http://localhost:3000'),
      get('uppercase-scheme', 'HTTPS://app.example.com'),
      get('mixed-case-scheme', 'Https://app.example.com'),
      get('trailing-slash', `${APP}/`),
      get('empty-origin', ''),
      preflight('preflight-with-path', `${APP}/login`, 'POST', 'content-type'),
    ],
  },
];
