// A rule declared in code is checked at start-up, in every adapter: without an access engine (no
// `auth`) it refuses to build rather than let every caller through, and a rule that does not parse
// stops the start with its column. What it does per request is the auth conformance suite's job.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { requirePermission as expressRequirePermission } from '../../src/adapters/express.ts';
import { gatehousePlugin } from '../../src/adapters/fastify.ts';
import { requirePermission as fetchRequirePermission } from '../../src/adapters/fetch.ts';
import { requirePermission as honoRequirePermission } from '../../src/adapters/hono.ts';
import { requirePermission as koaRequirePermission } from '../../src/adapters/koa.ts';
import { requirePermission as nodeRequirePermission } from '../../src/adapters/node-http.ts';
import { ConfigError } from '../../src/errors.ts';
import { createGatehouse, type Gatehouse } from '../../src/gatehouse.ts';
import { hasRole, type Rule } from '../../src/permissions/index.ts';

/** Each adapter's way of declaring a rule in code; resolves with the parsed rule. */
const adapters: readonly { name: string; declare(gatehouse: Gatehouse, rule: Rule | string): Promise<Rule | undefined> }[] = [
  { name: 'express', declare: async (g, r) => expressRequirePermission(r, g).rule },
  { name: 'koa', declare: async (g, r) => koaRequirePermission(r, g).rule },
  { name: 'hono', declare: async (g, r) => honoRequirePermission(r, g).rule },
  { name: 'node', declare: async (g, r) => nodeRequirePermission(r, () => undefined, g).rule },
  { name: 'fetch', declare: async (g, r) => fetchRequirePermission(r, () => new Response('ok'), g).rule },
  {
    name: 'fastify',
    declare: async (g, r) => {
      const app = Fastify({ logger: false });
      try {
        await app.register(gatehousePlugin, g);
        // In an encapsulated child, as routes usually are: the plugin's onRoute hook still sees it.
        await app.register(async (child) => {
          child.get('/posts', { config: { permission: r } }, async () => 'ok');
        });
        await app.ready();
        return undefined;
      } finally {
        await app.close();
      }
    },
  },
];

const withoutAuth = createGatehouse({ cors: { allowedOrigins: ['https://app.example.com'] }, logger: false });
const withAuth = createGatehouse({ auth: {}, logger: false });

/** Runs `declare` and returns the ConfigError it fails with. */
async function configError(declare: () => Promise<unknown>): Promise<ConfigError> {
  try {
    await declare();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.code, 'config-invalid');
    return error;
  }
  assert.fail('expected the declaration to fail at start-up');
}

for (const adapter of adapters) {
  describe(`${adapter.name}: a rule declared in code`, () => {
    test('refuses to build when the Gatehouse has no auth, naming the rule', async () => {
      const error = await configError(() => adapter.declare(withoutAuth, 'posts:write'));
      assert.equal(error.issues[0]?.setting, 'auth');
      assert.match(error.message, /auth: is not configured, so .*"posts:write".* has no caller to check/);
      assert.match(error.message, /fix: give createGatehouse\(\.\.\.\) the auth settings/);
    });

    test('refuses a Rule object the same way', async () => {
      const error = await configError(() => adapter.declare(withoutAuth, hasRole('editor')));
      assert.match(error.message, /"role:editor"/);
    });

    test('a rule that does not parse stops the start with its column', async () => {
      const error = await configError(() => adapter.declare(withAuth, 'posts:write AND ('));
      assert.match(error.message, /= "posts:write AND \(": expected a rule after "\(" at column 18/);
    });

    test('builds with auth configured', async () => {
      const rule = await adapter.declare(withAuth, 'posts:write AND (owner OR admin)');
      if (rule !== undefined) {
        assert.equal(rule.source, 'posts:write AND (owner OR admin)');
        assert.equal(rule.usesObject, true);
      }
    });
  });
}

test('requirePermission wants the Gatehouse itself, not options to build another', () => {
  const options = { auth: {} } as unknown as Gatehouse;
  assert.throws(() => expressRequirePermission('posts:write', options), /requirePermission\("posts:write"\) needs the Gatehouse from createGatehouse/);
});

test('fastify: config.permission of a route added before the plugin is still checked, never skipped', async () => {
  const app = Fastify({ logger: false });
  try {
    app.get('/early', { config: { permission: 'posts:write' } }, async () => 'ran');
    await app.register(gatehousePlugin, { auth: {}, permissions: [{ path: '/early', rule: 'any' }], logger: false });
    await app.ready();
    const response = await app.inject({ method: 'GET', url: '/early' });
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer realm="api", scope="posts:write"');
  } finally {
    await app.close();
  }
});
