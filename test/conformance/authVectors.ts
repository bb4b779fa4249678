// Conformance vectors for authentication and permissions: one row per rule, run through every adapter
// (auth.test.ts). All rows share one configuration (authOptions below): two real JWT issuers, a real
// API key store, a permissions table, rules declared in code (test/helpers/testApp.ts CODE_ROUTES),
// and CORS allowing one origin.
//
// Credentials are made in the runner's `before`, so rows name them with placeholders:
// - `<jwt:NAME>`: a token built from TOKENS[NAME], signed when the suite starts (times relative to then);
// - `<key:NAME>`: an API key created in the store from API_KEYS[NAME], or one of DERIVED_KEYS.
//
// Conventions (checked by the runner for every row):
// - header names are lower-case; `null` means the header must be absent;
// - `principal` is the subject the handler saw (`x-principal`), null when it saw none or did not run;
//   the runner also checks that the framework's way and principalOf(raw request) gave the same object;
// - a row with `problem` is a problem+json body with that `code` and the row's status; when Gatehouse
//   itself refused (handler not run) it also carries Cache-Control: no-store, and never names the
//   precise reason (BODY_NEVER) nor echoes the credential;
// - every response lists Origin in Vary: a refusal depends on the Origin like any other response.
// Expected values are written out from the rules (RFC 6750, RFC 9457, docs/auth.md, docs/permissions.md),
// never computed by Gatehouse code.

import type { ApiKeyStore } from '../../src/auth/apiKeys/apiKeyStore.ts';
import type { RevocationCheck } from '../../src/auth/jwt/revocation.ts';
import type { CorsSettings } from '../../src/cors/settings.ts';
import type { StartOptions } from '../helpers/servers.ts';

export interface AuthVector {
  id: string; // unique, kebab-case
  why: string; // one reason, one sentence
  /** A known engine bug: the row says what the rule requires, and runs as a node:test todo until fixed. */
  todo?: string;
  /** `from`: the peer address (default 127.0.0.1, the trusted proxy; 127.0.0.2 is not trusted). */
  request: { method: string; path: string; headers?: Record<string, string | string[]>; from?: string };
  expect: {
    status: number;
    handlerCalled: boolean;
    principal: string | null;
    /** x-principal-kind and x-principal-scopes (sorted, space-separated), when the handler saw a Principal. */
    kind?: 'user' | 'client' | 'api-key';
    scopes?: string;
    /** The problem+json `code`. */
    problem?: string;
    headers: Record<string, string | null>;
  };
}

// ---------------------------------------------------------------------------------------------------
// The configuration
// ---------------------------------------------------------------------------------------------------

export const ORIGIN = 'https://app.example.com';
const EVIL = 'https://evil.example.net';
export const HS_ISSUER = 'https://hs.example';
export const ES_ISSUER = 'https://es.example';
export const AUDIENCE = 'api';

export const CORS: CorsSettings = {
  allowedOrigins: [ORIGIN],
  allowCredentials: true,
  allowHeaders: ['authorization', 'content-type', 'x-api-key'],
  // So that a page's script can read the challenge of a 401 or 403.
  exposeHeaders: ['WWW-Authenticate'],
};

/** Everything but CORS, with the credentials' sources made in the runner's `before`. */
export function authOptions(sources: { hsSecret: string; esPublicKey: string; store: ApiKeyStore; revocation: RevocationCheck }): StartOptions {
  return {
    // The client behind a trusted proxy on 127.0.0.1 is what a key bound to networks is checked against.
    proxy: { trusted: ['127.0.0.1'] },
    auth: {
      jwt: {
        issuers: [
          { issuer: HS_ISSUER, audience: AUDIENCE, algorithms: ['HS256'], secret: sources.hsSecret },
          { issuer: ES_ISSUER, audience: AUDIENCE, algorithms: ['ES256'], publicKey: sources.esPublicKey },
        ],
      },
      revocation: sources.revocation,
      apiKeys: { store: sources.store },
    },
    permissions: [
      { methods: ['GET'], path: '/api/public/*', rule: 'any' },
      { methods: ['GET'], path: '/api/posts/*', rule: 'posts:read' },
      { methods: ['POST'], path: '/api/posts/*', rule: 'posts:write' },
      { path: '/api/admin/*', rule: 'admin' },
      // The rules of these routes are declared in code (CODE_ROUTES): the table lets every caller on.
      { path: '/api/code/*', rule: 'any' },
    ],
    defaultRule: 'authenticated',
  };
}

