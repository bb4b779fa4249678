import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { corsSettingsFromDjango, corsSettingsFromEnv } from '../../src/config/djangoSettings.ts';
import { loadConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('environment variables use django-cors-headers names', () => {
  const cases: [Record<string, string>, object][] = [
    [{ CORS_ALLOWED_ORIGINS: 'https://a.example, https://b.example' }, { allowedOrigins: ['https://a.example', 'https://b.example'] }],
    [{ CORS_ALLOWED_ORIGINS: '["https://a.example","https://b.example"]' }, { allowedOrigins: ['https://a.example', 'https://b.example'] }],
    [{ CORS_ORIGIN_WHITELIST: 'https://a.example' }, { allowedOrigins: ['https://a.example'] }],
    [{ CORS_ALLOW_ALL_ORIGINS: 'True' }, { allowAllOrigins: true }],
    [{ CORS_ALLOW_CREDENTIALS: 'false' }, { allowCredentials: false }],
    [{ CORS_PREFLIGHT_MAX_AGE: '600' }, { preflightMaxAge: 600 }],
    [{ CORS_ALLOWED_ORIGIN_REGEXES: '^https://\\w+\\.example\\.com$\n^https://\\d{1,3}\\.example\\.net$' }, { allowedOriginRegexes: ['^https://\\w+\\.example\\.com$', '^https://\\d{1,3}\\.example\\.net$'] }],
    [{ CORS_ALLOWED_ORIGIN_PATTERNS: 'https://*.a.example.com:[8080,8443],https://*.b.example.com' }, { allowedOriginPatterns: ['https://*.a.example.com:[8080,8443]', 'https://*.b.example.com'] }],
    [{ CORS_URLS_REGEX: '^/api/.*$' }, { urlsRegex: '^/api/.*$' }],
    [{ CORS_ALLOW_HEADERS: '' }, { allowHeaders: [] }],
    [{ CORS_SOMETHING_ELSE: 'x', PATH: '/bin' }, {}],
  ];
  for (const [env, expected] of cases) assert.deepEqual(corsSettingsFromEnv(env), expected, JSON.stringify(env));
});

test('bad environment values name the variable and the fix', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ CORS_ALLOW_CREDENTIALS: 'maybe' }, /CORS_ALLOW_CREDENTIALS.*"maybe".*not a boolean.*true or false/s],
    [{ CORS_PREFLIGHT_MAX_AGE: '1h' }, /CORS_PREFLIGHT_MAX_AGE.*whole number/s],
    [{ CORS_ALLOWED_ORIGINS: '["https://a.example",' }, /JSON list/],
    [{ CORS_REPLACE_HTTPS_REFERER: 'True' }, /removed in django-cors-headers 4\.0/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => corsSettingsFromEnv(env), (e: unknown) => e instanceof ConfigError && message.test(e.message), JSON.stringify(env));
  }
});

test('a dict of Django settings maps to Gatehouse names', () => {
  assert.deepEqual(corsSettingsFromDjango({ CORS_ALLOWED_ORIGINS: ['https://a.example'], CORS_ALLOW_CREDENTIALS: true, DEBUG: true }), {
    allowedOrigins: ['https://a.example'],
    allowCredentials: true,
  });
});

test('YAML and JSON files load; the environment overrides the file', () => {
  const yaml = file('g.yaml', 'cors:\n  allowedOrigins: [https://file.example]\n  allowCredentials: true\nserver:\n  port: 9000\n');
  const loaded = loadConfig({ file: yaml, env: { CORS_ALLOWED_ORIGINS: 'https://env.example' } });
  assert.deepEqual(loaded.cors, { allowedOrigins: ['https://env.example'], allowCredentials: true });
  assert.equal(loaded.server?.port, 9000);
  assert.deepEqual(loaded.sources, [yaml, '$CORS_ALLOWED_ORIGINS']);
  const json = file('g.json', JSON.stringify({ cors: { allowedOrigins: ['https://json.example'] } }));
  assert.deepEqual(loadConfig({ file: json, env: {} }).cors, { allowedOrigins: ['https://json.example'] });
});

test('broken files give a clear error naming the file', () => {
  const cases: [string, RegExp][] = [
    [file('broken.json', '{"cors": '), /broken\.json: is not valid JSON/],
    [file('broken.yaml', 'cors: [unclosed'), /broken\.yaml: is not valid YAML/],
    [file('typo.yaml', 'cors:\n  allowedOrigin: [https://a.example]\n'), /typo\.yaml: cors\.allowedOrigin.*did you mean "allowedOrigins"/s],
    [file('type.yaml', 'cors:\n  allowCredentials: "yes"\n'), /type\.yaml: cors\.allowCredentials/],
    [join(dir, 'missing.yaml'), /missing\.yaml: cannot be read: ENOENT/],
  ];
  for (const [path, message] of cases) {
    assert.throws(() => loadConfig({ file: path, env: {} }), (e: unknown) => e instanceof ConfigError && message.test(e.message), path);
  }
});
