// gatehouse serve over HTTPS: --https-dev creates a development CA once and serves HTTP/2 with
// HTTP/1.1 fallback; the printed curl commands (told to trust that CA) work as printed; bad TLS flags
// are refused before anything starts.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli, startServeCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-https-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const config = join(dir, 'gatehouse.yaml');
writeFileSync(config, 'cors:\n  allowedOrigins: [https://app.example.com]\n');
const env = { XDG_DATA_HOME: join(dir, 'data'), DATABASE_URL: `sqlite:${join(dir, 'https.db')}`, NODE_ENV: 'development' };

test('--https-dev: HTTPS with a development CA, HTTP/2 for clients that trust it, and curl commands that work as printed', async () => {
  const running = await startServeCli(['--config', config, '--port', '0', '--https-dev'], env);
  try {
    assert.match(running.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const stdout = running.output().stdout;
    const ca = /--cacert (\S+)/.exec(stdout)?.[1];
    assert.ok(ca, stdout);
    assert.ok(ca.startsWith(join(dir, 'data')), 'the CA lives in the per-user data directory');
    const curls = [...stdout.matchAll(/^ {2}(curl .+)$/gm)].map((m) => m[1]!);
    assert.equal(curls.length, 3);
    const allowed = execFileSync('sh', ['-c', curls[0]!], { encoding: 'utf8' });
    assert.match(allowed, /^HTTP\/2 200/);
    assert.match(allowed, /^access-control-allow-origin: https:\/\/app\.example\.com/im);
    assert.match(execFileSync('sh', ['-c', curls[2]!], { encoding: 'utf8' }), /^HTTP\/2 401/);

    const session = connect(running.url, { ca: readFileSync(ca) });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = session.request({ ':path': '/healthz' });
        req.on('response', (headers) => resolve(Number(headers[':status'])));
        req.resume();
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 200);
      assert.equal(session.alpnProtocol, 'h2');
    } finally {
      session.close();
    }
    const untrusted = await runCli(['check', `${running.url}/healthz`], env);
    assert.equal(untrusted.code, 1, 'a client without the CA cannot connect');
  } finally {
    assert.equal(await running.stop(), 0);
  }
});

test('bad TLS flags are refused with exit 2 and the fix', async () => {
  const cases: [string[], RegExp][] = [
    [['--tls-cert', join(dir, 'missing.pem')], /--tls-key: is missing/],
    [['--https-dev', '--tls-cert', 'a.pem', '--tls-key', 'b.pem'], /--https-dev: cannot be combined with --tls-cert\/--tls-key/],
    [['--https-dev', '--host', '0.0.0.0'], /--https-dev = "0\.0\.0\.0": is for local development/],
    [['--tls-cert', join(dir, 'missing.pem'), '--tls-key', join(dir, 'missing-key.pem')], /--tls-cert = ".*missing\.pem": does not exist/],
  ];
  for (const [flags, message] of cases) {
    const result = await runCli(['serve', '--config', config, '--port', '0', ...flags], env);
    assert.equal(result.code, 2, `${flags.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
});
