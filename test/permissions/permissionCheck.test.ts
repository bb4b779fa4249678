// The evaluation API: 401 vs 403 vs 404 on objects, list filtering, create checks, and what the client
// is sent for each refusal.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasScope, isAdmin, isAuthenticated, isOwner, isSafeRequest, ownerOrAdmin } from '../../src/permissions/builtinRules.ts';
import { and, or } from '../../src/permissions/combinators.ts';
import { checkCreate, checkObject, checkRequest, filterObjects, type PermissionRefused } from '../../src/permissions/permissionCheck.ts';
import { permissionResponse } from '../../src/permissions/permissionResponse.ts';
import { rule, type Rule } from '../../src/permissions/rule.ts';
import { parseRule } from '../../src/permissions/ruleParser.ts';
import { alicePost, bobPost, ctx, outcome, type Caller } from './fixtures.ts';

// A rule whose GET differs from its writes, to tell 403 (may read) from 404 (may not).
const publishedOrOwner = or(
  and(isSafeRequest, rule({ name: 'published', object: (_c, o) => (o as { published?: boolean }).published === true })),
  isOwner(),
);
// Object part only, method-dependent: anyone reads, anyone edits an unlocked page.
const wikiPage = rule({ name: 'wiki', object: (c, o) => c.method === 'GET' || (o as { locked: boolean }).locked === false });
const draft = { id: 3, owner: 'alice', published: false };
const published = { id: 4, owner: 'alice', published: true };

const objectStatuses: [why: string, rule: Rule, caller: Caller, method: string, object: unknown, expected: string][] = [
  ['no principal, refused before the object: 401 whatever the object', isOwner(), 'anonymous', 'PUT', draft, '401 not-authenticated'],
  ['no principal, PUT of a published post, refused before the object: 401', publishedOrOwner, 'anonymous', 'PUT', published, '401 not-authenticated'],
  ['no principal, refused by the object part on an object it may read: 401', wikiPage, 'anonymous', 'PUT', { locked: true }, '401 not-authenticated'],
  ['no principal, an object it may edit', wikiPage, 'anonymous', 'PUT', { locked: false }, 'allow'],
  ['no principal, PUT refused before the object (same answer for every object): 401', publishedOrOwner, 'anonymous', 'PUT', draft, '401 not-authenticated'],
  ['no principal, GET of an object it may not read: 404', publishedOrOwner, 'anonymous', 'GET', draft, '404 not-found'],
  ['a principal refused on an object it may read: 403', publishedOrOwner, 'bob', 'DELETE', published, '403 permission-denied'],
  ['a principal refused on an object it may not read: 404', publishedOrOwner, 'bob', 'DELETE', draft, '404 not-found'],
  ['HEAD is judged by what GET may read', publishedOrOwner, 'bob', 'HEAD', draft, '404 not-found'],
  ['the owner reads a draft', publishedOrOwner, 'alice', 'GET', draft, 'allow'],
  ['anyone reads a published post', publishedOrOwner, 'anonymous', 'GET', published, 'allow'],
  ['missing scope refused at the request level: 403 insufficient-scope, never 404', parseRule('posts:write AND owner'), 'reader', 'PUT', bobPost, '403 insufficient-scope [posts:write]'],
  ['a request-level refusal of a principal is 403 for every object', isAdmin, 'alice', 'DELETE', alicePost, '403 permission-denied'],
];

for (const [why, r, caller, method, object, expected] of objectStatuses) {
  test(`checkObject: ${why}`, () => {
    assert.equal(outcome(checkObject(r, ctx(caller, method), object)), expected);
  });
}

test('checkRequest does not look at objects: an object rule only lets the request proceed', () => {
  assert.equal(outcome(checkRequest(isOwner(), ctx('bob', 'DELETE'))), 'allow');
  assert.equal(isOwner().usesObject, true);
});

const posts = [alicePost, bobPost, { id: 5, owner: 'carol' }];
const lists: [why: string, rule: Rule, caller: Caller, expectedIds: number[]][] = [
  ['owner: only the caller\'s own', isOwner(), 'alice', [1]],
  ['owner OR admin: an admin sees all', ownerOrAdmin(), 'admin', [1, 2, 5]],
  ['owner OR admin: anonymous sees nothing', ownerOrAdmin(), 'anonymous', []],
  ['a request-level rule keeps all or nothing', isAuthenticated, 'bob', [1, 2, 5]],
  ['a request-level rule keeps all or nothing (nothing)', isAuthenticated, 'anonymous', []],
  ['a scope rule without the scope: nothing', and(hasScope('posts:admin'), isOwner()), 'alice', []],
];

