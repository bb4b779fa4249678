import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { send } from '../helpers/httpClient.ts';
import { runCli, startServeCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('gatehouse serve: the demo API behind the engine, configured from a YAML file and CORS_* variables', async () => {
  const config = join(dir, 'gatehouse.yaml');
  writeFileSync(config, 'cors:\n  allowedOrigins: [https://app.example.com]\n  allowCredentials: true\n');
  const running = await startServeCli(['--config', config, '--port', '0'], { CORS_EXPOSE_HEADERS: 'x-total-count' });
  try {
    assert.match(running.output().stdout, /allowed origins: https:\/\/app\.example\.com/);
    const list = await send(running.url, 'GET', '/api/posts/', { origin: 'https://app.example.com' });
    assert.equal(list.status, 200);
    assert.equal(list.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(list.headers['access-control-allow-credentials'], 'true');
    assert.equal(list.headers['access-control-expose-headers'], 'x-total-count');
    assert.ok(JSON.parse(list.body).count >= 3);

    const refused = await send(running.url, 'GET', '/api/posts/', { origin: 'https://evil.example' });
    assert.equal(refused.status, 200, 'CORS hides the answer from the browser; it does not stop curl');
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
    assert.equal(refused.headers.vary, 'Origin');

    const preflight = await send(running.url, 'OPTIONS', '/api/posts/1', { origin: 'https://app.example.com', 'access-control-request-method': 'DELETE' });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers['access-control-allow-methods'], 'DELETE, GET, OPTIONS, PATCH, POST, PUT');

    const missing = await send(running.url, 'GET', '/api/posts/999', { origin: 'https://app.example.com' });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['content-type'], 'application/problem+json');
    assert.equal(missing.headers['access-control-allow-origin'], 'https://app.example.com', 'errors keep their CORS headers');
  } finally {
    assert.equal(await running.stop(), 0, 'SIGTERM stops the server cleanly');
  }
  assert.match(running.output().stderr, /CORS refused origin https:\/\/evil\.example/);
});

test('gatehouse serve refuses a bad configuration with exit code 2 and says how to fix it', async () => {
  const config = join(dir, 'bad.yaml');
  writeFileSync(config, 'cors:\n  allowedOrigins: ["https://app.example.com/"]\n  allowAllOrigins: true\n  allowCredentials: true\n');
  const result = await runCli(['serve', '--config', config, '--port', '0']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /cors\.allowedOrigins\[0\] \(CORS_ALLOWED_ORIGINS\) = "https:\/\/app\.example\.com\/": should not have a trailing slash/);
  assert.match(result.stderr, /fix: write "https:\/\/app\.example\.com"/);
  assert.match(result.stderr, /cors\.allowAllOrigins .*cannot be combined with allowCredentials/);
  assert.doesNotMatch(result.stderr, /    at /, 'no stack trace for a config error');
});

test('allowAllOrigins under NODE_ENV=production does not start without publicData', async () => {
  const result = await runCli(['serve', '--port', '0'], { NODE_ENV: 'production', CORS_ALLOW_ALL_ORIGINS: 'true' });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /CORS_PUBLIC_DATA=true/);
});

test('gatehouse serve rejects a bad --port before starting', async () => {
  const result = await runCli(['serve', '--port', 'eighty']);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /port number/);
});
