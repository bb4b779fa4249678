// loadTlsFiles: a usable pair loads; every way a pair is unusable is refused at start-up with the flag
// to fix and the reason. Real certificates made by openssl in a temp dir.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '../../src/errors.ts';
import { ensureDevCertificate } from '../../src/https/devCertificate.ts';
import { issueServerCertificate } from '../../src/https/devCertificateOpenssl.ts';
import { loadTlsFiles, readTlsFiles, type TlsFiles, type TlsCheckOptions } from '../../src/https/tlsFiles.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tls-files-'));
const at = (name: string) => join(dir, name);
let serial = '';

before(async () => {
  const dev = await ensureDevCertificate(join(dir, 'dev'));
  writeFileSync(at('ca.pem'), readFileSync(dev.caCert));
  writeFileSync(at('cert.pem'), readFileSync(dev.cert));
  writeFileSync(at('key.pem'), readFileSync(dev.key));
  serial = new X509Certificate(readFileSync(dev.cert)).serialNumber;
  // A second issuance from the same CA, so its key does not match cert.pem.
  const work = at('work');
  mkdirSync(work);
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  writeFileSync(at('other-key.pem'), other.export({ type: 'pkcs8', format: 'pem' }));
  await issueServerCertificate({ workDir: work, caCertFile: dev.caCert, caKeyFile: join(dir, 'dev', 'ca.key'), keyFile: at('other-key.pem'), certFile: at('other-cert.pem'), days: 30 });
  writeFileSync(at('chain.pem'), readFileSync(at('cert.pem')).toString() + readFileSync(at('ca.pem')).toString());
  writeFileSync(at('reversed.pem'), readFileSync(at('ca.pem')).toString() + readFileSync(at('cert.pem')).toString());
  writeFileSync(at('cert.der'), new X509Certificate(readFileSync(at('cert.pem'))).raw);
  writeFileSync(at('encrypted-key.pem'), other.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }));
  writeFileSync(at('sec1-key.pem'), other.export({ type: 'sec1', format: 'pem' }));
  writeFileSync(at('garbage.txt'), 'hello, this is not a certificate\n');
  mkdirSync(at('a-directory'));
  // A certificate for TLS clients only, and one whose RSA key OpenSSL's security level refuses.
  execFileSync('openssl', ['req', '-x509', '-new', '-key', at('other-key.pem'), '-subj', '/CN=localhost', '-days', '2', '-addext', 'extendedKeyUsage=clientAuth', '-out', at('client-cert.pem')], { stdio: 'pipe' });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:512', '-nodes', '-keyout', at('rsa512-key.pem'), '-subj', '/CN=localhost', '-days', '2', '-out', at('rsa512-cert.pem')], { stdio: 'pipe' });
});

