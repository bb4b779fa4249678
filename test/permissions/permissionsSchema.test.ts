// The `permissions` routes: start-up validation (every problem at once, with its setting) and
// matching (first match wins; the default rule otherwise).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PERMISSION_RULE, permissionsSchema, resolvePermissionRoutes } from '../../src/config/permissionsSchema.ts';
import { ConfigError } from '../../src/errors.ts';
import { checkRequest } from '../../src/permissions/permissionCheck.ts';
import { findRoute, matchRoute } from '../../src/permissions/permissionRoutes.ts';
import { ctx, outcome, type Caller } from './fixtures.ts';

const table = resolvePermissionRoutes({
  permissions: [
    { path: '/api/health', rule: 'any' },
    { methods: ['GET'], path: '/api/posts/*', rule: 'safe OR owner' },
    { methods: ['post', 'PUT', 'PATCH', 'DELETE'], path: '/api/posts/*', rule: 'posts:write AND (owner OR admin)' },
    { path: '/api/admin/*', rule: 'admin' },
  ],
});

const matches: [method: string, path: string, rule: string, setting: string | undefined][] = [
  ['GET', '/api/health', 'any', 'permissions[0]'],
  ['POST', '/api/health', 'any', 'permissions[0]'],
  ['GET', '/api/health/', 'authenticated', undefined],
  ['GET', '/api/posts/1', 'safe OR owner', 'permissions[1]'],
  ['GET', '/api/posts/', 'safe OR owner', 'permissions[1]'],
  ['HEAD', '/api/posts/1', 'safe OR owner', 'permissions[1]'],
  ['DELETE', '/api/posts/1', 'posts:write AND (owner OR admin)', 'permissions[2]'],
  ['delete', '/api/posts/1', 'posts:write AND (owner OR admin)', 'permissions[2]'],
  ['POST', '/api/posts/', 'posts:write AND (owner OR admin)', 'permissions[2]'],
  ['OPTIONS', '/api/posts/1', 'authenticated', undefined],
  ['GET', '/api/posts', 'authenticated', undefined],
  ['GET', '/api/admin/users', 'admin', 'permissions[3]'],
  ['GET', '/elsewhere', 'authenticated', undefined],
];

for (const [method, path, rule, setting] of matches) {
  test(`matchRoute: ${method} ${path} → ${rule}`, () => {
    assert.equal(matchRoute(table, method, path).source, rule);
    assert.equal(findRoute(table, method, path)?.setting, setting);
  });
}

// Route and rule together, as an adapter runs them.
const requests: [method: string, path: string, caller: Caller, expected: string][] = [
  ['GET', '/api/health', 'anonymous', 'allow'],
  ['GET', '/elsewhere', 'anonymous', '401 not-authenticated'],
  ['GET', '/elsewhere', 'noScopes', 'allow'],
  ['POST', '/api/posts/', 'reader', '403 insufficient-scope [posts:write]'],
  ['POST', '/api/posts/', 'alice', 'allow'],
  ['GET', '/api/admin/users', 'alice', '403 permission-denied'],
];

for (const [method, path, caller, expected] of requests) {
  test(`route and rule: ${caller} ${method} ${path} → ${expected}`, () => {
    assert.equal(outcome(checkRequest(matchRoute(table, method, path), ctx(caller, method, path))), expected);
  });
}

test('nothing configured: every request needs a principal', () => {
  for (const input of [undefined, {}, { permissions: [] }]) {
    const empty = resolvePermissionRoutes(input);
    assert.equal(empty.routes.length, 0);
    assert.equal(matchRoute(empty, 'GET', '/anything').source, DEFAULT_PERMISSION_RULE);
  }
  assert.equal(permissionsSchema.parse({}).defaultRule, 'authenticated');
});

test('defaultRule: "deny" makes the routes an allow-list', () => {
  const strict = resolvePermissionRoutes({ permissions: [{ path: '/api/*', rule: 'authenticated' }], defaultRule: 'deny' });
  assert.equal(outcome(checkRequest(matchRoute(strict, 'GET', '/admin/'), ctx('admin'))), '403 permission-denied');
});

test('parse options reach every rule: the admin role', () => {
  const staff = resolvePermissionRoutes({ permissions: [{ path: '/x', rule: 'admin' }], defaultRule: 'admin' }, { adminRole: 'staff' });
  assert.equal(outcome(checkRequest(matchRoute(staff, 'GET', '/x'), ctx('staff'))), 'allow');
  assert.equal(outcome(checkRequest(staff.defaultRule, ctx('staff'))), 'allow');
});

test('the table is frozen', () => {
  assert.ok(Object.isFrozen(table) && Object.isFrozen(table.routes) && Object.isFrozen(table.routes[0]));
});