for (const [why, r, caller, expectedIds] of lists) {
  test(`filterObjects: ${why}`, () => {
    assert.deepEqual(filterObjects(r, ctx(caller, 'GET', '/api/posts/'), posts).map((p) => p.id), expectedIds);
  });
}

test('filterObjects takes any iterable and keeps order and identity', () => {
  function* generate() {
    yield bobPost;
    yield alicePost;
  }
  const kept = filterObjects(ownerOrAdmin(), ctx('admin'), generate());
  assert.equal(kept[0], bobPost);
  assert.equal(kept[1], alicePost);
});

const creates: [why: string, rule: Rule, caller: Caller, candidate: unknown, expected: string][] = [
  ['the owner of what they create', isOwner(), 'alice', { owner: 'alice' }, 'allow'],
  ['creating for someone else: 403, never 404 (nothing exists to hide)', isOwner(), 'alice', { owner: 'bob' }, '403 permission-denied'],
  ['creating without an owner', isOwner(), 'alice', { title: 'x' }, '403 permission-denied'],
  ['anonymous', isOwner(), 'anonymous', { owner: 'alice' }, '401 not-authenticated'],
  ['an admin may create for others', ownerOrAdmin(), 'admin', { owner: 'bob' }, 'allow'],
  ['missing scope', parseRule('posts:write AND owner'), 'reader', { owner: 'rita' }, '403 insufficient-scope [posts:write]'],
  ['a request-level rule alone', isAuthenticated, 'bob', { owner: 'alice' }, 'allow'],
];

for (const [why, r, caller, candidate, expected] of creates) {
  test(`checkCreate: ${why}`, () => {
    assert.equal(outcome(checkCreate(r, ctx(caller, 'POST', '/api/posts/'), candidate)), expected);
  });
}

test('the reason names the rule for the log line', () => {
  const decision = checkObject(ownerOrAdmin(), ctx('bob', 'DELETE'), alicePost) as PermissionRefused;
  assert.match(decision.reason, /may not read/);
  assert.match(decision.reason, /rule: owner OR admin/);
});

function refusal(r: Rule, caller: Caller, method: string, object?: unknown): PermissionRefused {
  const decision = object === undefined ? checkRequest(r, ctx(caller, method)) : checkObject(r, ctx(caller, method), object);
  assert.equal(decision.allowed, false);
  return decision as PermissionRefused;
}

const responses: [why: string, decision: PermissionRefused, status: number, challenge: string | undefined, code: string][] = [
  ['401: a Bearer challenge without an error (RFC 6750 §3.1)', refusal(isAuthenticated, 'anonymous', 'GET'), 401, 'Bearer realm="api"', 'not-authenticated'],
  ['401 for a scope rule: the scope a token needs, still without an error', refusal(hasScope('posts:write'), 'anonymous', 'POST'), 401, 'Bearer realm="api", scope="posts:write"', 'not-authenticated'],
  ['403 insufficient-scope: the scopes in the challenge', refusal(hasScope('posts:write', 'posts:read'), 'noScopes', 'POST'), 403, 'Bearer realm="api", error="insufficient_scope", scope="posts:write posts:read"', 'insufficient-scope'],
  ['403 permission-denied: no challenge', refusal(isAdmin, 'alice', 'GET'), 403, undefined, 'permission-denied'],
  ['404: no challenge', refusal(isOwner(), 'bob', 'GET', alicePost), 404, undefined, 'not-found'],
];

for (const [why, decision, status, challenge, code] of responses) {
  test(`permissionResponse: ${why}`, () => {
    const response = permissionResponse(decision, 'api');
    assert.equal(response.status, status);
    assert.equal(response.wwwAuthenticate, challenge);
    const body = JSON.parse(response.body) as { code: string; status: number; detail?: string };
    assert.equal(body.code, code);
    assert.equal(body.status, status);
    // The reason is for the log: the body never names owners or roles.
    assert.ok(!response.body.includes('alice') && !response.body.includes('owner') && !response.body.includes('admin'), response.body);
  });
}
