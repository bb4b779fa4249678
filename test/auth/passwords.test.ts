// Password hashing with scrypt: round trip, wrong passwords, unreadable or hostile stored hashes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, needsRehash, passwordProblem, SCRYPT_COST, verifyPassword } from '../../src/auth/passwords.ts';

test('a hash verifies its password only, and records its cost', async () => {
  const hash = await hashPassword('correct horse battery staple');
  assert.match(hash, new RegExp(`^scrypt\\$${SCRYPT_COST.N}\\$8\\$1\\$[\\w-]{22}\\$[\\w-]{43}$`));
  assert.equal(await verifyPassword('correct horse battery staple', hash), true);
  assert.equal(await verifyPassword('correct horse battery stapl', hash), false);
  assert.notEqual(await hashPassword('correct horse battery staple'), hash, 'a new salt every time');
  assert.equal(needsRehash(hash), false);
});

test('Unicode passwords are compared after NFKC normalisation', async () => {
  const hash = await hashPassword('caf\u00e9-password');
  assert.equal(await verifyPassword('cafe\u0301-password', hash), true);
});

test('unreadable or hostile stored hashes verify nothing and never throw', async () => {
  for (const stored of ['', 'plain', 'scrypt$1$8$1$c2FsdHNhbHQ$x', `scrypt$${2 ** 30}$8$1$c2FsdHNhbHRzYWx0$${'A'.repeat(43)}`, 'scrypt$16385$8$1$c2FsdHNhbHRzYWx0$' + 'A'.repeat(43), 'bcrypt$2b$10$abc']) {
    assert.equal(await verifyPassword('anything', stored), false, stored);
    assert.equal(needsRehash(stored), true, stored);
  }
  assert.equal(await verifyPassword(undefined as never, await hashPassword('password1')), false);
  assert.equal(await verifyPassword('x'.repeat(2000), await hashPassword('password1')), false, 'too long: refused before hashing');
});

test('new passwords: at least 8 and at most 1024 characters', () => {
  assert.equal(passwordProblem('short'), 'must be at least 8 characters');
  assert.equal(passwordProblem('long enough'), undefined);
  assert.equal(passwordProblem('x'.repeat(1025)), 'must be at most 1024 characters');
  assert.equal(passwordProblem(42), 'must be a string');
});
