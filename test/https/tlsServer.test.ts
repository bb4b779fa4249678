// Real TLS on loopback through a plain Fastify instance built with fastifyTlsOptions(): clients that
// trust the development CA get HTTP/2 or HTTP/1.1 by ALPN, clients that do not are refused, and a
// certificate renewed on disk reaches new connections while open ones keep working.

import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer as createTlsServer, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { Agent, fetch } from 'undici';
import { ensureDevCertificate, type DevCertificate } from '../../src/https/devCertificate.ts';
import { issueServerCertificate } from '../../src/https/devCertificateOpenssl.ts';
import { watchCertificate, type CertificateChange } from '../../src/https/tlsCertificateWatcher.ts';
import { loadTlsFiles, type TlsFiles } from '../../src/https/tlsFiles.ts';
import { fastifyTlsOptions, secureContextOptions } from '../../src/https/tlsServerOptions.ts';
import { captureLogger } from '../helpers/captureLogger.ts';

const INTERVAL_MS = 30;
const root = mkdtempSync(join(tmpdir(), 'gatehouse-tls-server-'));
after(() => rmSync(root, { recursive: true, force: true }));

let dev: DevCertificate;
let ca: Buffer;
let leaves = 0;

/** A new server certificate for localhost from the development CA, with its own key and serial. */
async function newLeaf(): Promise<{ cert: Buffer; key: Buffer; serial: string }> {
  const work = join(root, `leaf-${++leaves}`);
  mkdirSync(work);
  const keyFile = join(work, 'key.pem');
  writeFileSync(keyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const certFile = join(work, 'cert.pem');
  await issueServerCertificate({ workDir: work, caCertFile: dev.caCert, caKeyFile: join(dev.dir, 'ca.key'), keyFile, certFile, days: 30 });
  const cert = readFileSync(certFile);
  return { cert, key: readFileSync(keyFile), serial: new X509Certificate(cert).serialNumber };
}

/** The certificate and key a server is started from, copied where the test can overwrite them. */
function servedFiles(name: string, leaf: { cert: Buffer; key: Buffer }): TlsFiles {
  const dir = join(root, name);
  mkdirSync(dir);
  const files = { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
  writeFileSync(files.certFile, leaf.cert);
  writeFileSync(files.keyFile, leaf.key);
  return files;
}

before(async () => {
  dev = await ensureDevCertificate(join(root, 'dev'));
  ca = readFileSync(dev.caCert);
});

async function startFastify(files: TlsFiles): Promise<{ app: FastifyInstance<http2.Http2SecureServer>; port: number }> {
  const app = Fastify({ ...fastifyTlsOptions(loadTlsFiles(files)) });
  app.get('/', async (request) => ({ httpVersion: request.raw.httpVersion }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as AddressInfo).port };
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly alpn: string | false | null | undefined;
  readonly serial: string;
  readonly localPort: number | undefined;
  readonly reusedSocket: boolean;
}

function h1Get(port: number, options: https.RequestOptions & Pick<ConnectionOptions, 'ALPNProtocols'>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = https.get({ host: '127.0.0.1', port, path: '/', ...options }, (response) => {
      // Read now: a keep-alive agent takes the socket back once the response has ended.
      const socket = response.socket as TLSSocket;
      const connection = { alpn: socket.alpnProtocol, serial: socket.getPeerCertificate().serialNumber, localPort: socket.localPort, reusedSocket: request.reusedSocket };
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, ...connection }));
    });
    request.on('error', reject);
  });
}

async function h2Connect(port: number, options: http2.SecureClientSessionOptions): Promise<http2.ClientHttp2Session> {
  const session = http2.connect(`https://127.0.0.1:${port}`, options);
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  return session;
}

function h2Get(session: http2.ClientHttp2Session): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': '/' });
    let status = 0;
    let body = '';
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => resolve({ status, body, alpn: session.alpnProtocol, serial: (session.socket as TLSSocket).getPeerCertificate().serialNumber, localPort: session.socket.localPort, reusedSocket: false }));
    stream.on('error', reject);
  });
}

async function h2GetOnce(port: number, options: http2.SecureClientSessionOptions): Promise<Answer> {
  const session = await h2Connect(port, options);
  try {
    return await h2Get(session);
  } finally {
    session.close();
  }
}

function failure(promise: Promise<unknown>): Promise<NodeJS.ErrnoException> {
  return promise.then(() => assert.fail('expected the connection to be refused'), (error: unknown) => error as NodeJS.ErrnoException);
}

