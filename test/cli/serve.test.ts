import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { send } from '../helpers/httpClient.ts';
import { runCli, startServeCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('gatehouse serve, the first five minutes: migrates a new SQLite file, seeds, and prints curl commands that work as printed', async () => {
  const config = join(dir, 'gatehouse.yaml');
  writeFileSync(config, 'cors:\n  allowedOrigins: [https://app.example.com]\n  allowCredentials: true\n');
  const database = join(dir, 'first.db');
  const running = await startServeCli(['--config', config, '--port', '0'], { CORS_EXPOSE_HEADERS: 'x-total-count', DATABASE_URL: `sqlite:${database}`, NODE_ENV: 'development' });
  try {
    const stdout = running.output().stdout;
    assert.match(stdout, /allowed origins: https:\/\/app\.example\.com/);
    assert.match(stdout, /migrated: 0001_api_keys, 0002_server/);
    assert.match(stdout, /created the admin "admin" with password \S+ \(shown once\)/);
    const curls = [...stdout.matchAll(/^ {2}(curl .+)$/gm)].map((m) => m[1]!);
    assert.equal(curls.length, 3, stdout);
    // Each printed command, run by a shell exactly as a person would paste it.
    const run = (command: string) => execFileSync('sh', ['-c', command], { encoding: 'utf8' });
    const [allowed, corsRefused, noCredentials] = curls.map(run) as [string, string, string];
    assert.match(allowed, /^HTTP\/1\.1 200/);
    assert.match(allowed, /^access-control-allow-origin: https:\/\/app\.example\.com/im);
    assert.match(allowed, /^access-control-expose-headers: x-total-count/im);
    assert.ok(JSON.parse(allowed.slice(allowed.indexOf('\r\n\r\n'))).count >= 3);
    assert.match(corsRefused, /^HTTP\/1\.1 200/, 'CORS hides the answer from the browser; it does not stop curl');
    assert.doesNotMatch(corsRefused, /^access-control-allow-origin/im);
    assert.match(corsRefused, /^vary: Origin/im);
    assert.match(noCredentials, /^HTTP\/1\.1 401/);
    assert.match(noCredentials, /^www-authenticate: Bearer realm="api"/im);

    const preflight = await send(running.url, 'OPTIONS', '/api/posts/1', { origin: 'https://app.example.com', 'access-control-request-method': 'DELETE' });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers['access-control-allow-methods'], 'DELETE, GET, OPTIONS, PATCH, POST, PUT');
  } finally {
    assert.equal(await running.stop(), 0, 'SIGTERM stops the server cleanly');
  }
  assert.match(running.output().stderr, /CORS refused origin https:\/\/evil\.example/);

  // A second start on the same file: nothing to migrate, nothing seeded, the same admin's token.
  const again = await startServeCli(['--config', config, '--port', '0'], { DATABASE_URL: `sqlite:${database}`, NODE_ENV: 'development' });
  try {
    assert.doesNotMatch(again.output().stdout, /migrated:|created the admin/);
    assert.match(again.output().stdout, /Development token for "admin"/);
  } finally {
    assert.equal(await again.stop(), 0);
  }
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

test('allowAllOrigins under NODE_ENV=production does not start without publicData, and leaves no database behind', async () => {
  const database = join(dir, 'never-created.db');
  const result = await runCli(['serve', '--port', '0'], { NODE_ENV: 'production', CORS_ALLOW_ALL_ORIGINS: 'true', DATABASE_URL: `sqlite:${database}` });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /CORS_PUBLIC_DATA=true/);
  assert.equal(existsSync(database), false, 'the configuration is checked before the database is opened');
});

test('gatehouse serve rejects a bad --port before starting', async () => {
  const result = await runCli(['serve', '--port', 'eighty']);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /port number/);
});
