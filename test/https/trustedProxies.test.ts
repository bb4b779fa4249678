// Trusted proxies: the RFC 7239 parser, and what the client is (address, protocol, host) for the same
// forwarded headers from a trusted and an untrusted peer.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveProxySettings, type ProxySettings } from '../../src/config/httpsSchema.ts';
import { nodeAddress, parseForwarded } from '../../src/https/forwardedHeader.ts';
import { ProxyTrust, type ClientFacts } from '../../src/https/trustedProxies.ts';

test('parseForwarded: RFC 7239 §4 syntax', () => {
  const rows: [string, ReturnType<typeof parseForwarded>][] = [
    ['for=192.0.2.60;proto=http;by=203.0.113.43', [{ for: '192.0.2.60', proto: 'http', by: '203.0.113.43' }]],
    ['for="_gazonk"', [{ for: '_gazonk' }]],
    ['For="[2001:db8:cafe::17]:4711"', [{ for: '[2001:db8:cafe::17]:4711' }]],
    ['for=192.0.2.43, for=198.51.100.17', [{ for: '192.0.2.43' }, { for: '198.51.100.17' }]],
    ['for=192.0.2.43,for="[2001:db8:cafe::17]";proto=https', [{ for: '192.0.2.43' }, { for: '[2001:db8:cafe::17]', proto: 'https' }]],
    ['proto=https;host="api.example.com:8443"', [{ proto: 'https', host: 'api.example.com:8443' }]],
    ['for=a;;proto=https, , for=b', [{ for: 'a', proto: 'https' }, { for: 'b' }]], // empty pairs and elements (list rule)
    ['for="a\\"b"', [{ for: 'a"b' }]], // quoted-pair
    ['secret=1;for=a', [{ for: 'a' }]], // extensions are parsed and dropped
    ['for=', undefined], // a value is required
    ['for=a;for=b', undefined], // §4: a parameter at most once per element
    ['for="unterminated', undefined],
    ['for=a b', undefined],
    ['=a', undefined],
    ['for', undefined],
    ['for=1.2.3.4'.repeat(1000), undefined], // longer than any real chain
  ];
  for (const [value, expected] of rows) assert.deepEqual(parseForwarded(value), expected, value.slice(0, 60));
});

