// The CSRF engine as a table (request facts in, refused or not out), Django's CSRF_TRUSTED_ORIGINS
// meaning, and the start-up checks of `crossSite`.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crossSiteSettingsFromDjango, crossSiteSettingsFromEnv, resolveCrossSiteSettings, type CrossSiteSettings } from '../../src/config/crossSiteSchema.ts';
import { CsrfPolicy, type CsrfFacts } from '../../src/csrf/csrfPolicy.ts';
import { credentialKind } from '../../src/csrf/requestCredentials.ts';
import { TrustedOrigins } from '../../src/csrf/trustedOrigins.ts';
import { captureLogger } from '../helpers/captureLogger.ts';

const TRUSTED = ['https://*.partner.example', 'https://sso.example.net', 'https://*.ports.example:8443', 'http://localhost:5173'];

function trustedOrigins(list: string[]): TrustedOrigins {
  return new TrustedOrigins(resolveCrossSiteSettings({ csrf: { trustedOrigins: list } }).value.csrf.trusted);
}

test("CSRF_TRUSTED_ORIGINS keeps Django's meaning for Origin", () => {
  const trusted = trustedOrigins(TRUSTED);
  const rows: [string, boolean][] = [
    ['https://sso.example.net', true],
    ['https://SSO.example.net', false], // browsers send lower case; compared byte for byte
    ['http://sso.example.net', false],
    ['https://sso.example.net:443', false],
    ['https://partner.example', true], // `.partner.example` matches the domain itself (is_same_domain)
    ['https://a.partner.example', true],
    ['https://a.b.partner.example', true],
    ['https://a.partner.example:8443', false], // the netloc includes the port
    ['http://a.partner.example', false],
    ['https://evilpartner.example', false],
    ['https://partner.example.evil.net', false],
    ['https://a.ports.example:8443', true],
    ['https://a.ports.example', false],
    ['http://localhost:5173', true],
    ['null', false],
    ['not an origin', false],
  ];
  for (const [origin, expected] of rows) assert.equal(trusted.allowsOrigin(origin), expected, origin);
});

test("CSRF_TRUSTED_ORIGINS for the Referer: Django's host match, whatever the scheme", () => {
  const trusted = trustedOrigins(TRUSTED);
  const rows: [string, boolean][] = [
    ['sso.example.net', true],
    ['shop.partner.example', true],
    ['partner.example', true],
    ['shop.partner.example:8443', false],
    ['x.ports.example:8443', true],
    ['localhost:5173', true],
    ['localhost', false],
    ['evil.example', false],
  ];
  for (const [host, expected] of rows) assert.equal(trusted.allowsRefererHost(host), expected, host);
});

const base: CsrfFacts = { method: 'POST', path: '/api/x', origin: undefined, secure: true, host: 'api.example.com', header: () => undefined };
type Row = [why: string, facts: Partial<Omit<CsrfFacts, 'header'>> & { headers?: Record<string, string> }, corsCredentialed: boolean, refusedFor: string | undefined];

