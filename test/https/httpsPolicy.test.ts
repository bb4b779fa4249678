// HTTPS: the Strict-Transport-Security value, the redirect decision, the start-up checks, Django's
// SECURE_* names, and the plain-HTTP listener that redirects over real HTTP.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { redirectToHttps } from '../../src/adapters/node-http.ts';
import { httpsSettingsFromDjango, httpsSettingsFromEnv, mergeSettings, resolveHttpsSettings, type HttpsSettings } from '../../src/config/httpsSchema.ts';
import { createGatehouse } from '../../src/gatehouse.ts';
import { HttpsPolicy, originForm } from '../../src/https/httpsPolicy.ts';
import { createLogger } from '../../src/logger.ts';
import { send } from '../helpers/httpClient.ts';
import { closeServer, listen } from '../helpers/servers.ts';

const quiet = createLogger(false);
const policy = (settings: HttpsSettings) => new HttpsPolicy(resolveHttpsSettings(settings).value, quiet);

test('the Strict-Transport-Security value, with Django\'s defaults (off until maxAge is set)', () => {
  const rows: [HttpsSettings, string | undefined][] = [
    [{}, undefined],
    [{ hsts: { maxAge: 0, includeSubDomains: true } }, undefined],
    [{ hsts: { maxAge: 3600 } }, 'max-age=3600'],
    [{ hsts: { maxAge: 31536000, includeSubDomains: true } }, 'max-age=31536000; includeSubDomains'],
    [{ hsts: { maxAge: 63072000, includeSubDomains: true, preload: true } }, 'max-age=63072000; includeSubDomains; preload'],
    [{ hsts: { maxAge: 600, preload: true } }, 'max-age=600; preload'],
  ];
  for (const [settings, expected] of rows) assert.equal(policy(settings).hsts, expected, JSON.stringify(settings));
});

test('originForm: the path and query of any request-target form (RFC 9112 §3.2)', () => {
  const rows: [string, string][] = [
    ['/api/posts?page=2', '/api/posts?page=2'],
    ['http://api.example.com/api/posts?x=1', '/api/posts?x=1'],
    ['http://api.example.com', '/'],
    ['http://api.example.com?x=1', '/?x=1'],
    ['*', '/'],
    ['//evil.example/x', '//evil.example/x'],
  ];
  for (const [target, expected] of rows) assert.equal(originForm(target), expected, target);
});

test('redirect: where an HTTP request goes, and what stays', () => {
  const base = { method: 'GET', path: '/api/x', target: '/api/x?q=1', secure: false, host: 'api.example.com' };
  const rows: [string, HttpsSettings, Partial<typeof base>, { status: number; location?: string; code: string } | undefined][] = [
    ['GET: 301 to the same target', {}, {}, { status: 301, location: 'https://api.example.com/api/x?q=1', code: 'https-redirect' }],
    ['HEAD: 301', {}, { method: 'HEAD' }, { status: 301, location: 'https://api.example.com/api/x?q=1', code: 'https-redirect' }],
    ['PUT: 308 keeps the method', {}, { method: 'PUT' }, { status: 308, location: 'https://api.example.com/api/x?q=1', code: 'https-redirect' }],
    ['secure: not redirected', {}, { secure: true }, undefined],
    ['the HTTP port is dropped, the host lower-cased', {}, { host: 'API.example.com:8080' }, { status: 301, location: 'https://api.example.com/api/x?q=1', code: 'https-redirect' }],
    ['IPv6 host', {}, { host: '[::1]:8080' }, { status: 301, location: 'https://[::1]/api/x?q=1', code: 'https-redirect' }],
    ['redirectHost wins', { redirectHost: 'secure.example.com:8443' }, { host: 'anything' }, { status: 301, location: 'https://secure.example.com:8443/api/x?q=1', code: 'https-redirect' }],
    ['no Host: 400', {}, { host: undefined as unknown as string }, { status: 400, code: 'https-redirect-host-invalid' }],
    ['a Host with a path: 400', {}, { host: 'evil.example/x' }, { status: 400, code: 'https-redirect-host-invalid' }],
    ['a Host with user information: 400', {}, { host: 'user@evil.example' }, { status: 400, code: 'https-redirect-host-invalid' }],
    ['exempt exact path', { redirectExempt: ['/api/x'] }, {}, undefined],
    ['exempt prefix', { redirectExempt: ['/api/*'] }, {}, undefined],
    ['not under the exempt prefix', { redirectExempt: ['/health/*'] }, {}, { status: 301, location: 'https://api.example.com/api/x?q=1', code: 'https-redirect' }],
    ['SECURE_REDIRECT_EXEMPT: re.search on the path without "/"', { redirectExemptRegexes: ['^api/'] }, {}, undefined],
    ['SECURE_REDIRECT_EXEMPT: searched anywhere', { redirectExemptRegexes: ['x$'] }, {}, undefined],
    ['SECURE_REDIRECT_EXEMPT: anchored at the stripped start', { redirectExemptRegexes: ['^/api/'] }, {}, { status: 301, location: 'https://api.example.com/api/x?q=1', code: 'https-redirect' }],
    ['SECURE_REDIRECT_EXEMPT: (?i)', { redirectExemptRegexes: ['(?i)^API/'] }, {}, undefined],
  ];
  for (const [why, settings, facts, expected] of rows) {
    const answer = policy(settings).redirect({ ...base, ...facts });
    if (expected === undefined) {
      assert.equal(answer, undefined, why);
      continue;
    }
    assert.equal(answer?.status, expected.status, why);
    assert.equal(answer?.code, expected.code, why);
    assert.equal(answer?.headers.find(([name]) => name === 'Location')?.[1], expected.location, why);
  }
});