test('nodeAddress: the IP address of a node identifier (RFC 7239 §6) or X-Forwarded-For entry', () => {
  const rows: [string | undefined, string | undefined][] = [
    ['192.0.2.43', '192.0.2.43'],
    ['192.0.2.43:47011', '192.0.2.43'],
    ['[2001:db8:cafe::17]', '2001:db8:cafe::17'],
    ['[2001:db8:cafe::17]:4711', '2001:db8:cafe::17'],
    ['2001:db8:cafe::17', '2001:db8:cafe::17'],
    [' 10.0.0.1 ', '10.0.0.1'],
    ['unknown', undefined],
    ['_hidden', undefined],
    ['[2001:db8::1', undefined],
    ['[::1]:x', undefined],
    ['1.2.3.4:port', undefined],
    ['not-an-ip', undefined],
    ['999.1.1.1', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [node, expected] of rows) assert.equal(nodeAddress(node), expected, String(node));
});

function trust(settings: ProxySettings): ProxyTrust {
  return new ProxyTrust(resolveProxySettings(settings).value);
}

interface Row {
  readonly why: string;
  readonly settings: ProxySettings;
  readonly peer: string | undefined;
  readonly encrypted?: boolean;
  readonly headers: Record<string, string>;
  readonly expect: ClientFacts;
}

const XFF = { host: 'api.example.com', 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'www.example.com' };
const ONE = { trusted: ['127.0.0.1'] };

const rows: readonly Row[] = [
  { why: 'nobody trusted: the socket', settings: {}, peer: '127.0.0.1', headers: XFF, expect: { ip: '127.0.0.1', secure: false, host: 'api.example.com' } },
  { why: 'trusted peer: client and protocol believed, host not (USE_X_FORWARDED_HOST off)', settings: ONE, peer: '127.0.0.1', headers: XFF, expect: { ip: '203.0.113.7', secure: true, host: 'api.example.com' } },
  { why: 'untrusted peer: nothing believed', settings: ONE, peer: '127.0.0.2', headers: XFF, expect: { ip: '127.0.0.2', secure: false, host: 'api.example.com' } },
  { why: 'untrusted TLS peer stays secure', settings: ONE, peer: '127.0.0.2', encrypted: true, headers: { ...XFF, 'x-forwarded-proto': 'http' }, expect: { ip: '127.0.0.2', secure: true, host: 'api.example.com' } },
  { why: 'useForwardedHost takes X-Forwarded-Host', settings: { ...ONE, useForwardedHost: true }, peer: '127.0.0.1', headers: XFF, expect: { ip: '203.0.113.7', secure: true, host: 'www.example.com' } },
  { why: 'an invalid forwarded host is ignored', settings: { ...ONE, useForwardedHost: true }, peer: '127.0.0.1', headers: { ...XFF, 'x-forwarded-host': 'evil.com/x' }, expect: { ip: '203.0.113.7', secure: true, host: 'api.example.com' } },
  { why: 'loopback keyword and IPv4-mapped peer', settings: { trusted: ['loopback'] }, peer: '::ffff:127.0.0.1', headers: XFF, expect: { ip: '203.0.113.7', secure: true, host: 'api.example.com' } },
  { why: 'CIDR: the walk goes through every trusted hop', settings: { trusted: ['10.0.0.0/8'] }, peer: '10.0.0.2', headers: { host: 'h', 'x-forwarded-for': '198.51.100.1, 10.0.0.9, 10.0.0.8' }, expect: { ip: '198.51.100.1', secure: false, host: 'h' } },
  { why: 'the walk stops at the first untrusted hop', settings: { trusted: ['10.0.0.0/8'] }, peer: '10.0.0.2', headers: { host: 'h', 'x-forwarded-for': '10.0.0.5, 6.6.6.6, 10.0.0.8' }, expect: { ip: '6.6.6.6', secure: false, host: 'h' } },
  { why: 'of several protos, the one the outermost trusted proxy wrote', settings: { trusted: ['10.0.0.0/8'] }, peer: '10.0.0.2', headers: { host: 'h', 'x-forwarded-for': '198.51.100.1, 10.0.0.9', 'x-forwarded-proto': 'http, https, http' }, expect: { ip: '198.51.100.1', secure: true, host: 'h' } },
  { why: 'an unknown proto leaves the transport\'s', settings: ONE, peer: '127.0.0.1', headers: { host: 'h', 'x-forwarded-proto': 'gopher' }, expect: { ip: '127.0.0.1', secure: false, host: 'h' } },
  { why: 'a garbage X-Forwarded-For entry: the client is unknown', settings: ONE, peer: '127.0.0.1', headers: { host: 'h', 'x-forwarded-for': 'not-an-ip' }, expect: { ip: undefined, secure: false, host: 'h' } },
  { why: 'an unknown X-Forwarded-For entry', settings: ONE, peer: '127.0.0.1', headers: { host: 'h', 'x-forwarded-for': 'unknown' }, expect: { ip: undefined, secure: false, host: 'h' } },
  { why: 'sslHeader: the exact value means https', settings: { ...ONE, sslHeader: { name: 'x-forwarded-ssl', value: 'on' } }, peer: '127.0.0.1', headers: { host: 'h', 'x-forwarded-ssl': 'on', 'x-forwarded-proto': 'http' }, expect: { ip: '127.0.0.1', secure: true, host: 'h' } },
  { why: 'sslHeader: any other value means http, even on TLS', settings: { ...ONE, sslHeader: { name: 'x-forwarded-ssl', value: 'on' } }, peer: '127.0.0.1', encrypted: true, headers: { host: 'h', 'x-forwarded-ssl': 'off' }, expect: { ip: '127.0.0.1', secure: false, host: 'h' } },
  { why: 'forwarded: the element of the peer', settings: { ...ONE, header: 'forwarded' }, peer: '127.0.0.1', headers: { host: 'h', forwarded: 'for=198.51.100.1;proto=https;host=api.example.com' }, expect: { ip: '198.51.100.1', secure: true, host: 'h' } },
  { why: 'forwarded: host with useForwardedHost', settings: { ...ONE, header: 'forwarded', useForwardedHost: true }, peer: '127.0.0.1', headers: { host: 'h', forwarded: 'for=198.51.100.1;proto=https;host=api.example.com' }, expect: { ip: '198.51.100.1', secure: true, host: 'api.example.com' } },
  { why: 'forwarded: an obfuscated client', settings: { ...ONE, header: 'forwarded' }, peer: '127.0.0.1', headers: { host: 'h', forwarded: 'for=_abc;proto=https' }, expect: { ip: undefined, secure: true, host: 'h' } },
  { why: 'forwarded: X-Forwarded-* are not read', settings: { ...ONE, header: 'forwarded' }, peer: '127.0.0.1', headers: XFF, expect: { ip: '127.0.0.1', secure: false, host: 'api.example.com' } },
  { why: 'no peer address (a Fetch runtime that reports none): nothing believed', settings: ONE, peer: undefined, headers: XFF, expect: { ip: undefined, secure: false, host: 'api.example.com' } },
];

test('ProxyTrust.resolve: the client as the trusted proxies report it, and only them', () => {
  for (const row of rows) {
    const headers = row.headers as Record<string, string | undefined>;
    const got = trust(row.settings).resolve(row.peer, row.encrypted ?? false, headers.host, (name) => headers[name]);
    assert.deepEqual(got, row.expect, row.why);
  }
});

test('resolveProxySettings: start-up checks', () => {
  const problems: [ProxySettings, RegExp][] = [
    [{ trusted: ['0.0.0.0/0'] }, /proxy\.trusted\[0\] = "0\.0\.0\.0\/0": trusts every address/],
    [{ trusted: ['::/0'] }, /trusts every address/],
    [{ trusted: ['10.0.0.0/33'] }, /proxy\.trusted\[0\] = "10\.0\.0\.0\/33": is not an IP address/],
    [{ trusted: ['nginx'] }, /is not an IP address, a CIDR network/],
    [{ useForwardedHost: true }, /proxy\.useForwardedHost \(USE_X_FORWARDED_HOST\) = true: needs proxy\.trusted/],
    [{ sslHeader: { name: 'x-forwarded-proto', value: 'https' } }, /SECURE_PROXY_SSL_HEADER.*Django believes them from any client/],
    [{ trusted: ['127.0.0.1'], header: 'forwarded', sslHeader: { name: 'x-forwarded-proto', value: 'https' } }, /proxy\.header is "forwarded"/],
    [{ trusted: ['127.0.0.1'], sslHeader: { name: 'bad header', value: 'https' } }, /is not a header name/],
    [{ trusted: '127.0.0.1' } as unknown as ProxySettings, /proxy\.trusted/],
    [{ trustProxy: true } as unknown as ProxySettings, /proxy\.trustProxy: is not a Gatehouse setting/],
  ];
  for (const [settings, message] of problems) assert.throws(() => resolveProxySettings(settings), message, JSON.stringify(settings));
  const django = resolveProxySettings({ trusted: ['127.0.0.1'], sslHeader: { name: 'HTTP_X_FORWARDED_PROTO', value: 'https' } });
  assert.deepEqual(django.value.sslHeader, { name: 'x-forwarded-proto', value: 'https' });
  assert.match(django.warnings[0]!.message, /Gatehouse reads it as the header "x-forwarded-proto"/);
});