/** How a token is signed: by its issuer's key, or by something that must not pass. */
export type Signer = 'hs' | 'es' | 'none' | 'hs-other-secret' | 'es-other-key' | 'hs-as-es-issuer';

export interface TokenSpec {
  signer: Signer;
  /** Claims over the defaults (iss of the signer's issuer, aud, iat now-60, exp now+600, a unique jti); undefined removes one. */
  claims: Record<string, unknown>;
  /** Times in these claims are seconds relative to the moment the suite signs. */
  relative?: readonly ('exp' | 'iat' | 'nbf')[];
  /** After signing, replace the payload (the signature no longer matches). */
  tamper?: Record<string, unknown>;
  /** The revocation list refuses this token's jti. */
  revoked?: boolean;
}

export const TOKENS: Record<string, TokenSpec> = {
  reader: { signer: 'hs', claims: { sub: 'user-reader', scope: 'posts:read' } },
  writer: { signer: 'hs', claims: { sub: 'user-writer', scope: 'posts:read posts:write' } },
  editor: { signer: 'es', claims: { sub: 'user-editor', scope: 'posts:read', roles: ['editor'] } },
  admin: { signer: 'es', claims: { sub: 'user-admin', scope: 'posts:read posts:write', roles: ['admin'] } },
  client: { signer: 'hs', claims: { sub: undefined, client_id: 'svc-reports', scope: 'posts:read' } },
  expired: { signer: 'hs', claims: { sub: 'user-reader', scope: 'posts:read', iat: -7200, exp: -3600 }, relative: ['iat', 'exp'] },
  notYetValid: { signer: 'hs', claims: { sub: 'user-reader', scope: 'posts:read', nbf: 3600 }, relative: ['nbf'] },
  wrongIssuer: { signer: 'hs', claims: { sub: 'user-reader', iss: 'https://other.example' } },
  wrongAudience: { signer: 'hs', claims: { sub: 'user-reader', aud: 'another-api' } },
  noExp: { signer: 'hs', claims: { sub: 'user-reader', exp: undefined } },
  algNone: { signer: 'none', claims: { sub: 'user-admin', roles: ['admin'] } },
  otherSecret: { signer: 'hs-other-secret', claims: { sub: 'user-reader' } },
  otherEsKey: { signer: 'es-other-key', claims: { sub: 'user-admin', roles: ['admin'] } },
  // Algorithm confusion: an HS256 token claiming the ES256 issuer (RFC 8725 §2.1).
  confused: { signer: 'hs-as-es-issuer', claims: { sub: 'user-admin', roles: ['admin'] } },
  tampered: { signer: 'hs', claims: { sub: 'user-reader', scope: 'posts:read' }, tamper: { scope: 'posts:read posts:write' } },
  revoked: { signer: 'hs', claims: { sub: 'user-writer', scope: 'posts:read posts:write' }, revoked: true },
};

export interface ApiKeySpec {
  owner: string;
  scopes: string[];
  allowedIps?: string[];
  then?: 'revoke' | 'disable';
}

export const API_KEYS: Record<string, ApiKeySpec> = {
  reader: { owner: 'svc-reader', scopes: ['posts:read'] },
  writer: { owner: 'svc-writer', scopes: ['posts:read', 'posts:write'] },
  revoked: { owner: 'svc-revoked', scopes: ['posts:read'], then: 'revoke' },
  disabled: { owner: 'svc-disabled', scopes: ['posts:read'], then: 'disable' },
  otherNetwork: { owner: 'svc-office', scopes: ['posts:read'], allowedIps: ['10.0.0.0/8'] },
  loopback: { owner: 'svc-local', scopes: ['posts:read'], allowedIps: ['127.0.0.1', '::1'] },
};

/** Keys that were never issued as they are presented, made from API_KEYS.writer by the runner. */
export const DERIVED_KEYS = {
  typo: 'the writer key with one character of its body changed (the checksum catches it)',
  truncated: 'the writer key without its last character',
  unknown: 'a well-formed key with a valid checksum that the store never issued',
} as const;

