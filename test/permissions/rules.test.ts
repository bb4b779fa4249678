// Each built-in rule and each combinator as a table: rule, caller, method, object → outcome.
// Rows without an object use checkRequest; rows with one use checkObject.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adminRole,
  allowAny,
  denyAll,
  hasRole,
  hasScope,
  isAdmin,
  isAuthenticated,
  isAuthenticatedOrReadOnly,
  isOwner,
  isSafeRequest,
  ownerField,
  ownerOrAdmin,
} from '../../src/permissions/builtinRules.ts';
import { and, not, or } from '../../src/permissions/combinators.ts';
import { checkObject, checkRequest } from '../../src/permissions/permissionCheck.ts';
import { rule, type Rule } from '../../src/permissions/rule.ts';
import { alicePost, bobPost, ctx, outcome, type Caller } from './fixtures.ts';

// DRF's tutorial IsOwner: only has_object_permission, so its request part allows everyone.
const drfStyleOwner = rule({ name: 'drfOwner', object: (c, object) => (object as { owner?: string }).owner === c.principal?.subject });

type Row = [why: string, rule: Rule, caller: Caller, method: string, object: unknown, expected: string];

const requestRows: Row[] = [
  ['any: anonymous GET', allowAny, 'anonymous', 'GET', undefined, 'allow'],
  ['any: anonymous DELETE', allowAny, 'anonymous', 'DELETE', undefined, 'allow'],
  ['deny: even an admin', denyAll, 'admin', 'GET', undefined, '403 permission-denied'],
  ['deny: anonymous is told to authenticate, as DRF does', denyAll, 'anonymous', 'GET', undefined, '401 not-authenticated'],
  ['authenticated: anonymous', isAuthenticated, 'anonymous', 'GET', undefined, '401 not-authenticated'],
  ['authenticated: any principal, even without scopes or roles', isAuthenticated, 'noScopes', 'DELETE', undefined, 'allow'],
  ['admin: anonymous', isAdmin, 'anonymous', 'GET', undefined, '401 not-authenticated'],
  ['admin: a user without the role', isAdmin, 'alice', 'GET', undefined, '403 permission-denied'],
  ['admin: role admin', isAdmin, 'admin', 'DELETE', undefined, 'allow'],
  ['admin with role "staff": staff', adminRole('staff'), 'staff', 'DELETE', undefined, 'allow'],
  ['admin with role "staff": role admin no longer counts', adminRole('staff'), 'admin', 'DELETE', undefined, '403 permission-denied'],
  ['readonly: anonymous GET', isAuthenticatedOrReadOnly, 'anonymous', 'GET', undefined, 'allow'],
  ['readonly: anonymous HEAD', isAuthenticatedOrReadOnly, 'anonymous', 'HEAD', undefined, 'allow'],
  ['readonly: anonymous OPTIONS', isAuthenticatedOrReadOnly, 'anonymous', 'OPTIONS', undefined, 'allow'],
  ['readonly: method case does not matter', isAuthenticatedOrReadOnly, 'anonymous', 'get', undefined, 'allow'],
  ['readonly: anonymous POST', isAuthenticatedOrReadOnly, 'anonymous', 'POST', undefined, '401 not-authenticated'],
  ['readonly: anonymous TRACE is not safe for DRF either', isAuthenticatedOrReadOnly, 'anonymous', 'TRACE', undefined, '401 not-authenticated'],
  ['readonly: any principal may write', isAuthenticatedOrReadOnly, 'noScopes', 'POST', undefined, 'allow'],
  ['safe: anonymous GET', isSafeRequest, 'anonymous', 'GET', undefined, 'allow'],
  ['safe: even an admin may not POST', isSafeRequest, 'admin', 'POST', undefined, '403 permission-denied'],
  ['scope: held', hasScope('posts:write'), 'alice', 'POST', undefined, 'allow'],
  ['scope: missing is insufficient_scope', hasScope('posts:write'), 'reader', 'POST', undefined, '403 insufficient-scope [posts:write]'],
  ['scope: anonymous gets 401, with the scope to ask for', hasScope('posts:write'), 'anonymous', 'POST', undefined, '401 not-authenticated [posts:write]'],
  ['scope: all of them, and the refusal names all', hasScope('posts:read', 'posts:write'), 'reader', 'POST', undefined, '403 insufficient-scope [posts:read posts:write]'],
  ['scope: case-sensitive (RFC 6749 §3.3)', hasScope('Posts:Read'), 'reader', 'GET', undefined, '403 insufficient-scope [Posts:Read]'],
  ['role: held', hasRole('editor'), 'editor', 'PUT', undefined, 'allow'],
  ['role: missing', hasRole('editor'), 'alice', 'PUT', undefined, '403 permission-denied'],
  ['role: anonymous', hasRole('editor'), 'anonymous', 'PUT', undefined, '401 not-authenticated'],
  ['owner: request part needs a principal', isOwner(), 'anonymous', 'GET', undefined, '401 not-authenticated'],
  ['owner: request part lets any principal proceed to the object', isOwner(), 'bob', 'DELETE', undefined, 'allow'],
];