const rows: readonly Row[] = [
  ['safe method', { method: 'GET', origin: 'https://evil.example', headers: { cookie: 'a=1' } }, false, undefined],
  ['TRACE is safe (RFC 9110 §9.2.1)', { method: 'TRACE', origin: 'https://evil.example', headers: { cookie: 'a=1' } }, false, undefined],
  ['no credentials', { origin: 'https://evil.example' }, false, undefined],
  ['an empty Cookie is none', { origin: 'https://evil.example', headers: { cookie: '' } }, false, undefined],
  ['Bearer token', { origin: 'https://evil.example', headers: { cookie: 'a=1', authorization: 'Bearer x' } }, false, undefined],
  ['API key', { origin: 'https://evil.example', headers: { cookie: 'a=1', 'x-api-key': 'k' } }, false, undefined],
  ['a custom scheme needed a preflight', { origin: 'https://evil.example', headers: { authorization: 'Token x' } }, false, undefined],
  ['Digest is browser-managed', { origin: 'https://evil.example', headers: { authorization: 'Digest username="a"' } }, false, 'origin-not-trusted'],
  ['cookie, other origin', { origin: 'https://evil.example', headers: { cookie: 'a=1' } }, false, 'origin-not-trusted'],
  ['cookie, own origin', { origin: 'https://api.example.com', headers: { cookie: 'a=1' } }, false, undefined],
  ['cookie, own origin with the default port in Host', { origin: 'https://api.example.com', host: 'api.example.com:443', headers: { cookie: 'a=1' } }, false, undefined],
  ['cookie, own host over http', { origin: 'http://api.example.com', headers: { cookie: 'a=1' } }, false, 'origin-not-trusted'],
  ['cookie, trusted origin', { origin: 'https://a.partner.example', headers: { cookie: 'a=1' } }, false, undefined],
  ['cookie, CORS-credentialed origin', { origin: 'https://app.example.com', headers: { cookie: 'a=1' } }, true, undefined],
  ['Sec-Fetch-Site same-origin wins over a mismatching Origin', { origin: 'https://internal:8000', headers: { cookie: 'a=1', 'sec-fetch-site': 'same-origin' } }, false, undefined],
  ['Sec-Fetch-Site none', { headers: { cookie: 'a=1', 'sec-fetch-site': 'none' } }, false, undefined],
  ['Sec-Fetch-Site same-site', { origin: 'https://evil.example.com', headers: { cookie: 'a=1', 'sec-fetch-site': 'same-site' } }, false, 'cross-site-fetch'],
  ['Sec-Fetch-Site cross-site with the own Origin', { origin: 'https://api.example.com', headers: { cookie: 'a=1', 'sec-fetch-site': 'cross-site' } }, false, 'cross-site-fetch'],
  ['HTTPS, no Origin, own Referer', { headers: { cookie: 'a=1', referer: 'https://api.example.com/page?x=1' } }, false, undefined],
  ['HTTPS, no Origin, trusted Referer', { headers: { cookie: 'a=1', referer: 'https://sso.example.net/login' } }, false, undefined],
  ['HTTPS, no Origin, no Referer', { headers: { cookie: 'a=1' } }, false, 'referer-missing'],
  ['HTTPS, no Origin, Referer not a URL', { headers: { cookie: 'a=1', referer: 'not a url' } }, false, 'referer-malformed'],
  ['HTTPS, no Origin, http Referer', { headers: { cookie: 'a=1', referer: 'http://api.example.com/' } }, false, 'referer-insecure'],
  ['HTTPS, no Origin, other Referer', { headers: { cookie: 'a=1', referer: 'https://api.example.com.evil.net/' } }, false, 'referer-not-trusted'],
  ['HTTP, no Origin', { secure: false, headers: { cookie: 'a=1' } }, false, 'origin-missing'],
  ['exempt path', { path: '/webhooks/stripe', origin: 'https://evil.example', headers: { cookie: 'a=1' } }, false, undefined],
];

test('CsrfPolicy.check: the rules in order, and the log line says which refused what', () => {
  const settings = resolveCrossSiteSettings({ csrf: { trustedOrigins: TRUSTED, exemptPaths: ['/webhooks/*'] } }).value.csrf;
  for (const [why, partial, corsCredentialed, reason] of rows) {
    const logger = captureLogger();
    const csrf = new CsrfPolicy(settings, 'x-api-key', logger);
    const headers = partial.headers ?? {};
    const facts: CsrfFacts = { ...base, ...partial, header: (name) => headers[name] };
    const answer = csrf.check(facts, corsCredentialed);
    if (reason === undefined) {
      assert.equal(answer, undefined, why);
      continue;
    }
    assert.equal(answer?.status, 403, why);
    assert.equal(answer?.code, 'csrf-refused', why);
    assert.equal(JSON.parse(answer!.body).code, 'csrf-refused', why);
    const line = logger.entries.find((l) => (l.fields as { csrf?: { reason: string } }).csrf !== undefined);
    assert.equal((line?.fields as { csrf: { reason: string } }).csrf.reason, reason, why);
    assert.match(line!.message, new RegExp(`CSRF refused ${facts.method} ${facts.path}.*${reason}`), why);
  }
});

test('credentialKind: ambient, explicit or none', () => {
  const rows: [Record<string, string>, string][] = [
    [{}, 'none'],
    [{ cookie: 'a=1' }, 'ambient'],
    [{ authorization: 'Basic eA==' }, 'ambient'],
    [{ authorization: 'NTLM abc' }, 'ambient'],
    [{ authorization: 'bearer x' }, 'explicit'],
    [{ authorization: 'Bearer x', cookie: 'a=1' }, 'explicit'],
    [{ 'x-key': 'k', cookie: 'a=1' }, 'explicit'],
    [{ 'x-api-key': 'k', cookie: 'a=1' }, 'ambient'], // another header name is configured here
  ];
  for (const [headers, expected] of rows) assert.equal(credentialKind((name) => headers[name], 'x-key'), expected, JSON.stringify(headers));
});

