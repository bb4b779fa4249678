// Every example in examples/ starts, answers an allowed and a refused origin the same way over HTTP,
// starts when run directly (PORT), and appears verbatim in docs/frameworks.md.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { send } from '../helpers/httpClient.ts';

const EXAMPLES = ['express', 'fastify', 'koa', 'hono', 'node-http', 'fetch'] as const;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ALLOWED = 'https://app.example.com';
const REFUSED = 'https://evil.example.net';

interface Example {
  start(port: number): Promise<{ url: string; close(): Promise<void> }>;
}

const cases: readonly { origin: string; allowOrigin: string | null; credentials: string | null }[] = [
  { origin: ALLOWED, allowOrigin: ALLOWED, credentials: 'true' },
  { origin: REFUSED, allowOrigin: null, credentials: null },
];

/** Runs `node --import tsx examples/<name>/app.ts` with PORT=0 and resolves with the URL it prints. */
function runDirectly(name: string): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', `examples/${name}/app.ts`], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`examples/${name}/app.ts printed no URL: ${out}`));
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, stop: () => child.kill() });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`examples/${name}/app.ts exited with ${code}: ${out}`));
    });
  });
}

describe('examples', () => {
  process.env.LOG_LEVEL = 'silent'; // Gatehouse's and Fastify's loggers read it when the example loads

  for (const name of EXAMPLES) {
    test(`${name}: start(port) answers allowed and refused origins`, async () => {
      const example = (await import(`../../examples/${name}/app.ts`)) as Example;
      const running = await example.start(0);
      try {
        for (const row of cases) {
          const response = await send(running.url, 'GET', '/api/items', { origin: row.origin });
          assert.equal(response.status, 200, row.origin);
          assert.deepEqual(JSON.parse(response.body), [{ id: 1, name: 'first' }]);
          assert.equal(response.headers['access-control-allow-origin'] ?? null, row.allowOrigin, row.origin);
          assert.equal(response.headers['access-control-allow-credentials'] ?? null, row.credentials, row.origin);
          assert.match(response.headers.vary ?? '', /\bOrigin\b/);
        }
        const preflight = await send(running.url, 'OPTIONS', '/api/items', { origin: ALLOWED, 'access-control-request-method': 'PUT' });
        assert.equal(preflight.status, 200);
        assert.equal(preflight.headers['access-control-allow-origin'], ALLOWED);
      } finally {
        await running.close();
      }
    });

    test(`${name}: runs directly with node --import tsx, on PORT`, async () => {
      const running = await runDirectly(name);
      try {
        const response = await send(running.url, 'GET', '/api/items', { origin: ALLOWED });
        assert.equal(response.headers['access-control-allow-origin'], ALLOWED);
      } finally {
        running.stop();
      }
    });

    test(`${name}: docs/frameworks.md shows the example verbatim`, async () => {
      const [docs, source] = await Promise.all([readFile(`${ROOT}docs/frameworks.md`, 'utf8'), readFile(`${ROOT}examples/${name}/app.ts`, 'utf8')]);
      assert.ok(docs.includes(source.trimEnd()), `docs/frameworks.md must contain examples/${name}/app.ts as it is`);
    });
  }
});