/** Words of the precise reasons (docs/auth.md) that a refusal's body must never contain. */
export const BODY_NEVER = ['expired', 'revoked', 'disabled', 'signature', 'checksum', 'issuer', 'audience', 'algorithm', 'network', 'not yet', 'unknown'];

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

type Expect = AuthVector['expect'];
type Headers = Record<string, string | string[]>;

const REALM = 'Bearer realm="api"';
const INVALID_TOKEN = 'Bearer realm="api", error="invalid_token"';
const INVALID_REQUEST = 'Bearer realm="api", error="invalid_request"';
const needsScope = (scope: string) => `Bearer realm="api", error="insufficient_scope", scope="${scope}"`;
const anonymousNeedsScope = (scope: string) => `Bearer realm="api", scope="${scope}"`;

const bearer = (name: string): Headers => ({ authorization: `Bearer <jwt:${name}>` });
const keyHeader = (name: string): Headers => ({ 'x-api-key': `<key:${name}>` });
const keyBearer = (name: string): Headers => ({ authorization: `Bearer <key:${name}>` });
const from = (origin: string, headers: Headers = {}): Headers => ({ origin, ...headers });

/** The CORS headers of an actual request from the allowed origin (credentials allowed). */
const CORS_ALLOWED = { 'access-control-allow-origin': ORIGIN, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'WWW-Authenticate' };
const CORS_NONE = { 'access-control-allow-origin': null, 'access-control-allow-credentials': null, 'access-control-expose-headers': null };

/** Gatehouse refused: the handler never ran, problem+json, no-store, and the given challenge (or none). */
function refused(status: number, problem: string, wwwAuthenticate: string | null, headers: Record<string, string | null> = {}): Expect {
  return {
    status,
    handlerCalled: false,
    principal: null,
    problem,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', 'www-authenticate': wwwAuthenticate, ...headers },
  };
}

/** The handler ran and saw this Principal (null: anonymous); nothing of a refusal is on the response. */
function allowed(principal: string | null, extra: Partial<Expect> = {}, headers: Record<string, string | null> = {}): Expect {
  return { status: 200, handlerCalled: true, principal, headers: { 'www-authenticate': null, 'cache-control': null, ...headers }, ...extra };
}

const anonymous = refused(401, 'not-authenticated', REALM);
const invalidToken = refused(401, 'invalid-token', INVALID_TOKEN);
const invalidRequest = refused(400, 'invalid-request', INVALID_REQUEST);
const denied = refused(403, 'permission-denied', null);
const insufficient = (scope: string) => refused(403, 'insufficient-scope', needsScope(scope));

