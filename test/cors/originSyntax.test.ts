import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicaliseConfiguredOrigin, describeInvalidOrigin, parseRequestOrigin } from '../../src/cors/originSyntax.ts';

test('request origins: only serialized origins parse', () => {
  const cases: [string, ReturnType<typeof parseRequestOrigin>][] = [
    ['https://app.example.com', { scheme: 'https', host: 'app.example.com', port: '' }],
    ['http://localhost:5173', { scheme: 'http', host: 'localhost', port: '5173' }],
    ['http://[::1]:8080', { scheme: 'http', host: '[::1]', port: '8080' }],
    ['http://127.0.0.1', { scheme: 'http', host: '127.0.0.1', port: '' }],
    ['chrome-extension://abcdefghijklmnop', { scheme: 'chrome-extension', host: 'abcdefghijklmnop', port: '' }],
    ['https://app.example.com.', { scheme: 'https', host: 'app.example.com.', port: '' }],
    ['https://app.example.com/', undefined], // a path
    ['https://app.example.com:443', undefined], // the default port, never sent by a browser
    ['http://app.example.com:80', undefined],
    ['https://app.example.com:0443', undefined], // zero-padded
    ['https://app.example.com:70000', undefined],
    ['HTTPS://app.example.com', undefined], // upper case
    ['https://APP.example.com', undefined],
    ['https://a.example.com, https://b.example.com', undefined], // two header lines joined
    ['https://user@app.example.com', undefined],
    ['https://app..example.com', undefined], // empty label
    ['https://.example.com', undefined],
    ['app.example.com', undefined],
    ['null', undefined],
    ['', undefined],
    [`https://${'a'.repeat(2000)}.com`, undefined],
  ];
  for (const [origin, expected] of cases) assert.deepEqual(parseRequestOrigin(origin), expected, origin);
});

test('configured origins are canonicalised as browsers serialise them', () => {
  const cases: [string, string][] = [
    ['https://App.Example.COM', 'https://app.example.com'],
    ['HTTPS://app.example.com:443', 'https://app.example.com'],
    ['http://localhost:80', 'http://localhost'],
    ['http://localhost:5173', 'http://localhost:5173'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
    ['  https://app.example.com  ', 'https://app.example.com'],
  ];
  for (const [input, canonical] of cases) {
    const result = canonicaliseConfiguredOrigin(input);
    assert.ok(result.ok, `${input} should be valid`);
    assert.equal(result.origin, canonical);
  }
});

test('configured origins that django-cors-headers refuses are refused, with a fix', () => {
  const cases: [string, RegExp, RegExp][] = [
    ['app.example.com', /missing a scheme/, /"https:\/\/app\.example\.com"/],
    ['//app.example.com', /missing a scheme/, /https:\/\/app\.example\.com/],
    ['https://app.example.com/', /trailing slash/, /"https:\/\/app\.example\.com"/],
    ['https://app.example.com/api', /path/, /"https:\/\/app\.example\.com"/],
    ['https://app.example.com?x=1', /query/, /"https:\/\/app\.example\.com"/],
    ['https://app.example.com#top', /fragment/, /"https:\/\/app\.example\.com"/],
    ['https://*.example.com', /wildcard/, /allowedOriginPatterns/],
    ['https://user:pw@app.example.com', /user information/, /https:\/\/app\.example\.com/],
    ['', /empty/, /remove/],
  ];
  for (const [input, message, hint] of cases) {
    const result = canonicaliseConfiguredOrigin(input);
    assert.equal(result.ok, false, input);
    if (!result.ok) {
      assert.match(result.message, message, input);
      assert.match(result.hint, hint, input);
    }
  }
});

test('invalid request origins are described for the log', () => {
  assert.match(describeInvalidOrigin('https://a.example, https://b.example'), /more than one origin/);
  assert.match(describeInvalidOrigin('https://a.example/path'), /path/);
  assert.match(describeInvalidOrigin('HTTPS://a.example'), /lower-case/);
  assert.match(describeInvalidOrigin('https://a.example:443'), /default port/);
  assert.match(describeInvalidOrigin('x'.repeat(5000)), /longer than/);
});
