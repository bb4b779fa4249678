import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OriginPatternIndex, parseOriginPattern } from '../../src/cors/originPattern.ts';
import { parseRequestOrigin } from '../../src/cors/originSyntax.ts';

function index(...sources: string[]): OriginPatternIndex {
  return new OriginPatternIndex(
    sources.map((s) => {
      const r = parseOriginPattern(s);
      assert.ok(r.ok, `${s}: ${r.ok ? '' : r.message}`);
      return r.pattern;
    }),
  );
}

function matches(idx: OriginPatternIndex, origin: string): boolean {
  const parsed = parseRequestOrigin(origin);
  return parsed !== undefined && idx.match(parsed) !== undefined;
}

test('https://*.example.com: one or more labels under example.com, https, default port', () => {
  const idx = index('https://*.example.com');
  const cases: [string, boolean][] = [
    ['https://app.example.com', true],
    ['https://a.b.example.com', true],
    ['https://example.com', false],
    ['https://example.com.evil.net', false],
    ['https://evilexample.com', false],
    ['https://app.example.com.evil.net', false],
    ['http://app.example.com', false],
    ['https://app.example.com:8443', false],
    ['https://app.example.com.', false],
    ['https://app.example.co', false],
  ];
  for (const [origin, expected] of cases) assert.equal(matches(idx, origin), expected, origin);
});

test('port lists and any-port patterns', () => {
  const idx = index('https://*.example.com:[8080,8443]', 'http://*.dev.example.org:[*]', 'https://*.example.net:443');
  const cases: [string, boolean][] = [
    ['https://a.example.com:8080', true],
    ['https://a.example.com:8443', true],
    ['https://a.example.com', false],
    ['https://a.example.com:9000', false],
    ['http://x.dev.example.org', true],
    ['http://x.dev.example.org:3000', true],
    ['https://x.dev.example.org', false],
    ['https://a.example.net', true], // :443 is the default port, which browsers omit
  ];
  for (const [origin, expected] of cases) assert.equal(matches(idx, origin), expected, origin);
});

test('patterns over a public suffix, or with a wildcard elsewhere, are refused', () => {
  for (const bad of ['https://*.com', 'https://*.co.uk', 'https://*.github.io', 'https://app.*.example.com', 'https://*example.com', 'https://example.com', '*.example.com', 'https://*.example.com:[80x]']) {
    const result = parseOriginPattern(bad);
    assert.equal(result.ok, false, bad);
  }
  assert.ok(parseOriginPattern('http://*.localhost:[*]').ok, 'localhost subdomains are a common development pattern');
});