describe('HTTPS through Fastify: who gets in, over which protocol', () => {
  let app: FastifyInstance<http2.Http2SecureServer>;
  let port: number;
  let serial: string;
  before(async () => {
    const leaf = { cert: readFileSync(dev.cert), key: readFileSync(dev.key) };
    serial = new X509Certificate(leaf.cert).serialNumber;
    ({ app, port } = await startFastify(servedFiles('protocols', leaf)));
  });
  after(() => app.close());

  const trusted: Array<{ client: string; get: () => Promise<Pick<Answer, 'status' | 'body' | 'alpn' | 'serial'>>; alpn: string | false; httpVersion: string }> = [
    { client: 'node:https offering http/1.1 in ALPN', get: () => h1Get(port, { ca, servername: 'localhost', ALPNProtocols: ['http/1.1'], agent: false }), alpn: 'http/1.1', httpVersion: '1.1' },
    { client: 'node:https without ALPN falls back to HTTP/1.1', get: () => h1Get(port, { ca, servername: 'localhost', agent: false }), alpn: false, httpVersion: '1.1' },
    { client: 'node:https to the IP address (IP SAN 127.0.0.1)', get: () => h1Get(port, { ca, agent: false }), alpn: false, httpVersion: '1.1' },
    { client: 'node:http2 negotiates h2', get: () => h2GetOnce(port, { ca, servername: 'localhost' }), alpn: 'h2', httpVersion: '2.0' },
    {
      client: 'undici with allowH2 negotiates h2',
      get: async () => {
        const dispatcher = new Agent({ allowH2: true, connect: { ca } });
        try {
          const response = await fetch(`https://127.0.0.1:${port}/`, { dispatcher });
          return { status: response.status, body: await response.text(), alpn: 'h2', serial };
        } finally {
          await dispatcher.close();
        }
      },
      alpn: 'h2',
      httpVersion: '2.0',
    },
  ];
  for (const c of trusted) {
    test(`trusts the dev CA: ${c.client}`, async () => {
      const answer = await c.get();
      assert.equal(answer.status, 200);
      assert.deepEqual(JSON.parse(answer.body), { httpVersion: c.httpVersion });
      assert.equal(answer.alpn, c.alpn);
      assert.equal(answer.serial, serial);
    });
  }

  const refused: Array<{ client: string; connect: () => Promise<unknown>; code: string }> = [
    { client: 'node:https without the dev CA', connect: () => h1Get(port, { servername: 'localhost', agent: false }), code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    { client: 'node:http2 without the dev CA', connect: () => h2GetOnce(port, { servername: 'localhost' }), code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    {
      client: 'undici without the dev CA',
      connect: async () => {
        const dispatcher = new Agent({ allowH2: true });
        try {
          await fetch(`https://127.0.0.1:${port}/`, { dispatcher });
        } catch (error) {
          throw (error as Error).cause; // fetch's TypeError wraps the TLS error
        } finally {
          await dispatcher.close();
        }
      },
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    },
    { client: 'node:https trusting the CA, asking for another name', connect: () => h1Get(port, { ca, servername: 'example.com', agent: false }), code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
  ];
  for (const c of refused) {
    test(`refused: ${c.client}`, async () => {
      assert.equal((await failure(c.connect())).code, c.code);
    });
  }
});

describe('certificate swap while connections stay open', () => {
  const logger = captureLogger();
  const changes: CertificateChange[] = [];
  let app: FastifyInstance<http2.Http2SecureServer>;
  let port: number;
  let files: TlsFiles;
  let first: Awaited<ReturnType<typeof newLeaf>>;
  let second: Awaited<ReturnType<typeof newLeaf>>;
  let stop: () => void;
  let keepAlive: https.Agent;
  let session: http2.ClientHttp2Session;
  let h1Before: Answer;
  let h2Before: Answer;

  /** Waits for the watcher to apply or refuse the next change. */
  async function nextChange(): Promise<CertificateChange> {
    const seen = changes.length;
    const deadline = Date.now() + 5_000;
    while (changes.length === seen) {
      if (Date.now() > deadline) assert.fail('the watcher did not act on the change within 5 s');
      await sleep(INTERVAL_MS / 2);
    }
    return changes[seen]!;
  }

  before(async () => {
    first = await newLeaf();
    second = await newLeaf();
    files = servedFiles('swap', first);
    ({ app, port } = await startFastify(files));
    stop = watchCertificate(app.server, files, { logger, intervalMs: INTERVAL_MS, onChange: (change) => changes.push(change) });
    keepAlive = new https.Agent({ keepAlive: true, maxSockets: 1, ca, servername: 'localhost' });
    session = await h2Connect(port, { ca, servername: 'localhost' });
  });
  after(async () => {
    stop();
    keepAlive.destroy();
    session.close();
    await app.close();
  });

  test('before: an HTTP/1.1 keep-alive connection and an HTTP/2 session see the first certificate', async () => {
    h1Before = await h1Get(port, { agent: keepAlive });
    h2Before = await h2Get(session);
    assert.equal(h1Before.serial, first.serial);
    assert.equal(h2Before.serial, first.serial);
    assert.notEqual(first.serial, second.serial);
  });

  test('a renewal written in place (certificate, then key) is applied once, and logged', async () => {
    writeFileSync(files.certFile, second.cert);
    writeFileSync(files.keyFile, second.key);
    const change = await nextChange();
    assert.ok(change.applied, change.applied ? '' : change.error.message);
    assert.equal(change.certificate.serialNumber, second.serial);
    await sleep(INTERVAL_MS * 4);
    assert.equal(changes.length, 1, 'unchanged files are not applied again');
    const line = logger.entries.find((e) => e.level === 'info' && /TLS certificate reloaded/.test(e.message));
    assert.match(String(line?.fields.certificate), new RegExp(`serial ${second.serial}`));
  });

  test('the open HTTP/1.1 connection still answers, on the same socket, with the first certificate', async () => {
    const answer = await h1Get(port, { agent: keepAlive });
    assert.equal(answer.status, 200);
    assert.equal(answer.reusedSocket, true);
    assert.equal(answer.localPort, h1Before.localPort);
    assert.equal(answer.serial, first.serial);
  });

  test('the open HTTP/2 session still answers, with the first certificate', async () => {
    const answer = await h2Get(session);
    assert.equal(answer.status, 200);
    assert.equal(answer.localPort, h2Before.localPort);
    assert.equal(answer.serial, first.serial);
  });

  test('new HTTP/1.1 and HTTP/2 connections get the renewed certificate', async () => {
    assert.equal((await h1Get(port, { ca, servername: 'localhost', agent: false, ALPNProtocols: ['http/1.1'] })).serial, second.serial);
    const h2 = await h2GetOnce(port, { ca, servername: 'localhost' });
    assert.equal(h2.serial, second.serial);
    assert.equal(h2.alpn, 'h2', 'ALPN survives setSecureContext');
  });

  const broken: Array<{ why: string; write: () => void; problem: RegExp }> = [
    { why: 'a certificate with the key of another issuance', write: () => writeFileSync(files.certFile, first.cert), problem: /--tls-key .*does not belong to the certificate/ },
    { why: 'a certificate file that is not PEM', write: () => writeFileSync(files.certFile, 'renewal failed halfway\n'), problem: /--tls-cert .*is not PEM/ },
    { why: 'a deleted key file', write: () => rmSync(files.keyFile), problem: /--tls-key .*does not exist/ },
  ];
  for (const c of broken) {
    test(`refused, previous certificate kept: ${c.why}`, async () => {
      c.write();
      const change = await nextChange();
      assert.equal(change.applied, false);
      const line = logger.entries.at(-1)!;
      assert.equal(line.level, 'error');
      assert.match(line.message, /refused: still serving the previous certificate/);
      assert.match((line.fields.problems as string[]).join('\n'), c.problem);
      assert.equal((await h1Get(port, { ca, servername: 'localhost', agent: false })).serial, second.serial);
      assert.equal((await h2GetOnce(port, { ca, servername: 'localhost' })).serial, second.serial);
      // Put the good pair back: a change from the refused files, so it is applied (again).
      writeFileSync(files.certFile, second.cert);
      writeFileSync(files.keyFile, second.key);
      assert.ok((await nextChange()).applied);
    });
  }

  test('a renewal whose key arrives long after its certificate: refused once, then applied', async () => {
    const third = await newLeaf();
    writeFileSync(files.keyFile, second.key);
    writeFileSync(files.certFile, third.cert);
    assert.equal((await nextChange()).applied, false);
    writeFileSync(files.keyFile, third.key);
    const change = await nextChange();
    assert.ok(change.applied);
    assert.equal((await h1Get(port, { ca, servername: 'localhost', agent: false })).serial, third.serial);
  });

  test('after stop(), changes on disk are left alone', async () => {
    const served = (await h2GetOnce(port, { ca, servername: 'localhost' })).serial;
    stop();
    const fourth = await newLeaf();
    writeFileSync(files.certFile, fourth.cert);
    writeFileSync(files.keyFile, fourth.key);
    const seen = changes.length;
    await sleep(INTERVAL_MS * 5);
    assert.equal(changes.length, seen);
    assert.equal((await h2GetOnce(port, { ca, servername: 'localhost' })).serial, served);
  });
});

describe('certificate watcher debounce', () => {
  test('certificate and key written a fraction of an interval apart: one change, no refusal', async () => {
    const interval = 200;
    const a = await newLeaf();
    const b = await newLeaf();
    const files = servedFiles('debounce', a);
    const server = createTlsServer(secureContextOptions(loadTlsFiles(files)));
    const changes: CertificateChange[] = [];
    const stop = watchCertificate(server, files, { logger: captureLogger(), intervalMs: interval, onChange: (change) => changes.push(change) });
    try {
      writeFileSync(files.certFile, b.cert);
      await sleep(interval / 6);
      writeFileSync(files.keyFile, b.key);
      await sleep(interval * 4);
      assert.deepEqual(changes.map((c) => (c.applied ? c.certificate.serialNumber : c.error.message)), [b.serial]);
    } finally {
      stop();
    }
  });
});
