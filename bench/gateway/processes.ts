// The benchmark's server processes: each pinned to the server core with taskset, started and stopped
// by this script only (never left running), with its CPU time readable from /proc.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchProcess {
  readonly name: string;
  readonly port: number;
  readonly pids: () => number[];
  stop(): Promise<void>;
}

const TICKS = 100;

/** CPU seconds a process and its children (gunicorn's workers) have used: utime+stime from /proc. */
export function cpuSeconds(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / TICKS;
    } catch {
      // exited
    }
  }
  return total;
}

/** Every descendant of a process (gunicorn's workers, nginx's), from /proc's children lists. */
export function descendants(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      const tasks = readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, 'utf8').trim();
      if (tasks !== '') out.push(...tasks.split(' ').map(Number));
    } catch {
      // gone
    }
  }
  return out;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
}

/** A node script that prints `READY <port>` (the gateway, the node upstream), pinned to `core`. */
export async function startNodeScript(name: string, script: string, args: string[], core: string): Promise<BenchProcess> {
  const child = spawn('taskset', ['-c', core, process.execPath, '--import', 'tsx', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out}`)), 30_000);
    const read = (c: Buffer) => {
      out += c.toString();
      const match = /READY (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${out}`)));
  });
  return { name, port, pids: () => descendants(child.pid!), stop: stopper(child) };
}

/**
 * nginx as the usual deployment has it: proxy_pass to the upstream with keep-alive connections, the
 * X-Forwarded-* headers, and CORS as `add_header ... always` lines for an allow-listed origin.
 */
export async function startNginx(upstreamPort: number, allowedOrigin: string, core: string): Promise<BenchProcess> {
  const prefix = mkdtempSync(join(tmpdir(), 'gatehouse-bench-nginx-'));
  mkdirSync(join(prefix, 'logs'));
  const port = await freePort();
  const config = `
daemon off;
master_process off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  map $http_origin $cors_origin {
    default "";
    "${allowedOrigin}" $http_origin;
  }
  upstream app {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      add_header Access-Control-Allow-Origin $cors_origin always;
      add_header Access-Control-Allow-Credentials "true" always;
      add_header Vary Origin always;
    }
  }
}
`;
  writeFileSync(join(prefix, 'nginx.conf'), config);
  const child = spawn('taskset', ['-c', core, '/usr/sbin/nginx', '-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'logs', 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      await response.arrayBuffer();
      break;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start: ${out}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const stop = stopper(child);
  return {
    name: 'nginx',
    port,
    pids: () => descendants(child.pid!),
    stop: async () => {
      await stop();
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