test('resolveCrossSiteSettings: defaults, errors and warnings', () => {
  const defaults = resolveCrossSiteSettings({}).value;
  assert.equal(defaults.fetchMetadata.enabled, true);
  assert.equal(defaults.csrf.enabled, true);
  assert.equal(defaults.csrf.trustCorsOrigins, true);
  assert.deepEqual(defaults.headers, { nosniff: true, crossOriginResourcePolicy: 'same-site', noStore: true });
  assert.equal(resolveCrossSiteSettings({ headers: { crossOriginResourcePolicy: false } }).value.headers.crossOriginResourcePolicy, undefined);

  const errors: [CrossSiteSettings, RegExp][] = [
    [{ csrf: { trustedOrigins: ['example.com'] } }, /crossSite\.csrf\.trustedOrigins\[0\] \(CSRF_TRUSTED_ORIGINS\) = "example\.com": must start with a scheme, as Django 4\.0 and later require\n\s+fix: write "https:\/\/example\.com"/],
    [{ csrf: { trustedOrigins: ['.example.com'] } }, /fix: write "https:\/\/\*\.example\.com"/],
    [{ csrf: { trustedOrigins: ['https://example.com/'] } }, /should not have a trailing slash/],
    [{ csrf: { trustedOrigins: ['https://*.com'] } }, /spans the public suffix "com"/],
    [{ csrf: { trustedOrigins: ['https://*.github.io'] } }, /spans the public suffix "github\.io"/],
    [{ csrf: { trustedOrigins: ['https://a.*.example.com'] } }, /may only have a wildcard as its leftmost label/],
    [{ csrf: { trustedOrigins: ['https://*example.com'] } }, /may only have a wildcard as its leftmost label/],
    [{ csrf: { exemptPaths: ['webhooks'] } }, /crossSite\.csrf\.exemptPaths\[0\] = "webhooks": must start with "\/"/],
    [{ fetchMetadata: { exemptPaths: ['/a?b'] } }, /without a query/],
    [{ headers: { crossOriginResourcePolicy: 'same-sites' as 'same-site' } }, /crossSite\.headers\.crossOriginResourcePolicy/],
    [{ csrf: { trustedOrigin: [] } } as unknown as CrossSiteSettings, /crossSite\.csrf\.trustedOrigin: is not a Gatehouse setting\n\s+fix: did you mean "trustedOrigins"\?/],
  ];
  for (const [settings, message] of errors) assert.throws(() => resolveCrossSiteSettings(settings), (error: Error) => message.test(error.message), JSON.stringify(settings));
  // Every problem at once.
  assert.throws(() => resolveCrossSiteSettings({ csrf: { trustedOrigins: ['a.com', 'https://*.com'], exemptPaths: ['x'] } }), /has 3 problem/);

  const canonicalised = resolveCrossSiteSettings({ csrf: { trustedOrigins: ['HTTPS://App.Example.com:443'] } });
  assert.match(canonicalised.warnings[0]!.message, /canonicalised to "https:\/\/app\.example\.com"/);
  const production = resolveCrossSiteSettings({ csrf: { enabled: false }, fetchMetadata: { enabled: false } }, { nodeEnv: 'production' });
  assert.deepEqual(production.warnings.map((w) => w.setting), ['crossSite.fetchMetadata.enabled', 'crossSite.csrf.enabled']);
});

test("Django's names: CSRF_TRUSTED_ORIGINS and SECURE_CONTENT_TYPE_NOSNIFF", () => {
  assert.deepEqual(crossSiteSettingsFromEnv({ CSRF_TRUSTED_ORIGINS: 'https://a.example.com, https://*.b.example.com', SECURE_CONTENT_TYPE_NOSNIFF: 'False', CSRF_COOKIE_NAME: 'ignored' }), {
    crossSite: { csrf: { trustedOrigins: ['https://a.example.com', 'https://*.b.example.com'] }, headers: { nosniff: false } },
  });
  assert.deepEqual(crossSiteSettingsFromEnv({ CSRF_TRUSTED_ORIGINS: '["https://a.example.com"]' }), { crossSite: { csrf: { trustedOrigins: ['https://a.example.com'] } } });
  assert.deepEqual(crossSiteSettingsFromEnv({}), {});
  assert.throws(() => crossSiteSettingsFromEnv({ SECURE_CONTENT_TYPE_NOSNIFF: 'maybe' }), /SECURE_CONTENT_TYPE_NOSNIFF.*is not a boolean/);
  assert.deepEqual(crossSiteSettingsFromDjango({ CSRF_TRUSTED_ORIGINS: ['https://a.example.com'], SECURE_CONTENT_TYPE_NOSNIFF: true }), {
    crossSite: { csrf: { trustedOrigins: ['https://a.example.com'] }, headers: { nosniff: true } },
  });
});
