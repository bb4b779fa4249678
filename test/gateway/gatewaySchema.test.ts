// The `upstream` setting: what it accepts, its defaults, and every refusal with its setting and fix.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveUpstreamSettings } from '../../src/config/gatewaySchema.ts';
import { ConfigError } from '../../src/errors.ts';

const accepted: { why: string; input: unknown; expect: Record<string, unknown> }[] = [
  {
    why: 'a bare URL, with every default',
    input: 'http://127.0.0.1:8001',
    expect: { origin: 'http://127.0.0.1:8001', host: '127.0.0.1:8001', connectTimeoutMs: 30_000, headersTimeoutMs: 30_000, bodyTimeoutMs: 30_000, connections: 128, keepUpstreamCors: false, preserveHost: false, principalHeaderPrefix: 'X-Gatehouse-' },
  },
  { why: 'a trailing slash is the root path', input: 'https://api.internal/', expect: { origin: 'https://api.internal', host: 'api.internal' } },
  { why: 'timeoutMs is the default of the other two', input: { url: 'http://localhost:8001', timeoutMs: 5000, bodyTimeoutMs: 0 }, expect: { connectTimeoutMs: 5000, headersTimeoutMs: 5000, bodyTimeoutMs: 0 } },
  { why: 'the object form with every setting', input: { url: 'http://[::1]:8001', headersTimeoutMs: 1000, connections: 8, keepUpstreamCors: true, preserveHost: true, principalHeaders: { prefix: 'X-Auth-' } }, expect: { origin: 'http://[::1]:8001', headersTimeoutMs: 1000, connections: 8, keepUpstreamCors: true, preserveHost: true, principalHeaderPrefix: 'X-Auth-' } },
];

for (const row of accepted) {
  test(`accepted: ${row.why}`, () => {
    const resolved = resolveUpstreamSettings(row.input);
    for (const [name, value] of Object.entries(row.expect)) assert.equal(resolved[name as keyof typeof resolved], value, name);
    assert.ok(Object.isFrozen(resolved));
  });
}

const refused: { why: string; input: unknown; setting: string; message: RegExp; secretFree?: string }[] = [
  { why: 'not a URL', input: 'localhost:8001', setting: 'upstream', message: /scheme "localhost"/ },
  { why: 'not even parseable', input: 'http://', setting: 'upstream', message: /is not a URL/ },
  { why: 'another scheme', input: 'ftp://files.internal', setting: 'upstream', message: /over http or https/ },
  { why: 'credentials in the URL (never echoed back)', input: 'http://admin:hunter2@127.0.0.1:8001', setting: 'upstream', message: /carries credentials/, secretFree: 'hunter2' },
  { why: 'a path', input: 'http://127.0.0.1:8001/api', setting: 'upstream', message: /path, query or fragment/ },
  { why: 'a query', input: { url: 'http://127.0.0.1:8001?x=1' }, setting: 'upstream.url', message: /path, query or fragment/ },
  { why: 'a misspelt key', input: { url: 'http://127.0.0.1:8001', timeout: 5 }, setting: 'upstream.timeout', message: /not a Gatehouse setting/ },
  { why: 'a negative timeout', input: { url: 'http://127.0.0.1:8001', headersTimeoutMs: -1 }, setting: 'upstream.headersTimeoutMs', message: /./ },
  { why: 'zero connections', input: { url: 'http://127.0.0.1:8001', connections: 0 }, setting: 'upstream.connections', message: /./ },
  { why: 'a prefix that would strip X-Forwarded-*', input: { url: 'http://127.0.0.1:8001', principalHeaders: { prefix: 'X-' } }, setting: 'upstream.principalHeaders.prefix', message: /would strip headers/ },
  { why: 'a prefix that would strip Content-Type', input: { url: 'http://127.0.0.1:8001', principalHeaders: { prefix: 'Content-' } }, setting: 'upstream.principalHeaders.prefix', message: /would strip headers/ },
  { why: 'a prefix that is not the start of a header name', input: { url: 'http://127.0.0.1:8001', principalHeaders: { prefix: 'X Gate' } }, setting: 'upstream.principalHeaders.prefix', message: /ending with "-"/ },
  { why: 'neither a string nor an object', input: 8001, setting: 'upstream', message: /must be a URL/ },
];

for (const row of refused) {
  test(`refused: ${row.why}`, () => {
    let error: unknown;
    try {
      resolveUpstreamSettings(row.input);
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof ConfigError, `no ConfigError for ${JSON.stringify(row.input)}`);
    const issue = error.issues.find((i) => i.setting === row.setting);
    assert.ok(issue !== undefined, `no issue for ${row.setting}: ${error.message}`);
    assert.match(issue.message, row.message);
    if (row.secretFree !== undefined) assert.ok(!error.message.includes(row.secretFree), error.message);
  });
}

test('every problem is reported at once', () => {
  assert.throws(
    () => resolveUpstreamSettings({ url: 'ftp://u:p@x/y', principalHeaders: { prefix: 'Sec-' } }),
    (error: ConfigError) => error.issues.length === 4,
  );
});
