// Set-Cookie values for cookies that carry credentials: safe defaults, and mistakes refused at the call.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clearCookieHeader, setCookieHeader, type CookieOptions } from '../../src/https/setCookie.ts';

test('setCookieHeader: Secure, HttpOnly, SameSite=Lax and Path=/ unless told otherwise', () => {
  const rows: [string, string, CookieOptions | undefined, string][] = [
    ['sessionid', 'abc123', undefined, 'sessionid=abc123; Path=/; Secure; HttpOnly; SameSite=Lax'],
    ['__Host-sid', 'v', { maxAge: 3600 }, '__Host-sid=v; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax'],
    ['sid', 'v', { sameSite: 'Strict', path: '/api' }, 'sid=v; Path=/api; Secure; HttpOnly; SameSite=Strict'],
    ['sid', 'v', { sameSite: 'None', partitioned: true }, 'sid=v; Path=/; Secure; HttpOnly; SameSite=None; Partitioned'],
    ['sid', 'v', { domain: 'example.com', expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)) }, 'sid=v; Path=/; Domain=example.com; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Secure; HttpOnly; SameSite=Lax'],
    ['csrftoken', 'v', { httpOnly: false }, 'csrftoken=v; Path=/; Secure; SameSite=Lax'],
    ['dev', 'v', { secure: false }, 'dev=v; Path=/; HttpOnly; SameSite=Lax'],
    ['sid', '"quoted"', undefined, 'sid="quoted"; Path=/; Secure; HttpOnly; SameSite=Lax'],
    ['sid', 'v', { maxAge: -5 }, 'sid=v; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax'],
  ];
  for (const [name, value, options, expected] of rows) assert.equal(setCookieHeader(name, value, options), expected);
});

test('setCookieHeader: what browsers would mangle or drop throws', () => {
  const rows: [string, string, CookieOptions, RegExp][] = [
    ['bad name', 'v', {}, /is not a token/],
    ['sid', 'a;b', {}, /cannot carry/],
    ['sid', 'a b', {}, /cannot carry/],
    ['sid', 'a,b', {}, /cannot carry/],
    ['sid', 'é', {}, /cannot carry/],
    ['sid', 'v', { sameSite: 'None', secure: false }, /need Secure/],
    ['sid', 'v', { partitioned: true, secure: false }, /need Secure/],
    ['__Secure-sid', 'v', { secure: false }, /__Secure- prefix requires Secure/],
    ['__Host-sid', 'v', { path: '/api' }, /__Host- prefix requires Secure, Path=\/ and no Domain/],
    ['__Host-sid', 'v', { domain: 'example.com' }, /__Host- prefix/],
    ['sid', 'v', { path: 'api' }, /must start with "\/"/],
    ['sid', 'v', { path: '/a;b' }, /must start with "\/"/],
    ['sid', 'v', { domain: 'example.com; Secure' }, /is not a domain name/],
    ['sid', 'v', { sameSite: 'lax' as 'Lax' }, /sameSite must be/],
    ['sid', 'v', { maxAge: Number.NaN }, /maxAge must be a number/],
    ['sid', 'v', { expires: new Date('nope') }, /invalid Date/],
  ];
  for (const [name, value, options, message] of rows) assert.throws(() => setCookieHeader(name, value, options), message, `${name}=${value} ${JSON.stringify(options)}`);
});

test('clearCookieHeader: the same cookie, expired', () => {
  assert.equal(clearCookieHeader('sessionid'), 'sessionid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax');
  assert.equal(clearCookieHeader('sid', { path: '/api', domain: 'example.com' }), 'sid=; Path=/api; Domain=example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax');
});
