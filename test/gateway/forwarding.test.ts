// The pure parts of forwarding, row by row: the target the upstream gets, RFC 7239 values, the
// response fields kept, and the encoding of principal header values.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headerText } from '../../src/gateway/principalHeaders.ts';
import { forwardedElement, forwardedValue } from '../../src/gateway/requestHeaders.ts';
import { clientResponseHeaders } from '../../src/gateway/responseHeaders.ts';
import { upstreamTarget } from '../../src/gateway/targetPath.ts';

const targets: [string, string | 'refused', string][] = [
  ['/api/posts/?page=2', '/api/posts/?page=2', 'origin form, kept byte for byte'],
  ['/api/posts/%C3%A9', '/api/posts/%C3%A9', 'percent-encoded UTF-8 is not decoded'],
  ['/api/file.tar.gz', '/api/file.tar.gz', 'dots inside a segment are not dot segments'],
  ['/api/...', '/api/...', 'three dots are a name'],
  ['/api/x?redirect=/../admin', '/api/x?redirect=/../admin', 'the query is not a path'],
  ['http://evil.example/api/x?y=1', '/api/x?y=1', 'absolute form: path and query only (RFC 9112 §3.2.2)'],
  ['http://evil.example', '/', 'absolute form without a path'],
  ['http://evil.example?y=1', '/?y=1', 'absolute form with a query but no path'],
  ['/api/../admin', 'refused', 'a dot-dot segment'],
  ['/api/./admin', 'refused', 'a dot segment'],
  ['/api/%2e%2E/admin', 'refused', 'an encoded dot-dot segment'],
  ['/api/.%2e', 'refused', 'a half-encoded final dot-dot segment'],
  ['/api%2fadmin', 'refused', 'an encoded slash'],
  ['/api%5cadmin', 'refused', 'an encoded backslash'],
  ['/api\\admin', 'refused', 'a backslash'],
  ['/api/%00', 'refused', 'an encoded NUL'],
  ['*', 'refused', 'the asterisk form'],
  ['api/x', 'refused', 'neither a path nor an absolute URL'],
];
for (const [input, expected, why] of targets) {
  test(`upstream target: ${why}`, () => {
    const result = upstreamTarget(input);
    if (expected === 'refused') assert.ok('refused' in result, JSON.stringify(result));
    else assert.deepEqual(result, { target: expected });
  });
}

const forwarded: [string | undefined, string, string | undefined, string, string][] = [
  ['192.0.2.43', 'http', 'api.example.com', 'for=192.0.2.43;host=api.example.com;proto=http', 'IPv4 and a plain host are tokens'],
  ['2001:db8:cafe::17', 'https', 'api.example.com:8443', 'for="[2001:db8:cafe::17]";host="api.example.com:8443";proto=https', 'IPv6 is bracketed and quoted, a port is quoted (RFC 7239 §6)'],
  [undefined, 'http', undefined, 'for=unknown;proto=http', 'an unknown client, no Host'],
];
for (const [address, proto, host, expected, why] of forwarded) {
  test(`Forwarded element: ${why}`, () => assert.equal(forwardedElement(address, proto, host), expected));
}

test('a Forwarded value with a quote or backslash is escaped inside a quoted-string', () => {
  assert.equal(forwardedValue('a"b\\c'), '"a\\"b\\\\c"');
});

const raw = (...lines: string[]) => lines.map((line) => Buffer.from(line, 'latin1'));
const responses: [string, Buffer[], boolean, Record<string, string | string[]>][] = [
  ['end-to-end fields kept, names lower-cased', raw('Content-Type', 'application/json', 'ETag', '"x"'), false, { 'content-type': 'application/json', etag: '"x"' }],
  ['hop-by-hop fields and the ones Connection names dropped', raw('Connection', 'close, X-Hop', 'X-Hop', '1', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked', 'Trailer', 'X-Sum', 'Proxy-Authenticate', 'Basic', 'X-End', 'e'), false, { 'x-end': 'e' }],
  ['the upstream\'s Access-Control-* dropped', raw('Access-Control-Allow-Origin', '*', 'Access-Control-Allow-Credentials', 'true', 'X-A', 'a'), false, { 'x-a': 'a' }],
  ['keepUpstreamCors keeps them', raw('Access-Control-Allow-Origin', '*'), true, { 'access-control-allow-origin': '*' }],
  ['repeated fields stay separate lines', raw('Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'Set-Cookie', 'c=3'), false, { 'set-cookie': ['a=1', 'b=2', 'c=3'] }],
  ['obs-text bytes survive as latin1', [Buffer.from('X-Name'), Buffer.from([0x4a, 0x6f, 0x73, 0xe9])], false, { 'x-name': 'Jos\u00e9' }],
];
for (const [why, input, keep, expected] of responses) {
  test(`response fields: ${why}`, () => assert.deepEqual({ ...clientResponseHeaders(input, keep) }, expected));
}

test('a 101 answer keeps Connection and Upgrade', () => {
  assert.deepEqual({ ...clientResponseHeaders(raw('Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Accept', 'x'), false, true) }, { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-accept': 'x' });
});

const texts: [string, string, string][] = [
  ['alice@example.com', 'alice@example.com', 'visible ASCII stays as it is'],
  ['auth0|5f7c', 'auth0|5f7c', 'a provider-prefixed subject is unchanged'],
  ['José Díaz', 'Jos%C3%A9%20D%C3%ADaz', 'non-ASCII and spaces are percent-encoded UTF-8'],
  ['100%', '100%25', 'a percent sign is encoded, so decoding is exact'],
  ['a\r\nX-Gatehouse-Roles: admin', 'a%0D%0AX-Gatehouse-Roles:%20admin', 'CR LF cannot inject a header'],
  ['\ud800x', '%EF%BF%BDx', 'a lone surrogate becomes U+FFFD'],
];
for (const [input, expected, why] of texts) {
  test(`principal header value: ${why}`, () => {
    assert.equal(headerText(input), expected);
    if (!input.includes('\ud800')) assert.equal(decodeURIComponent(headerText(input)), input);
  });
}