after(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;

interface Refusal {
  readonly why: string;
  readonly files: TlsFiles;
  readonly options?: TlsCheckOptions;
  /** Each expected issue: the setting it names and a fragment of its message or hint. */
  readonly issues: ReadonlyArray<readonly [setting: string, text: RegExp]>;
}

const refusals: Refusal[] = [
  { why: 'certificate file missing', files: { certFile: at('nope.pem'), keyFile: at('key.pem') }, issues: [['--tls-cert', /does not exist/]] },
  { why: 'both files missing: both listed', files: { certFile: at('nope.pem'), keyFile: at('nope-key.pem') }, issues: [['--tls-cert', /does not exist/], ['--tls-key', /does not exist/]] },
  { why: 'a directory', files: { certFile: at('a-directory'), keyFile: at('key.pem') }, issues: [['--tls-cert', /is a directory/]] },
  { why: 'certificate file is not PEM', files: { certFile: at('garbage.txt'), keyFile: at('key.pem') }, issues: [['--tls-cert', /is not PEM: expected a -----BEGIN CERTIFICATE----- block, found no PEM block/]] },
  { why: 'certificate file is DER', files: { certFile: at('cert.der'), keyFile: at('key.pem') }, issues: [['--tls-cert', /binary DER.*openssl x509 -inform der/]] },
  { why: 'flags swapped', files: { certFile: at('key.pem'), keyFile: at('cert.pem') }, issues: [['--tls-cert', /holds a private key.*swapped\?/], ['--tls-key', /holds a certificate.*swapped\?/]] },
  { why: 'key file is not PEM', files: { certFile: at('cert.pem'), keyFile: at('garbage.txt') }, issues: [['--tls-key', /expected a -----BEGIN PRIVATE KEY----- block/]] },
  { why: 'key encrypted with a passphrase', files: { certFile: at('cert.pem'), keyFile: at('encrypted-key.pem') }, issues: [['--tls-key', /encrypted with a passphrase.*openssl pkey/]] },
  { why: 'key from another issuance', files: { certFile: at('cert.pem'), keyFile: at('other-key.pem') }, issues: [['--tls-key', /does not belong to the certificate in --tls-cert \(serial [0-9A-F]+, CN=localhost/]] },
  { why: 'expired (clock after notAfter)', files: { certFile: at('cert.pem'), keyFile: at('key.pem') }, options: { now: new Date(Date.now() + 900 * DAY) }, issues: [['--tls-cert', /the certificate .* expired on \d{4}-/]] },
  { why: 'not yet valid (clock before notBefore)', files: { certFile: at('cert.pem'), keyFile: at('key.pem') }, options: { now: new Date(Date.now() - DAY) }, issues: [['--tls-cert', /the certificate .* is not valid before \d{4}-.*check the system clock/]] },
  { why: 'chain out of order (CA first)', files: { certFile: at('reversed.pem'), keyFile: at('key.pem') }, issues: [['--tls-cert', /out of order/], ['--tls-key', /does not belong/]] },
  { why: 'intermediates that did not issue the certificate', files: { certFile: at('cert.pem'), keyFile: at('key.pem'), caFile: at('other-cert.pem') }, issues: [['--tls-cert', /out of order/]] },
  { why: 'intermediates file missing', files: { certFile: at('cert.pem'), keyFile: at('key.pem'), caFile: at('nope.pem') }, issues: [['--tls-ca', /does not exist/]] },
  { why: 'certificate for TLS clients only', files: { certFile: at('client-cert.pem'), keyFile: at('other-key.pem') }, issues: [['--tls-cert', /not for TLS servers/]] },
  { why: 'RSA key OpenSSL refuses', files: { certFile: at('rsa512-cert.pem'), keyFile: at('rsa512-key.pem') }, issues: [['--tls-cert', /OpenSSL refuses the pair: .*key too small/]] },
  {
    why: 'names from the config file when given',
    files: { certFile: at('nope.pem'), keyFile: at('key.pem') },
    options: { settingNames: { cert: 'server.tls.cert', key: 'server.tls.key', ca: 'server.tls.ca' } },
    issues: [['server.tls.cert', /does not exist/]],
  },
];

describe('loadTlsFiles refuses an unusable pair, naming the setting', () => {
  for (const c of refusals) {
    test(c.why, async () => {
      for (const load of [() => loadTlsFiles(c.files, c.options), () => readTlsFiles(c.files, c.options)]) {
        const error = await Promise.resolve().then(load).then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        assert.equal(error.issues.length, c.issues.length, error.message);
        c.issues.forEach(([setting, text], i) => {
          const issue = error.issues[i]!;
          assert.equal(issue.setting, setting);
          assert.match(`${issue.message} ${issue.hint ?? ''}`, text);
        });
      }
    });
  }
});

describe('loadTlsFiles accepts a usable pair', () => {
  const cases: Array<{ why: string; files: TlsFiles; certificates: number; sameSerial: boolean }> = [
    { why: 'certificate and PKCS#8 key', files: { certFile: at('cert.pem'), keyFile: at('key.pem') }, certificates: 1, sameSerial: true },
    { why: 'SEC1 ("EC PRIVATE KEY") key with its certificate', files: { certFile: at('other-cert.pem'), keyFile: at('sec1-key.pem') }, certificates: 1, sameSerial: false },
    { why: 'full chain in the certificate file', files: { certFile: at('chain.pem'), keyFile: at('key.pem') }, certificates: 2, sameSerial: true },
    { why: 'intermediates in --tls-ca, sent after the certificate', files: { certFile: at('cert.pem'), keyFile: at('key.pem'), caFile: at('ca.pem') }, certificates: 2, sameSerial: true },
  ];
  for (const c of cases) {
    test(c.why, () => {
      const pair = loadTlsFiles(c.files);
      assert.equal((pair.cert.toString().match(/-----BEGIN CERTIFICATE-----/g) ?? []).length, c.certificates);
      assert.equal(new X509Certificate(pair.cert).serialNumber, pair.certificate.serialNumber, 'the server certificate comes first');
      assert.match(pair.key.toString(), /^-----BEGIN PRIVATE KEY-----/);
      assert.equal(pair.certificate.serialNumber === serial, c.sameSerial);
    });
  }
});