test('resolveHttpsSettings: start-up errors and warnings name the Gatehouse and Django settings', () => {
  const errors: [HttpsSettings, RegExp][] = [
    [{ hsts: { maxAge: -1 } }, /https\.hsts\.maxAge \(SECURE_HSTS_SECONDS\)/],
    [{ hsts: { maxAge: 1.5 } }, /https\.hsts\.maxAge/],
    [{ redirectHost: 'https://secure.example.com' }, /https\.redirectHost \(SECURE_SSL_HOST\) = "https:\/\/secure\.example\.com": is not a host\[:port\]/],
    [{ redirectExempt: ['healthz'] }, /https\.redirectExempt\[0\] = "healthz": must start with "\/"/],
    [{ redirectExempt: ['/a/*/b'] }, /may only end with "\*"/],
    [{ redirectExemptRegexes: ['('] }, /https\.redirectExemptRegexes\[0\] \(SECURE_REDIRECT_EXEMPT\) = "\(": is not a valid regular expression/],
    [{ hsts: { maxage: 10 } } as unknown as HttpsSettings, /https\.hsts\.maxage: is not a Gatehouse setting\n\s+fix: did you mean "maxAge"\?/],
  ];
  for (const [settings, message] of errors) assert.throws(() => resolveHttpsSettings(settings), (error: Error) => message.test(error.message), JSON.stringify(settings));

  const warnings: [HttpsSettings, RegExp][] = [
    [{ hsts: { includeSubDomains: true } }, /has no effect while hsts\.maxAge \(SECURE_HSTS_SECONDS\) is 0/],
    [{ hsts: { maxAge: 600, preload: true, includeSubDomains: true } }, /requires maxAge of at least 31536000 and includeSubDomains/],
    [{ hsts: { maxAge: 31536000, preload: true } }, /hstspreload\.org/],
  ];
  for (const [settings, message] of warnings) {
    const { warnings: got } = resolveHttpsSettings(settings);
    assert.ok(got.some((w) => message.test(w.message)), `${JSON.stringify(settings)}: ${JSON.stringify(got)}`);
  }
  assert.deepEqual(resolveHttpsSettings({ hsts: { maxAge: 31536000, includeSubDomains: true, preload: true } }).warnings, []);
});