const objectRows: Row[] = [
  ['owner: the owner', isOwner(), 'alice', 'DELETE', alicePost, 'allow'],
  ['owner: not the owner, who may not read it either: 404', isOwner(), 'bob', 'DELETE', alicePost, '404 not-found'],
  ['owner: anonymous is refused before the object', isOwner(), 'anonymous', 'GET', alicePost, '401 not-authenticated'],
  ['owner: numeric owner id matches subject "42"', isOwner(), 'numericId', 'GET', { owner: 42 }, 'allow'],
  ['owner: an object without owner is nobody\'s', isOwner(), 'alice', 'GET', { title: 'orphan' }, '404 not-found'],
  ['owner: not an object at all', isOwner(), 'alice', 'GET', null, '404 not-found'],
  ['owner: a custom field', isOwner(ownerField('author')), 'alice', 'GET', { author: 'alice' }, 'allow'],
  ['a rule without object part allows every object', isAuthenticated, 'bob', 'DELETE', alicePost, 'allow'],

  ['and(authenticated, owner): the owner', and(isAuthenticated, isOwner()), 'alice', 'PUT', alicePost, 'allow'],
  ['and(authenticated, owner): another user', and(isAuthenticated, isOwner()), 'bob', 'PUT', alicePost, '404 not-found'],
  ['and(authenticated, owner): anonymous', and(isAuthenticated, isOwner()), 'anonymous', 'PUT', alicePost, '401 not-authenticated'],
  ['and(scope, owner): the owner without the scope', and(hasScope('posts:delete'), isOwner()), 'alice', 'DELETE', alicePost, '403 insufficient-scope [posts:delete]'],

  ['or(admin, owner): an admin on anyone\'s object', or(isAdmin, isOwner()), 'admin', 'DELETE', alicePost, 'allow'],
  ['or(admin, owner): the owner', or(isAdmin, isOwner()), 'alice', 'DELETE', alicePost, 'allow'],
  ['or(admin, owner): neither', or(isAdmin, isOwner()), 'bob', 'DELETE', alicePost, '404 not-found'],
  ['or(admin, owner): anonymous', or(isAdmin, isOwner()), 'anonymous', 'DELETE', alicePost, '401 not-authenticated'],
  ['ownerOrAdmin is or(owner, admin)', ownerOrAdmin(), 'bob', 'PUT', bobPost, 'allow'],
  // DRF #6402/#7117 before PR #7522: IsAdminUser's default has_object_permission (True) let
  // `IsAdminUser | IsOwner` through for everyone who passed IsOwner's default has_permission.
  ['or(admin, DRF-style owner): DRF bug case, a non-admin non-owner', or(isAdmin, drfStyleOwner), 'bob', 'DELETE', alicePost, '404 not-found'],
  ['or(admin, DRF-style owner): DRF bug case, anonymous', or(isAdmin, drfStyleOwner), 'anonymous', 'DELETE', alicePost, '404 not-found'],
  ['or(admin, DRF-style owner): the owner', or(isAdmin, drfStyleOwner), 'bob', 'DELETE', bobPost, 'allow'],
  ['or(admin, DRF-style owner): an admin', or(isAdmin, drfStyleOwner), 'admin', 'DELETE', bobPost, 'allow'],
  ['or(safe, owner), DRF IsOwnerOrReadOnly: anyone reads', or(isSafeRequest, isOwner()), 'anonymous', 'GET', alicePost, 'allow'],
  ['or(safe, owner): a reader who may not write gets 403, not 404', or(isSafeRequest, isOwner()), 'bob', 'PUT', alicePost, '403 permission-denied'],
  ['or(safe, owner): the owner writes', or(isSafeRequest, isOwner()), 'alice', 'PUT', alicePost, 'allow'],
  ['or(safe, owner): anonymous write', or(isSafeRequest, isOwner()), 'anonymous', 'PUT', alicePost, '401 not-authenticated'],

  ['not(admin): a user', not(isAdmin), 'alice', 'POST', undefined, 'allow'],
  ['not(admin): an admin', not(isAdmin), 'admin', 'POST', undefined, '403 permission-denied'],
  ['not(admin): anonymous is "not an admin"', not(isAdmin), 'anonymous', 'POST', undefined, 'allow'],
  ['not(owner): request part never refuses', not(isOwner()), 'alice', 'DELETE', undefined, 'allow'],
  // DRF #6598: `~IsOwner` negates has_permission (True → False) and refuses everybody.
  ['not(owner): anyone but the owner, DRF #6598 refused them', not(isOwner()), 'bob', 'DELETE', alicePost, 'allow'],
  ['not(owner): the owner, who by the rule may not read it', not(isOwner()), 'alice', 'DELETE', alicePost, '404 not-found'],
  ['not(owner): anonymous is not the owner', not(isOwner()), 'anonymous', 'DELETE', alicePost, 'allow'],
  ['and(authenticated, not(owner)): anonymous', and(isAuthenticated, not(isOwner())), 'anonymous', 'DELETE', alicePost, '401 not-authenticated'],
  ['not(scope): never insufficient_scope', not(hasScope('posts:write')), 'alice', 'GET', undefined, '403 permission-denied'],
  ['not(not(owner)) is owner', not(not(isOwner())), 'bob', 'GET', alicePost, '404 not-found'],

  ['and merges scopes: the refusal names every scope', and(hasScope('posts:read'), isAuthenticated, hasScope('admin:all')), 'reader', 'GET', undefined, '403 insufficient-scope [posts:read admin:all]'],
  ['and: a refusal more scopes cannot fix wins', and(hasScope('posts:write'), isAdmin), 'reader', 'POST', undefined, '403 permission-denied'],
  ['or: a branch the client can satisfy with scopes', or(isAdmin, hasScope('posts:write')), 'reader', 'POST', undefined, '403 insufficient-scope [posts:write]'],
  ['or of scopes: the first is named', or(hasScope('a:x'), hasScope('b:y')), 'noScopes', 'GET', undefined, '403 insufficient-scope [a:x]'],
  ['custom rule, request part', rule({ name: 'weekday', request: () => false }), 'admin', 'GET', undefined, '403 permission-denied'],
];

