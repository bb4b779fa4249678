// Probe planning: the look-alikes made from an allowed origin (a table), and properties of every
// plan: each probe origin is one a browser could send, none is an origin the caller allows, none
// repeats, and the plan stays small.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ExpectedOrigins, parseExpectedOrigin } from '../../src/check/expectedOrigins.ts';
import { attackerFor, lookAlikes, planOriginProbes, planPreflights, PROBE_METHOD } from '../../src/check/probes.ts';
import { parseRequestOrigin } from '../../src/cors/originSyntax.ts';

const attacker = attackerFor('t0k3n');

const LOOK_ALIKES: readonly { basis: string; expect: readonly string[] }[] = [
  {
    basis: 'https://app.example.com',
    expect: [
      'prefix https://app.example.com.attacker-t0k3n.example',
      'suffix https://evilexample.com',
      'unescaped-dot https://appxexample.com',
      'subdomain https://probe-t0k3n.app.example.com',
      'http-downgrade http://app.example.com',
    ],
  },
  {
    // The dot replaced is the one left of the registrable domain (example.co.uk), never inside it.
    basis: 'https://a.b.example.co.uk',
    expect: [
      'prefix https://a.b.example.co.uk.attacker-t0k3n.example',
      'suffix https://evilexample.co.uk',
      'unescaped-dot https://a.bxexample.co.uk',
      'subdomain https://probe-t0k3n.a.b.example.co.uk',
      'http-downgrade http://a.b.example.co.uk',
    ],
  },
  {
    // A registrable domain itself: replacing its only dot would make an unregistrable TLD.
    basis: 'https://example.com:8443',
    expect: ['prefix https://example.com.attacker-t0k3n.example:8443', 'suffix https://evilexample.com:8443', 'subdomain https://probe-t0k3n.example.com:8443', 'http-downgrade http://example.com:8443'],
  },
  { basis: 'http://localhost:5173', expect: ['prefix http://localhost.attacker-t0k3n.example:5173', 'subdomain http://probe-t0k3n.localhost:5173'] },
  { basis: 'https://127.0.0.1:8443', expect: ['http-downgrade http://127.0.0.1:8443'] },
];

for (const row of LOOK_ALIKES) {
  test(`look-alikes of ${row.basis}`, () => {
    const m = /^(https?):\/\/([^:]+)(?::(\d+))?$/.exec(row.basis)!;
    const made = lookAlikes({ scheme: m[1]!, host: m[2]!, port: m[3] ?? '' }, attacker).map((l) => `${l.kind} ${l.origin}`);
    assert.deepEqual(made, row.expect);
  });
}

test('the plan: baseline first, then attacker, null, the expected origins and their look-alikes', () => {
  const target = new URL('https://api.example.com/api/posts/');
  const parsed = ExpectedOrigins.parse(['https://app.example.com'], target.origin);
  assert.ok(parsed.ok);
  const plan = planOriginProbes({ target, expected: parsed.value, attacker });
  assert.deepEqual(
    plan.map((p) => `${p.kind} ${p.origin ?? '-'}`),
    [
      'baseline -',
      'arbitrary https://attacker-t0k3n.example',
      'null null',
      'expected https://app.example.com',
      'prefix https://app.example.com.attacker-t0k3n.example',
      'suffix https://evilexample.com',
      'unescaped-dot https://appxexample.com',
      'subdomain https://probe-t0k3n.app.example.com',
      'http-downgrade http://app.example.com',
      // The target's own host: the suffix look-alike is the same origin as above, so sent once.
      'prefix https://api.example.com.attacker-t0k3n.example',
      'unescaped-dot https://apixexample.com',
      'subdomain https://probe-t0k3n.api.example.com',
      'http-downgrade http://api.example.com',
    ],
  );
});