test("Django's names: environment and settings dict", () => {
  const env = {
    SECURE_HSTS_SECONDS: '31536000',
    SECURE_HSTS_INCLUDE_SUBDOMAINS: 'True',
    SECURE_HSTS_PRELOAD: 'false',
    SECURE_SSL_REDIRECT: '1',
    SECURE_SSL_HOST: 'secure.example.com',
    SECURE_REDIRECT_EXEMPT: '^healthz$\n^\\.well-known/',
    SECURE_PROXY_SSL_HEADER: 'HTTP_X_FORWARDED_PROTO,https',
    USE_X_FORWARDED_HOST: 'yes',
    CORS_ALLOWED_ORIGINS: 'ignored here',
  };
  assert.deepEqual(httpsSettingsFromEnv(env), {
    https: {
      hsts: { maxAge: 31536000, includeSubDomains: true, preload: false },
      redirect: true,
      redirectHost: 'secure.example.com',
      redirectExemptRegexes: ['^healthz$', '^\\.well-known/'],
    },
    proxy: { sslHeader: { name: 'HTTP_X_FORWARDED_PROTO', value: 'https' }, useForwardedHost: true },
  });
  assert.deepEqual(httpsSettingsFromEnv({ SECURE_PROXY_SSL_HEADER: '["HTTP_X_FORWARDED_PROTO", "https"]' }), { proxy: { sslHeader: { name: 'HTTP_X_FORWARDED_PROTO', value: 'https' } } });
  assert.throws(() => httpsSettingsFromEnv({ SECURE_HSTS_SECONDS: 'one year', SECURE_PROXY_SSL_HEADER: 'HTTP_X_FORWARDED_PROTO' }), (error: Error) =>
    /SECURE_HSTS_SECONDS \(environment\) \(SECURE_HSTS_SECONDS\) = "one year": is not a whole number/.test(error.message) && /SECURE_PROXY_SSL_HEADER.*must be two values/.test(error.message),
  );
  assert.deepEqual(httpsSettingsFromDjango({ SECURE_HSTS_SECONDS: 600, SECURE_PROXY_SSL_HEADER: ['HTTP_X_FORWARDED_PROTO', 'https'], SECURE_SSL_HOST: null, DEBUG: true }), {
    https: { hsts: { maxAge: 600 } },
    proxy: { sslHeader: { name: 'HTTP_X_FORWARDED_PROTO', value: 'https' } },
  });
  // The environment overrides a file key by key.
  assert.deepEqual(mergeSettings<HttpsSettings>({ hsts: { maxAge: 600, includeSubDomains: true }, redirect: false }, { hsts: { maxAge: 31536000 }, redirect: true }), {
    hsts: { maxAge: 31536000, includeSubDomains: true },
    redirect: true,
  });
});

describe('redirectToHttps: a plain-HTTP listener', () => {
  let server: Server;
  let url: string;
  before(async () => {
    const gatehouse = createGatehouse({ https: { redirectExempt: ['/.well-known/acme-challenge/*'] }, logger: false });
    server = createServer(
      redirectToHttps(gatehouse, (req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`challenge for ${req.url}`);
      }),
    );
    url = `http://127.0.0.1:${await listen(server)}`;
  });
  after(() => closeServer(server));

  const rows: [string, string, string, Record<string, string>, number, string | null][] = [
    ['GET', '/api/posts?page=2', 'a GET', { host: 'api.example.com' }, 301, 'https://api.example.com/api/posts?page=2'],
    ['POST', '/api/posts', 'a POST keeps its method with 308', { host: 'api.example.com:80' }, 308, 'https://api.example.com/api/posts'],
    ['GET', '/.well-known/acme-challenge/abc', 'an exempt path goes to the fallback', { host: 'api.example.com' }, 200, null],
    ['GET', '/x', 'a bad Host is not echoed', { host: 'a b' }, 400, null],
  ];
  for (const [method, path, why, headers, status, location] of rows) {
    test(why, async () => {
      const response = await send(url, method, path, headers);
      assert.equal(response.status, status);
      assert.equal(response.headers.location ?? null, location);
      assert.equal(response.headers['strict-transport-security'], undefined, 'never HSTS over HTTP');
      if (status === 200) assert.equal(response.body, `challenge for ${path}`);
    });
  }

  test('without a fallback an exempt path is a 404 problem', async () => {
    const bare = createServer(redirectToHttps({ https: { redirectExempt: ['/free'] }, logger: false }));
    const bareUrl = `http://127.0.0.1:${await listen(bare)}`;
    try {
      const response = await send(bareUrl, 'GET', '/free', { host: 'api.example.com' });
      assert.equal(response.status, 404);
      assert.equal(response.headers['content-type'], 'application/problem+json');
      assert.equal(JSON.parse(response.body).code, 'not-found');
    } finally {
      await closeServer(bare);
    }
  });
});