for (const [why, r, caller, method, object, expected] of [...requestRows, ...objectRows]) {
  test(`${why}: ${caller} ${method} → ${expected}`, () => {
    const decision = object === undefined ? checkRequest(r, ctx(caller, method)) : checkObject(r, ctx(caller, method), object);
    assert.equal(outcome(decision), expected, decision.allowed ? '' : decision.reason);
  });
}

// Each rule's string form, as logs show it and the parser reads it back.
const sources: [Rule, string, boolean][] = [
  [allowAny, 'any', false],
  [isAuthenticatedOrReadOnly, 'readonly', false],
  [hasScope('posts:read'), 'posts:read', false],
  [hasScope('openid'), 'scope:openid', false],
  [hasScope('role:x'), 'scope:role:x', false],
  [hasRole('editor'), 'role:editor', false],
  [ownerOrAdmin(), 'owner OR admin', true],
  [and(hasScope('posts:write'), or(isOwner(), isAdmin)), 'posts:write AND (owner OR admin)', true],
  [or(and(isAdmin, isAuthenticated), not(or(isOwner(), allowAny))), 'admin AND authenticated OR NOT (owner OR any)', true],
  [and(and(isAdmin, isAuthenticated), isSafeRequest), 'admin AND authenticated AND safe', false],
  [and(hasScope('a:x'), isOwner(), hasScope('b:y')), 'a:x AND b:y AND owner', true],
  [not(hasScope('a:x', 'b:y')), 'NOT (a:x AND b:y)', false],
];

for (const [r, source, usesObject] of sources) {
  test(`source and usesObject: ${source}`, () => {
    assert.equal(r.source, source);
    assert.equal(r.usesObject, usesObject);
  });
}

test('rules are frozen, and names the string form could not say are refused in code', () => {
  assert.ok(Object.isFrozen(isOwner()));
  assert.throws(() => hasScope(), TypeError);
  assert.throws(() => hasScope('posts read'), TypeError);
  assert.throws(() => hasRole(''), TypeError);
  assert.throws(() => adminRole('a(b)'), TypeError);
  assert.throws(() => and(), TypeError);
  assert.throws(() => or(), TypeError);
});
