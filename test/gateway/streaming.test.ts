// Bodies stream through the gateway both ways: 100 MiB down and 100 MiB up, with the reader pausing
// for a second after the first 10 MiB, so that a gateway buffering what it cannot pass on would hold
// most of the rest. Each transfer gets a fresh gateway in a process of its own (gatewayProcess.ts),
// warmed up with small requests; its peak resident memory (VmHWM, reset through /proc/PID/clear_refs
// just before the transfer) must stay within 50 MB of its idle size. What it does grow by (about
// 35 MB here) is spent Buffers awaiting V8's next collection, which it triggers by external memory in
// steps of tens of MB: the same for 300 MiB as for 100 MiB, and about 90 MB when onData ignores
// backpressure, which this test catches.

import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startUpstream, type NodeUpstream } from './gatewayServer.ts';

const MiB = 1024 * 1024;
const TOTAL = 100 * MiB;
const CHUNK = Buffer.alloc(64 * 1024, 'gatehouse streaming test ');
const LIMIT_MB = 50;
const PAUSE_MS = 1000;
const PAUSE_AT = 10 * MiB;

/** Peak and current resident memory of a process, in bytes (Linux /proc). */
function memory(pid: number): { rssBytes: number; peakBytes: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rssBytes: kb('VmRSS'), peakBytes: kb('VmHWM') };
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0); false where /proc does not allow it. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Writes TOTAL bytes, honouring backpressure. */
function body(): Readable {
  let sent = 0;
  return new Readable({
    read() {
      while (sent < TOTAL) {
        sent += CHUNK.length;
        if (!this.push(CHUNK)) return;
      }
      this.push(null);
    },
  });
}

const mb = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;

describe('100 MiB through the gateway with flat memory', () => {
  let upstream: NodeUpstream;
  let child: ChildProcessWithoutNullStreams;
  let port: number;
  const figures: Record<string, unknown> = {};

  before(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.url === '/download') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': TOTAL });
        body().pipe(res);
        return;
      }
      if (req.url === '/small') {
        res.end('{"ok":true}');
        return;
      }
      // /upload: reads everything, pausing once, and answers with the count and a digest.
      let received = 0;
      let paused = false;
      const hash = createHash('sha256');
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        hash.update(chunk);
        if (!paused && received >= PAUSE_AT) {
          paused = true;
          req.pause();
          setTimeout(() => req.resume(), PAUSE_MS);
        }
      });
      req.on('end', () => res.end(JSON.stringify({ received, sha256: hash.digest('hex') })));
    });
  });

  /** A fresh gateway process, warmed up with small requests (the first ones load code and size the heap). */
  async function startGatewayProcess(): Promise<void> {
    const script = fileURLToPath(new URL('./gatewayProcess.ts', import.meta.url));
    child = spawn(process.execPath, ['--import', 'tsx', script, upstream.url], { stdio: ['pipe', 'pipe', 'pipe'] });
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`the gateway process did not start: ${out}`)), 20_000);
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const match = /READY (\d+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.once('exit', (code) => reject(new Error(`the gateway process exited (${code}): ${out}`)));
    });
    for (let i = 0; i < 200; i++) await transfer('GET', '/small', undefined);
  }

  async function stopGatewayProcess(): Promise<void> {
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    await exited;
  }

  after(async () => {
    await stopGatewayProcess();
    await upstream?.close();
    process.stdout.write(`# gateway streaming figures: ${JSON.stringify(figures)}\n`);
  });

  /** GET or POST through the gateway; reads the answer, pausing once past `pauseAt` bytes. Resolves with the byte count and the start of the body. */
  function transfer(method: string, path: string, upload: Readable | undefined, pauseAt = Infinity): Promise<{ status: number; bytes: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, agent: false, headers: upload ? { 'content-length': TOTAL } : {} }, (res) => {
        let bytes = 0;
        let paused = false;
        const small: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes <= 4096) small.push(chunk);
          if (!paused && bytes >= pauseAt) {
            paused = true;
            res.pause();
            setTimeout(() => res.resume(), PAUSE_MS);
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, text: Buffer.concat(small).toString() }));
        res.on('error', reject);
      });
      req.on('error', reject);
      if (upload) upload.pipe(req);
      else req.end();
    });
  }

  test('a 100 MiB download, the client pausing after 10 MiB', async () => {
    await startGatewayProcess();
    const idle = memory(child.pid!);
    const reset = resetPeak(child.pid!);
    const t0 = performance.now();
    const answer = await transfer('GET', '/download', undefined, PAUSE_AT);
    const after = memory(child.pid!);
    await stopGatewayProcess();
    const seconds = (performance.now() - t0) / 1000;
    assert.equal(answer.status, 200);
    assert.equal(answer.bytes, TOTAL);
    const growth = after.peakBytes - idle.rssBytes;
    figures.download = { idleRssMB: mb(idle.rssBytes), peakRssMB: mb(after.peakBytes), growthMB: mb(growth), seconds: Math.round(seconds * 100) / 100, peakReset: reset };
    assert.ok(growth < LIMIT_MB * MiB, `the gateway's peak RSS grew by ${mb(growth)} MB during the download`);
  });

  test('a 100 MiB upload, the upstream pausing after 10 MiB', async () => {
    await startGatewayProcess();
    const idle = memory(child.pid!);
    const reset = resetPeak(child.pid!);
    const hash = createHash('sha256');
    for (let i = 0; i < TOTAL / CHUNK.length; i++) hash.update(CHUNK);
    const t0 = performance.now();
    const answer = await transfer('POST', '/upload', body());
    const seconds = (performance.now() - t0) / 1000;
    const after = memory(child.pid!);
    await stopGatewayProcess();
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(JSON.parse(answer.text), { received: TOTAL, sha256: hash.digest('hex') });
    const growth = after.peakBytes - idle.rssBytes;
    figures.upload = { idleRssMB: mb(idle.rssBytes), peakRssMB: mb(after.peakBytes), growthMB: mb(growth), seconds: Math.round(seconds * 100) / 100, peakReset: reset };
    assert.ok(growth < LIMIT_MB * MiB, `the gateway's peak RSS grew by ${mb(growth)} MB during the upload`);
  });
});