/** A preflight from `origin` that the engine answers: 200, empty, the handler never runs, no challenge. */
function preflight(path: string, method: string, requestHeaders: string, origin = ORIGIN): AuthVector['request'] {
  return { method: 'OPTIONS', path, headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': requestHeaders } };
}
const PREFLIGHT_OK: Expect = {
  status: 200,
  handlerCalled: false,
  principal: null,
  headers: { 'access-control-allow-origin': ORIGIN, 'access-control-allow-credentials': 'true', 'content-length': '0', 'www-authenticate': null, 'cache-control': null },
};

/**
 * The answer the handler wrote to a request that carried credentials depended on them, so it carries
 * Cache-Control: no-store like Gatehouse's own refusals (docs/cross-site.md, "Response headers"): the
 * rows written before that rule said `null` for every allowed row, and this is where it is applied.
 */
function v(id: string, why: string, request: AuthVector['request'], expect: Expect): AuthVector {
  const credentialed = Object.entries(request.headers ?? {}).some(([name, value]) => ['authorization', 'x-api-key', 'cookie'].includes(name) && value !== '');
  if (expect.handlerCalled && credentialed && expect.headers['cache-control'] === null) {
    return { id, why, request, expect: { ...expect, headers: { ...expect.headers, 'cache-control': 'no-store' } } };
  }
  return { id, why, request, expect };
}
const get = (path: string, headers: Headers = {}) => ({ method: 'GET', path, headers });
const post = (path: string, headers: Headers = {}) => ({ method: 'POST', path, headers });

// ---------------------------------------------------------------------------------------------------
// The vectors
// ---------------------------------------------------------------------------------------------------

export const authVectors: readonly AuthVector[] = [
  // No credentials: the rule decides; a refusal is 401 with a challenge that carries no error (RFC 6750 §3.1).
  v('anonymous-default-rule', 'An unlisted route falls to defaultRule authenticated: 401 with a bare challenge.', get('/api/things'), anonymous),
  v('anonymous-scope-route-names-scope', 'Anonymous on a scope route: 401 whose challenge names the scope a token needs.', get('/api/posts/1'), refused(401, 'not-authenticated', anonymousNeedsScope('posts:read'))),
  v('anonymous-post-names-write-scope', 'The POST entry of the same path applies to POST, naming its own scope.', post('/api/posts/1'), refused(401, 'not-authenticated', anonymousNeedsScope('posts:write'))),
  v('anonymous-admin-route', 'Anonymous on an admin route: 401, not 403 (DRF NotAuthenticated).', get('/api/admin/users'), anonymous),
  v('anonymous-public-route', 'A route whose rule is any lets an anonymous caller through to the handler.', get('/api/public/info'), allowed(null)),
  v('anonymous-public-head', 'An entry listing GET also covers HEAD.', { method: 'HEAD', path: '/api/public/info' }, allowed(null)),
  v('anonymous-public-post-not-listed', 'The public entry lists GET only: a POST falls to the default rule.', post('/api/public/info'), anonymous),
  v('empty-authorization-is-anonymous', 'An empty Authorization header is no credentials, not a malformed one.', get('/api/things', { authorization: '' }), anonymous),
  v('empty-authorization-public-route', 'An empty Authorization header on a public route is an anonymous caller.', get('/api/public/info', { authorization: '' }), allowed(null)),
  v('options-without-preflight-headers', 'An OPTIONS that is not a preflight gets no exemption: the default rule refuses it.', { method: 'OPTIONS', path: '/api/things' }, anonymous),

  // Valid JWTs from two issuers: the handler sees the Principal.
  v('jwt-hs256-default-rule', 'A valid HS256 token passes authenticated; the handler sees its subject and scopes.', get('/api/things', bearer('reader')), allowed('user-reader', { kind: 'user', scopes: 'posts:read' })),
  v('jwt-hs256-scope-route', 'A token holding posts:read passes the posts:read route.', get('/api/posts/1', bearer('reader')), allowed('user-reader')),
  v('jwt-missing-scope-403', 'A valid token without posts:write is 403 insufficient_scope naming the scope (RFC 6750 §3.1).', post('/api/posts/1', bearer('reader')), insufficient('posts:write')),
  v('jwt-write-scope-passes', 'A token holding posts:write passes the POST entry.', post('/api/posts/1', bearer('writer')), allowed('user-writer', { scopes: 'posts:read posts:write' })),
  v('jwt-es256-issuer', 'A valid ES256 token of the second issuer, verified with its public key.', get('/api/posts/1', bearer('editor')), allowed('user-editor', { kind: 'user' })),
  v('jwt-admin-role-passes-admin-route', 'A token with the admin role passes an admin route.', get('/api/admin/users', bearer('admin')), allowed('user-admin')),
  v('jwt-without-role-denied-admin-route', 'A valid token without the admin role: 403 permission-denied, no challenge (scopes would not help).', get('/api/admin/users', bearer('reader')), denied),
  v('jwt-other-role-denied-admin-route', 'The editor role is not the admin role.', get('/api/admin/users', bearer('editor')), denied),
  v('jwt-client-credentials', 'A token without sub but with client_id is a client Principal named by its client_id (RFC 9068 §2.2).', get('/api/posts/1', bearer('client')), allowed('svc-reports', { kind: 'client' })),
  v('jwt-lower-case-scheme', 'The Bearer scheme name is case-insensitive (RFC 9110 §11.1).', get('/api/things', { authorization: 'bearer <jwt:reader>' }), allowed('user-reader')),
  v('jwt-on-public-route', 'A public route still hands the Principal of a valid token to the handler.', get('/api/public/info', bearer('reader')), allowed('user-reader')),
  v('jwt-head-on-get-route', 'HEAD is checked by the GET entry and passes with its scope.', { method: 'HEAD', path: '/api/posts/1', headers: bearer('reader') }, allowed('user-reader')),
  v('jwt-handler-status-kept', 'An allowed request gets whatever the handler answers, its 404 included.', get('/status/404', bearer('reader')), { status: 404, handlerCalled: true, principal: 'user-reader', headers: { 'www-authenticate': null } }),

  // Invalid JWTs: 401 invalid_token, whatever the precise reason (logged, never sent).
  v('jwt-expired', 'An expired token: 401 invalid_token; the body does not say expired.', get('/api/things', bearer('expired')), invalidToken),
  v('jwt-expired-on-public-route', 'Broken credentials are refused even where an anonymous caller would pass.', get('/api/public/info', bearer('expired')), invalidToken),
  v('jwt-garbage', 'Three dot-separated parts that are not a JWT.', get('/api/things', { authorization: 'Bearer abc.def.ghi' }), invalidToken),
  v('jwt-alg-none', 'An unsigned token (alg none) is refused, whatever roles it claims (RFC 8725 §3.1).', get('/api/admin/users', bearer('algNone')), invalidToken),
  v('jwt-wrong-issuer', 'A token whose iss is not a configured issuer.', get('/api/things', bearer('wrongIssuer')), invalidToken),
  v('jwt-wrong-audience', 'A token for another audience.', get('/api/things', bearer('wrongAudience')), invalidToken),
  v('jwt-other-secret', 'An HS256 token signed with another secret.', get('/api/things', bearer('otherSecret')), invalidToken),
  v('jwt-other-es-key', 'An ES256 token signed with a key that is not the issuer\'s.', get('/api/admin/users', bearer('otherEsKey')), invalidToken),
  v('jwt-algorithm-confusion', 'An HS256 token claiming the ES256 issuer is refused before any key is used (RFC 8725 §2.1).', get('/api/admin/users', bearer('confused')), invalidToken),
  v('jwt-not-yet-valid', 'A token whose nbf is an hour away.', get('/api/things', bearer('notYetValid')), invalidToken),
  v('jwt-without-exp', 'A token without exp is refused: exp is required.', get('/api/things', bearer('noExp')), invalidToken),
  v('jwt-tampered', 'A token whose claims were changed after signing (scope added).', post('/api/posts/1', bearer('tampered')), invalidToken),
  v('jwt-revoked', 'A valid token whose jti is on the revocation list.', get('/api/things', bearer('revoked')), invalidToken),
  v('opaque-bearer-without-introspection', 'An opaque Bearer token that no configured method accepts.', get('/api/things', { authorization: 'Bearer not-a-jwt' }), invalidToken),

  // Malformed requests: 400 invalid_request (RFC 6750 §3.1), or 401 for another scheme.
  v('bearer-token-with-space', 'A Bearer value that is not one b64token.', get('/api/things', { authorization: 'Bearer abc def' }), invalidRequest),
  v('bearer-token-bad-characters', 'A Bearer value with characters outside b64token (RFC 6750 §2.1).', get('/api/things', { authorization: 'Bearer tok@en!' }), invalidRequest),
  v('bearer-scheme-without-token', 'The Bearer scheme with no token is malformed (RFC 6750 §2.1: b64token is required).', get('/api/things', { authorization: 'Bearer' }), invalidRequest),
  v('basic-scheme-is-not-bearer', 'Another scheme is answered as missing Bearer credentials: 401 with a bare challenge.', get('/api/things', { authorization: 'Basic dXNlcjpwYXNz' }), anonymous),
  v('jwt-and-api-key-together', 'Authorization and X-API-Key at once: 400 invalid_request (RFC 6750 §2: one method only).', get('/api/things', { ...bearer('reader'), ...keyHeader('reader') }), invalidRequest),
  v('two-api-key-lines', 'Two X-API-Key lines are not one key.', get('/api/things', { 'x-api-key': ['<key:reader>', '<key:writer>'] }), invalidRequest),

  // API keys, in X-API-Key or as a Bearer token.
  v('api-key-header', 'A valid key in X-API-Key: the handler sees its owner and scopes.', get('/api/posts/1', keyHeader('reader')), allowed('svc-reader', { kind: 'api-key', scopes: 'posts:read' })),
  v('api-key-as-bearer', 'A valid key sent as Authorization: Bearer.', post('/api/posts/1', keyBearer('writer')), allowed('svc-writer', { kind: 'api-key', scopes: 'posts:read posts:write' })),
  v('api-key-header-write', 'A key holding posts:write passes the POST entry.', post('/api/posts/1', keyHeader('writer')), allowed('svc-writer')),
  v('api-key-missing-scope', 'A key without posts:write: 403 insufficient_scope, as for a token.', post('/api/posts/1', keyHeader('reader')), insufficient('posts:write')),
  v('api-key-typo', 'A key with one character changed fails its checksum: 401 invalid_token.', get('/api/things', keyHeader('typo')), invalidToken),
  v('api-key-typo-as-bearer', 'The same typo through Bearer.', get('/api/things', keyBearer('typo')), invalidToken),
  v('api-key-truncated', 'A key cut short.', get('/api/things', keyHeader('truncated')), invalidToken),
  v('api-key-never-issued', 'A well-formed key that the store never issued.', get('/api/things', keyHeader('unknown')), invalidToken),
  v('api-key-revoked', 'A revoked key: 401, and the body does not say revoked.', get('/api/things', keyHeader('revoked')), invalidToken),
  v('api-key-disabled', 'A disabled key.', get('/api/things', keyHeader('disabled')), invalidToken),
  v('api-key-other-network', 'A key bound to 10.0.0.0/8 used from loopback.', get('/api/things', keyHeader('otherNetwork')), invalidToken),
  v('api-key-own-network', 'A key bound to loopback used from loopback: the adapter reports the client address.', get('/api/things', keyHeader('loopback')), allowed('svc-local')),
  v('api-key-network-behind-trusted-proxy', 'A key bound to 10.0.0.0/8 used by 10.1.2.3 behind the trusted proxy: the forwarded client address counts.', get('/api/things', { ...keyHeader('otherNetwork'), 'x-forwarded-for': '10.1.2.3' }), allowed('svc-office')),
  v('api-key-network-spoofed-forwarded-for', 'The same X-Forwarded-For from 127.0.0.2, which is no trusted proxy, is ignored: the socket address counts.', { ...get('/api/things', { ...keyHeader('otherNetwork'), 'x-forwarded-for': '10.1.2.3' }), from: '127.0.0.2' }, invalidToken),
  v('api-key-loopback-key-via-proxy', 'A loopback-bound key used by a remote client through the proxy: the proxy\'s own address is not the client\'s.', get('/api/things', { ...keyHeader('loopback'), 'x-forwarded-for': '203.0.113.9' }), invalidToken),
  v('api-key-admin-route', 'A key has no roles: 403 on an admin route.', get('/api/admin/users', keyHeader('writer')), denied),

  // Rules declared in code: requirePermission, or Fastify's config.permission.
  v('code-rule-anonymous', 'The table lets anyone on; the route\'s own rule refuses an anonymous caller with 401.', get('/api/code/write'), refused(401, 'not-authenticated', anonymousNeedsScope('posts:write'))),
  v('code-rule-missing-scope', 'The route\'s own rule, posts:write, refuses a reader with 403 insufficient_scope.', get('/api/code/write', bearer('reader')), insufficient('posts:write')),
  v('code-rule-scope-passes', 'A token holding posts:write passes the route\'s rule.', get('/api/code/write', bearer('writer')), allowed('user-writer')),
  v('code-rule-api-key-passes', 'An API key holding posts:write passes the route\'s rule.', post('/api/code/write', keyHeader('writer')), allowed('svc-writer')),
  v('code-rule-head', 'A rule declared in code applies to HEAD as to GET.', { method: 'HEAD', path: '/api/code/write', headers: bearer('reader') }, insufficient('posts:write')),
  v('code-rule-role', 'The string form role:editor OR admin lets an editor through.', get('/api/code/editor', bearer('editor')), allowed('user-editor')),
  v('code-rule-role-admin', 'The same rule lets an admin through.', get('/api/code/editor', bearer('admin')), allowed('user-admin')),
  v('code-rule-role-refused', 'A caller with neither role: 403 permission-denied.', get('/api/code/editor', bearer('reader')), denied),
  v('code-rule-object-own', 'An object rule (Rule object): its request part passes, and the handler finds the caller owns the object.', get('/api/code/owned/user-writer', bearer('writer')), allowed('user-writer')),
  v('code-rule-object-other', 'The handler\'s object check refuses someone else\'s object with the ordinary 404.', get('/api/code/owned/someone-else', bearer('writer')), {
    status: 404,
    handlerCalled: true,
    principal: 'user-writer',
    problem: 'not-found',
    // The application's own answer (its framework may add a charset to the type it set).
    headers: { 'www-authenticate': null },
  }),
  v('code-rule-object-admin', 'owner OR admin: an admin with the scope passes on anyone\'s object.', get('/api/code/owned/someone-else', bearer('admin')), allowed('user-admin')),
  v('code-rule-object-request-part', 'The request part (posts:write) refuses before the handler loads any object.', get('/api/code/owned/user-reader', bearer('reader')), insufficient('posts:write')),
  v('code-rule-object-anonymous', 'An anonymous caller is refused by the request part with 401; no scope is named, as a scope alone would not do.', get('/api/code/owned/someone-else'), anonymous),

  // CORS first: preflights never need credentials; refusals keep the CORS headers so the page sees them.
  v('preflight-protected-route', 'A preflight to a protected route is answered by the CORS engine without credentials.', preflight('/api/posts/1', 'POST', 'authorization'), { ...PREFLIGHT_OK, headers: { ...PREFLIGHT_OK.headers, 'access-control-allow-methods': 'DELETE, GET, OPTIONS, PATCH, POST, PUT' } }),
  v('preflight-api-key-header', 'A preflight for X-API-Key lists the allowed headers.', preflight('/api/things', 'GET', 'x-api-key'), { ...PREFLIGHT_OK, headers: { ...PREFLIGHT_OK.headers, 'access-control-allow-headers': 'authorization, content-type, x-api-key' } }),
  v('preflight-admin-route', 'A preflight to an admin route needs no admin.', preflight('/api/admin/users', 'DELETE', 'authorization'), PREFLIGHT_OK),
  v('preflight-code-rule-route', 'A preflight never reaches a rule declared in code.', preflight('/api/code/write', 'POST', 'authorization'), PREFLIGHT_OK),
  v('preflight-refused-origin', 'A preflight from another origin is answered 200 without CORS headers, still without credentials.', preflight('/api/posts/1', 'POST', 'authorization', EVIL), {
    status: 200,
    handlerCalled: false,
    principal: null,
    headers: { ...CORS_NONE, 'www-authenticate': null },
  }),
  v('cross-origin-anonymous-401', 'A cross-origin request without credentials: 401 still carrying the CORS headers, so the page can read it.', get('/api/things', from(ORIGIN)), refused(401, 'not-authenticated', REALM, CORS_ALLOWED)),
  v('cross-origin-expired-401', 'A cross-origin request with an expired token: 401 with the CORS headers.', get('/api/things', from(ORIGIN, bearer('expired'))), refused(401, 'invalid-token', INVALID_TOKEN, CORS_ALLOWED)),
  v('cross-origin-malformed-400', 'A cross-origin malformed header: 400 with the CORS headers.', get('/api/things', from(ORIGIN, { authorization: 'Bearer abc def' })), refused(400, 'invalid-request', INVALID_REQUEST, CORS_ALLOWED)),
  v('cross-origin-missing-scope-403', 'A cross-origin 403 insufficient_scope keeps the CORS headers.', post('/api/posts/1', from(ORIGIN, bearer('reader'))), refused(403, 'insufficient-scope', needsScope('posts:write'), CORS_ALLOWED)),
  v('cross-origin-code-rule-403', 'A cross-origin refusal by a rule declared in code keeps the CORS headers.', get('/api/code/write', from(ORIGIN, bearer('reader'))), refused(403, 'insufficient-scope', needsScope('posts:write'), CORS_ALLOWED)),
  v('cross-origin-valid-token', 'A cross-origin request with a valid token reaches the handler with the CORS headers.', get('/api/things', from(ORIGIN, bearer('reader'))), allowed('user-reader', {}, CORS_ALLOWED)),
  v('cross-origin-refused-origin-401', 'Another origin without credentials: the 401, without CORS headers.', get('/api/things', from(EVIL)), refused(401, 'not-authenticated', REALM, CORS_NONE)),

  // Paths: the rule is matched on the decoded path, without the query.
  v('encoded-admin-path', 'A percent-encoded admin path is still the admin path.', get('/api/%61dmin/users', bearer('reader')), denied),
  v('query-does-not-change-route', 'The query string plays no part in matching the route.', get('/api/admin/users?role=admin', bearer('reader')), denied),
];