test('preflights: the attacker asks for DELETE and private network; granted expected origins for a made-up method and header', () => {
  const parsed = ExpectedOrigins.parse(['https://app.example.com'], 'https://api.example.com');
  assert.ok(parsed.ok);
  const plan = planPreflights({ attacker, expected: parsed.value, granted: ['https://appxexample.com', 'https://app.example.com', 'null'] });
  assert.deepEqual(
    plan.map((p) => `${p.kind} ${p.origin} ${JSON.stringify(p.corsHeaders)}`),
    [
      'preflight-origin https://attacker-t0k3n.example {"access-control-request-method":"DELETE","access-control-request-private-network":"true"}',
      `preflight-methods https://app.example.com {"access-control-request-method":"${PROBE_METHOD}","access-control-request-headers":"x-gatehouse-probe-t0k3n"}`,
      'preflight-private-network https://app.example.com {"access-control-request-method":"GET","access-control-request-private-network":"true"}',
    ],
  );
  const stranger = planPreflights({ attacker, expected: parsed.value, granted: ['https://appxexample.com'] });
  assert.deepEqual(stranger.map((p) => `${p.kind} ${p.origin}`), ['preflight-origin https://attacker-t0k3n.example', 'preflight-methods https://appxexample.com']);
});

// Hyphens in the third and fourth places are reserved (IDNA 2008, RFC 5891 §4.2.3.1): `xn--a` is not a
// host a URL parser accepts, so such labels are not origins at all.
const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/).filter((l) => l.slice(2, 4) !== '--');
const host = fc.tuple(fc.array(label, { minLength: 0, maxLength: 3 }), label, fc.constantFrom('com', 'net', 'co.uk', 'io', 'dev', 'github.io')).map(([subs, name, tld]) => [...subs, name, tld].join('.'));
const origin = fc.tuple(fc.constantFrom('http', 'https'), host, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })).map(([scheme, h, port]) => `${scheme}://${h}${port === undefined || (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443) ? '' : `:${port}`}`);

test('every planned origin is a serialized origin, never an allowed one, never repeated; the plan stays small', () => {
  fc.assert(
    fc.property(fc.array(origin, { minLength: 0, maxLength: 4 }), host, fc.stringMatching(/^[0-9a-f]{8}$/), (allowed, targetHost, token) => {
      const target = new URL(`https://${targetHost}/api/`);
      const parsed = ExpectedOrigins.parse(allowed, target.origin);
      assert.ok(parsed.ok, allowed.join(' '));
      const plan = planOriginProbes({ target, expected: parsed.value, attacker: attackerFor(token) });
      const origins = plan.flatMap((p) => (p.origin === undefined ? [] : [p.origin]));
      assert.equal(new Set(origins).size, origins.length, 'no origin is probed twice');
      for (const p of plan) {
        if (p.origin === undefined) continue;
        assert.ok(p.origin === 'null' || parseRequestOrigin(p.origin) !== undefined, `${p.origin} is what a browser sends`);
        if (p.kind !== 'expected') assert.ok(!parsed.value.covers(p.origin), `${p.origin} is not allowed by ${allowed.join(' ')}`);
      }
      assert.ok(plan.length <= 3 + 6 * (allowed.length + 1), `${plan.length} probes`);
    }),
    { numRuns: 200 },
  );
});

const ORIGIN_ARGUMENTS: readonly [string, string][] = [
  ['https://app.example.com', 'exact https://app.example.com'],
  ['HTTPS://App.Example.com:443', 'exact https://app.example.com'],
  ['null', 'exact null'],
  ['https://*.example.com', 'pattern https://*.example.com'],
  ['https://app.example.com/', 'error'],
  ['app.example.com', 'error'],
  ['*', 'error'],
  ['https://*.com', 'error'],
  ['ftp://files.example.com', 'error'],
];

for (const [raw, expected] of ORIGIN_ARGUMENTS) {
  test(`--origin ${raw} → ${expected}`, () => {
    const parsed = parseExpectedOrigin(raw);
    const got = !parsed.ok ? 'error' : parsed.kind === 'exact' ? `exact ${parsed.origin}` : `pattern ${parsed.pattern.source}`;
    assert.equal(got, expected);
  });
}
