// ensureDevCertificate: makes a development CA and a localhost certificate once, reuses them while
// they stay valid, renews what is about to expire, and refuses a key others can read. Real openssl.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../src/errors.ts';
import { defaultDevCertificateDir, devCertificateInstructions, ensureDevCertificate, type DevCertificate } from '../../src/https/devCertificate.ts';

const root = mkdtempSync(join(tmpdir(), 'gatehouse-dev-cert-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `dev-${++dirs}`, 'nested');

const DAY = 86_400_000;
const certificate = (file: string) => new X509Certificate(readFileSync(file));
/** One extension as openssl prints it: X509Certificate does not expose extensions. */
const extension = (file: string, name: string) => execFileSync('openssl', ['x509', '-in', file, '-noout', '-ext', name], { encoding: 'utf8' });

describe('a new development certificate', () => {
  let dev: DevCertificate;
  test('is created in a new directory, 0700, with keys 0600', async () => {
    const dir = freshDir();
    dev = await ensureDevCertificate(dir);
    assert.equal(dev.action, 'created');
    assert.deepEqual([dev.caCert, dev.cert, dev.key], [join(dir, 'ca.crt'), join(dir, 'localhost.crt'), join(dir, 'localhost.key')]);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const key of [dev.key, join(dir, 'ca.key')]) assert.equal(statSync(key).mode & 0o777, 0o600, key);
  });

  const checks: Array<[what: string, check: () => void]> = [
    ['the CA is a CA limited to signing server certificates (pathlen 0)', () => {
      assert.equal(certificate(dev.caCert).ca, true);
      assert.match(extension(dev.caCert, 'basicConstraints'), /critical\s+CA:TRUE, pathlen:0/);
      assert.match(extension(dev.caCert, 'keyUsage'), /critical\s+Certificate Sign, CRL Sign/);
    }],
    ['the CA may only sign for localhost and loopback addresses', () => {
      assert.match(extension(dev.caCert, 'nameConstraints'), /critical\s+Permitted:\s+DNS:localhost\s+IP:127\.0\.0\.0\/255\.0\.0\.0\s+IP:0:0:0:0:0:0:0:1\/FFFF/);
    }],
    ['the server certificate names localhost, 127.0.0.1 and ::1', () => {
      const leaf = certificate(dev.cert);
      assert.equal(leaf.checkHost('localhost'), 'localhost');
      assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
      assert.equal(leaf.checkIP('::1'), '::1');
      assert.equal(leaf.checkHost('example.com'), undefined);
    }],
    ['the server certificate is for TLS servers, not a CA', () => {
      const leaf = certificate(dev.cert);
      assert.equal(leaf.ca, false);
      assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1']);
      assert.match(extension(dev.cert, 'keyUsage'), /critical\s+Digital Signature/);
    }],
    ['the server certificate is signed by the CA and valid for at most 825 days', () => {
      const leaf = certificate(dev.cert);
      const ca = certificate(dev.caCert);
      assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
      const days = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / DAY;
      assert.ok(days <= 825 && days > 800, `${days} days`);
      assert.equal(dev.validTo.getTime(), Date.parse(leaf.validTo));
      assert.equal(dev.caFingerprint256, ca.fingerprint256);
    }],
    ['both keys are EC P-256', () => {
      for (const file of [dev.cert, dev.caCert]) assert.equal(certificate(file).publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    }],
    ['openssl verify accepts the chain', () => {
      assert.match(execFileSync('openssl', ['verify', '-CAfile', dev.caCert, '-purpose', 'sslserver', dev.cert], { encoding: 'utf8' }), /: OK/);
    }],
    ['the instructions name the CA file and how curl trusts it', () => {
      const text = devCertificateInstructions(dev, 'https://localhost:8443/').join('\n');
      assert.match(text, /new: trust it once/);
      assert.ok(text.includes(`curl --cacert ${dev.caCert} https://localhost:8443/`));
      assert.ok(text.includes(dev.caFingerprint256));
    }],
  ];
  for (const [what, check] of checks) test(what, check);
});

describe('a later run', () => {
  interface Case {
    readonly why: string;
    /** What happens to the files between the first run and this one. */
    readonly change: (dir: string) => void;
    readonly minValidDays?: number;
    readonly action: DevCertificate['action'];
    readonly sameCa: boolean;
    readonly sameServerCertificate: boolean;
  }
  const cases: Case[] = [
    { why: 'nothing changed: reused as is', change: () => {}, action: 'reused', sameCa: true, sameServerCertificate: true },
    { why: 'server certificate expires within minValidDays: renewed, same CA', change: () => {}, minValidDays: 900, action: 'renewed', sameCa: true, sameServerCertificate: false },
    { why: 'CA expires within minValidDays: all made again', change: () => {}, minValidDays: 4000, action: 'created', sameCa: false, sameServerCertificate: false },
    { why: 'server certificate deleted: renewed, same CA', change: (dir) => rmSync(join(dir, 'localhost.crt')), action: 'renewed', sameCa: true, sameServerCertificate: false },
    { why: 'server certificate corrupted: renewed', change: (dir) => writeFileSync(join(dir, 'localhost.crt'), 'garbage'), action: 'renewed', sameCa: true, sameServerCertificate: false },
    { why: 'server key from elsewhere: renewed', change: (dir) => writeFileSync(join(dir, 'localhost.key'), readFileSync(join(dir, 'ca.key')), { mode: 0o600 }), action: 'renewed', sameCa: true, sameServerCertificate: false },
    { why: 'CA key deleted: all made again', change: (dir) => rmSync(join(dir, 'ca.key')), action: 'created', sameCa: false, sameServerCertificate: false },
    { why: 'a stale lock left by a killed run is taken over', change: (dir) => { rmSync(join(dir, 'localhost.crt')); mkdirSync(join(dir, '.lock')); utimesSync(join(dir, '.lock'), new Date(Date.now() - 120_000), new Date(Date.now() - 120_000)); }, action: 'renewed', sameCa: true, sameServerCertificate: false },
  ];
  for (const c of cases) {
    test(c.why, async () => {
      const dir = freshDir();
      const first = await ensureDevCertificate(dir);
      const firstServer = readFileSync(first.cert);
      c.change(dir);
      const later = await ensureDevCertificate(dir, c.minValidDays === undefined ? {} : { minValidDays: c.minValidDays });
      assert.equal(later.action, c.action);
      assert.equal(later.caFingerprint256 === first.caFingerprint256, c.sameCa);
      assert.equal(readFileSync(later.cert).equals(firstServer), c.sameServerCertificate);
      const leaf = certificate(later.cert);
      assert.ok(leaf.verify(certificate(later.caCert).publicKey), 'the server certificate is signed by the CA on disk');
      assert.ok(leaf.checkPrivateKey(createPrivateKey(readFileSync(later.key))), 'the key on disk belongs to the certificate');
      assert.deepEqual(readdirSync(dir).sort(), ['ca.crt', 'ca.key', 'localhost.crt', 'localhost.key'], 'no lock or scratch directory left');
    });
  }

  test('two servers started together on a new directory: one creates, the other reuses the same files', async () => {
    const dir = freshDir();
    const [a, b] = await Promise.all([ensureDevCertificate(dir), ensureDevCertificate(dir)]);
    assert.deepEqual([a.action, b.action].sort(), ['created', 'reused']);
    assert.equal(a.caFingerprint256, b.caFingerprint256);
    assert.equal(a.validTo.getTime(), b.validTo.getTime());
  });
});

describe('refusals', () => {
  test('a key other users can read is not used again', async () => {
    const dir = freshDir();
    await ensureDevCertificate(dir);
    chmodSync(join(dir, 'ca.key'), 0o644);
    const error = await ensureDevCertificate(dir).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ConfigError);
    assert.equal(error.issues[0]?.setting, '--https-dev');
    assert.match(error.message, /readable by other users \(mode 644\)[\s\S]*chmod 600/);
  });

  test('no openssl: a ConfigError saying what to install, when something must be created', async () => {
    const error = await ensureDevCertificate(freshDir(), { openssl: join(root, 'no-such-openssl') }).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /--https-dev: needs OpenSSL .* was not found[\s\S]*apt-get install openssl[\s\S]*--tls-cert/);
  });

  test('no openssl is fine while the files can be reused', async () => {
    const dir = freshDir();
    await ensureDevCertificate(dir);
    assert.equal((await ensureDevCertificate(dir, { openssl: join(root, 'no-such-openssl') })).action, 'reused');
  });
});

describe('defaultDevCertificateDir: one per user, outside any project', () => {
  const cases: Array<[why: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform, expected: string]> = [
    ['Linux with XDG_DATA_HOME', { XDG_DATA_HOME: '/data/me' }, 'linux', '/data/me/gatehouse/dev-tls'],
    ['Linux without XDG_DATA_HOME', {}, 'linux', '/home/me/.local/share/gatehouse/dev-tls'],
    ['a relative XDG_DATA_HOME is ignored (XDG Base Directory spec)', { XDG_DATA_HOME: 'data' }, 'linux', '/home/me/.local/share/gatehouse/dev-tls'],
    ['macOS', { XDG_DATA_HOME: '/data/me' }, 'darwin', '/home/me/Library/Application Support/gatehouse/dev-tls'],
  ];
  for (const [why, env, platform, expected] of cases) {
    test(why, () => assert.equal(defaultDevCertificateDir(env, platform, '/home/me'), expected));
  }
});
