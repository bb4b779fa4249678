// `gatehouse demo` without a browser: the command starts the API and both pages, prints their URLs,
// serves each page with what it should know (only the trusted page gets the demo password), and the
// API it started allows the trusted page and refuses the hostile one.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { registerDemoCommand } from '../../src/cli/demoCommand.ts';
import { demoConfig, type RunningDemo } from '../../src/demo/startDemo.ts';
import { ConfigError } from '../../src/errors.ts';
import { send } from '../helpers/httpClient.ts';

function program(hooks: Parameters<typeof registerDemoCommand>[1]): Command {
  const root = new Command('gatehouse').exitOverride();
  registerDemoCommand(root, hooks);
  return root;
}

test('gatehouse demo starts the API, the trusted page and the hostile page, and prints their URLs', async () => {
  let output = '';
  let demo: RunningDemo | undefined;
  await program({ write: (text) => (output += text), onStarted: (d) => (demo = d), logger: false }).parseAsync(['demo', '--api-port', '0', '--trusted-port', '0', '--hostile-port', '0'], { from: 'user' });
  assert.ok(demo !== undefined);
  try {
    const origin = (url: string) => new URL(url).origin;
    assert.match(origin(demo.trustedUrl), /^http:\/\/127\.0\.0\.1:\d+$/, 'trusted: same site as the API');
    assert.match(origin(demo.hostileUrl), /^http:\/\/localhost:\d+$/, 'hostile: another site');
    for (const url of [`${demo.apiUrl}/api/posts/`, demo.trustedUrl, demo.hostileUrl, demo.sideBySideUrl]) assert.ok(output.includes(url), `prints ${url}`);

    const trusted = await send(origin(demo.trustedUrl), 'GET', '/');
    const hostile = await send(origin(demo.hostileUrl), 'GET', '/');
    assert.equal(trusted.status, 200);
    assert.match(trusted.body, /<h1>Trusted front end<\/h1>/);
    assert.match(hostile.body, /<h1>Hostile site<\/h1>/);
    const password = /"password":"([^"]+)"/.exec(trusted.body)?.[1];
    assert.ok(password !== undefined && password.length >= 16, 'the trusted page is given the demo password');
    assert.ok(!hostile.body.includes(password), 'the hostile page is not');
    const script = await send(origin(demo.hostileUrl), 'GET', '/probes.js');
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    const both = await send(origin(demo.trustedUrl), 'GET', '/side-by-side?only=get');
    assert.ok(both.body.includes(`src="${demo.trustedUrl}?only=get"`) && both.body.includes(`src="${demo.hostileUrl}?only=get"`), 'side by side: both pages, same query');

    // The API it started: the trusted origin may read; the hostile one is refused by strict mode.
    const allowed = await send(demo.apiUrl, 'GET', '/api/posts/', { origin: demo.origins.trusted });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers['access-control-allow-origin'], demo.origins.trusted);
    const refused = await send(demo.apiUrl, 'GET', '/api/posts/', { origin: demo.origins.hostile });
    assert.equal(refused.status, 403);
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
  } finally {
    await demo.close();
  }
});

test('gatehouse demo --config with an unreadable file is a configuration error (exit code 2 in main)', async () => {
  await assert.rejects(
    program({}).parseAsync(['demo', '--config', '/nonexistent/gatehouse.yaml', '--api-port', '0', '--trusted-port', '0', '--hostile-port', '0'], { from: 'user' }),
    (error: unknown) => error instanceof ConfigError && /cannot be read/.test(error.message),
  );
});

test('docs/browser.md shows the policy the demo really runs', () => {
  const text = readFileSync(new URL('../../docs/browser.md', import.meta.url), 'utf8');
  const block = /Without `--config` the demo runs this policy[^`]*```yaml\n([\s\S]*?)```/.exec(text)?.[1];
  assert.ok(block !== undefined, 'the YAML block after "Without `--config`"');
  const { sources: _sources, ...config } = demoConfig({ trusted: 'http://127.0.0.1:5173', hostile: 'http://localhost:5174' });
  assert.deepEqual(parseYaml(block), JSON.parse(JSON.stringify(config)));
});