function refused(input: unknown, options = {}): ConfigError {
  try {
    resolvePermissionRoutes(input, options);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail(`expected a ConfigError for ${JSON.stringify(input)}`);
}

const refusals: [why: string, input: unknown, setting: string, words: RegExp][] = [
  ['a rule that does not parse', { permissions: [{ path: '/a', rule: 'any' }, { path: '/b', rule: 'any' }, { path: '/c', rule: 'posts:write AND (owner' }] }, 'permissions[2].rule', /expected "\)" at column 23.*fix: close the "\(" opened at column 17/s],
  ['a default rule that does not parse', { defaultRule: 'authenticatd' }, 'defaultRule', /unknown rule "authenticatd".*did you mean "authenticated"/s],
  ['a path without "/"', { permissions: [{ path: 'api/*', rule: 'any' }] }, 'permissions[0].path', /must start with "\/"/],
  ['a "*" inside the path', { permissions: [{ path: '/api/*/posts', rule: 'any' }] }, 'permissions[0].path', /may only end with "\*"/],
  ['a query in the path', { permissions: [{ path: '/api?x=1', rule: 'any' }] }, 'permissions[0].path', /no query/],
  ['no methods', { permissions: [{ methods: [], path: '/a', rule: 'any' }] }, 'permissions[0].methods', /never match.*omit methods/s],
  ['a method that is not a token', { permissions: [{ methods: ['GET', 'GE T'], path: '/a', rule: 'any' }] }, 'permissions[0].methods[1]', /not an HTTP method/],
  ['a misspelt key', { permissions: [{ path: '/a', rules: 'any' }] }, 'permissions[0].rules', /did you mean "rule"/],
  ['a missing rule', { permissions: [{ path: '/a' }] }, 'permissions[0].rule', /expected string/],
  ['permissions is not a list', { permissions: 'admin' }, 'permissions', /expected array/],
  ['a misspelt top-level key', { defaultRules: 'any' }, 'defaultRules', /did you mean "defaultRule"/],
  ['a route behind a broader one', { permissions: [{ path: '/api/*', rule: 'authenticated' }, { path: '/api/admin/*', rule: 'admin' }] }, 'permissions[1]', /never applies: permissions\[0\] \("\/api\/\*"\).*move permissions\[1\] above permissions\[0\]/s],
  ['an exact duplicate', { permissions: [{ path: '/a', rule: 'any' }, { path: '/a', rule: 'admin' }] }, 'permissions[1]', /never applies/],
  ['HEAD behind GET, which HEAD matches', { permissions: [{ methods: ['GET'], path: '/a/*', rule: 'any' }, { methods: ['HEAD'], path: '/a/b', rule: 'admin' }] }, 'permissions[1]', /never applies: permissions\[0\] \("\/a\/\*" GET\)/],
];

for (const [why, input, setting, words] of refusals) {
  test(`start-up refuses: ${why}`, () => {
    const error = refused(input);
    assert.ok(error.issues.some((issue) => issue.setting === setting), `no issue names ${setting}: ${error.message}`);
    assert.match(error.message, words);
  });
}

const notShadowed: [why: string, permissions: unknown[]][] = [
  ['an earlier entry for fewer methods', [{ methods: ['GET'], path: '/api/posts/*', rule: 'any' }, { path: '/api/posts/*', rule: 'authenticated' }]],
  ['the narrower path first', [{ path: '/api/admin/*', rule: 'admin' }, { path: '/api/*', rule: 'authenticated' }]],
  ['an exact path, then the prefix below it', [{ path: '/api/posts/', rule: 'any' }, { path: '/api/posts/*', rule: 'authenticated' }]],
  ['GET behind HEAD: GET requests still reach it', [{ methods: ['HEAD'], path: '/a', rule: 'any' }, { methods: ['GET'], path: '/a', rule: 'admin' }]],
];

for (const [why, permissions] of notShadowed) {
  test(`start-up accepts: ${why}`, () => {
    assert.equal(resolvePermissionRoutes({ permissions }).routes.length, 2);
  });
}

test('every bad rule is reported at once, each with its setting', () => {
  const error = refused({
    permissions: [
      { path: '/a', rule: 'owner admin' },
      { path: '/b', rule: 'any' },
      { path: '/c', rule: '' },
      { path: 'd', rule: 'NOT' },
    ],
    defaultRule: 'IsAuthenticated',
  });
  assert.deepEqual(
    error.issues.map((issue) => issue.setting),
    ['defaultRule', 'permissions[0].rule', 'permissions[2].rule', 'permissions[3].path', 'permissions[3].rule'],
  );
  assert.match(error.message, /5 problem/);
});

test('a prefix names the settings inside a larger configuration', () => {
  const error = refused({ permissions: [{ path: '/a', rule: 'ownr' }] }, { prefix: 'auth' });
  assert.equal(error.issues[0]!.setting, 'auth.permissions[0].rule');
});

test('a route behind one with a broken rule is reported too, in the same run', () => {
  const error = refused({ permissions: [{ path: '/api/*', rule: 'authenticatd' }, { methods: ['POST'], path: '/api/posts/*', rule: 'posts:write' }] });
  assert.deepEqual(error.issues.map((issue) => issue.setting), ['permissions[0].rule', 'permissions[1]']);
});
