import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveCorsSettings } from '../../src/config/corsSettings.ts';
import type { CorsSettings } from '../../src/cors/settings.ts';
import { ConfigError } from '../../src/errors.ts';

function refused(settings: CorsSettings, nodeEnv?: string): ConfigError {
  try {
    resolveCorsSettings(settings, { nodeEnv });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail(`expected a ConfigError for ${JSON.stringify(settings)}`);
}

function warnings(settings: CorsSettings, nodeEnv?: string): string[] {
  return resolveCorsSettings(settings, { nodeEnv }).warnings.map((w) => `${w.setting}: ${w.message} ${w.hint ?? ''}`);
}

// Each row: settings, the setting the message must name, and words it must contain (value or fix).
const startUpRefusals: [string, CorsSettings, string, RegExp][] = [
  ['origin with a path', { allowedOrigins: ['https://a.example.com/api'] }, 'cors.allowedOrigins[0]', /path.*https:\/\/a\.example\.com"/s],
  ['origin with a trailing slash', { allowedOrigins: ['https://a.example.com/'] }, 'cors.allowedOrigins[0]', /trailing slash/],
  ['origin with a query', { allowedOrigins: ['https://a.example.com?x'] }, 'cors.allowedOrigins[0]', /query/],
  ['origin without a scheme', { allowedOrigins: ['ok.example', 'a.example.com'] }, 'cors.allowedOrigins[1]', /missing a scheme.*https:\/\/a\.example\.com/s],
  ['invalid regex', { allowedOriginRegexes: ['^https://(a$'] }, 'cors.allowedOriginRegexes[0]', /not a valid regular expression/],
  ['allow all with credentials', { allowAllOrigins: true, allowCredentials: true }, 'cors.allowAllOrigins', /allowCredentials.*allowedOrigins/s],
  ['pattern over a public suffix', { allowedOriginPatterns: ['https://*.com'] }, 'cors.allowedOriginPatterns[0]', /public suffix "com"/],
  ['invalid method token', { allowMethods: ['GET', 'PUT DELETE'] }, 'cors.allowMethods[1]', /not a valid HTTP token/],
  ['invalid header token', { allowHeaders: ['x-ok', 'x bad'] }, 'cors.allowHeaders[1]', /not a valid HTTP token/],
  ['negative max age', { preflightMaxAge: -1 } as CorsSettings, 'cors.preflightMaxAge', /CORS_PREFLIGHT_MAX_AGE|>=0|greater/i],
  ['wrong type', { allowCredentials: 'yes' } as unknown as CorsSettings, 'cors.allowCredentials', /boolean/],
  ['misspelt setting', { allowedOrigin: ['https://a.example.com'] } as unknown as CorsSettings, 'cors.allowedOrigin', /did you mean "allowedOrigins"/],
  ['invalid urlsRegex', { urlsRegex: '^/api/(' }, 'cors.urlsRegex', /not a valid regular expression/],
  ['bad per-path pattern', { paths: [{ path: 'api/*' }] }, 'cors.paths[0].path', /must start with/],
  ['bad per-path origin', { paths: [{ path: '/api/*', allowedOrigins: ['https://a.example.com/'] }] }, 'cors.paths[0].allowedOrigins[0]', /trailing slash/],
];

for (const [why, settings, setting, words] of startUpRefusals) {
  test(`start-up refuses: ${why}`, () => {
    const error = refused(settings);
    const issue = error.issues.find((i) => i.setting === setting);
    assert.ok(issue, `no issue names ${setting}: ${error.message}`);
    assert.match(error.message, words);
  });
}

test('every problem is reported at once', () => {
  const error = refused({ allowedOrigins: ['a.example.com', 'https://b.example.com/'], allowedOriginPatterns: ['https://*.com'] });
  assert.equal(error.issues.length, 3);
  assert.match(error.message, /3 problem/);
});

test('allowAllOrigins under NODE_ENV=production needs publicData', () => {
  const error = refused({ allowAllOrigins: true }, 'production');
  assert.match(error.message, /publicData: true/);
  assert.doesNotThrow(() => resolveCorsSettings({ allowAllOrigins: true, publicData: true }, { nodeEnv: 'production' }));
  assert.doesNotThrow(() => resolveCorsSettings({ allowAllOrigins: true }, { nodeEnv: 'development' }));
});

test('loud warnings for settings that start but leak', () => {
  assert.match(warnings({ allowedOriginRegexes: ['^https://.*\\.example\\.com'] }).join('\n'), /not anchored at the end.*evil\.net.*\$/s);
  assert.match(warnings({ allowedOriginRegexes: ['^https://.*.example.com$'] }).join('\n'), /unescaped.*\\\\\.example\\\\\.com|unescaped/s);
  assert.match(warnings({ allowedOrigins: ['null'] }).join('\n'), /null origin/);
  assert.match(warnings({ allowedOrigins: ['HTTPS://A.example.com:443'] }).join('\n'), /canonicalised to "https:\/\/a\.example\.com"/);
  assert.match(warnings({ allowCredentials: true, allowHeaders: ['*'] }).join('\n'), /literal header name/);
  assert.match(warnings({ debugHeader: true, allowedOrigins: [] }, 'production').join('\n'), /development/);
  assert.deepEqual(warnings({ allowedOrigins: ['https://a.example.com'], allowedOriginRegexes: ['^https://[a-z]+\\.example\\.com$'] }), []);
});

test('defaults are the newest django-cors-headers defaults', () => {
  const { global, urlsRegex, paths } = resolveCorsSettings({}).value;
  assert.deepEqual(global.allowHeaders, ['accept', 'authorization', 'content-type', 'user-agent', 'x-csrftoken', 'x-requested-with']);
  assert.deepEqual(global.allowMethods, ['DELETE', 'GET', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
  assert.equal(global.preflightMaxAge, 86400);
  assert.equal(global.allowCredentials, false);
  assert.equal(global.allowAllOrigins, false);
  assert.equal(global.allowPrivateNetwork, false);
  assert.deepEqual(global.exactOrigins, []);
  assert.equal(urlsRegex, undefined);
  assert.deepEqual(paths, []);
});

test('per-path entries inherit the global settings and override some', () => {
  const { paths } = resolveCorsSettings({
    allowedOrigins: ['https://app.example.com'],
    allowCredentials: true,
    paths: [{ path: '/api/public/*', allowAllOrigins: true, allowCredentials: false }],
  }).value;
  assert.equal(paths[0]!.prefix, true);
  assert.equal(paths[0]!.path, '/api/public/');
  assert.equal(paths[0]!.policy.allowAllOrigins, true);
  assert.equal(paths[0]!.policy.allowCredentials, false);
  assert.deepEqual(paths[0]!.policy.exactOrigins, ['https://app.example.com']);
});
