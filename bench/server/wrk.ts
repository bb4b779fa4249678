// One load run with wrk (/usr/bin/wrk, C, epoll): a closed loop of `connections` connections on one
// thread, each sending the next request as soon as the last answer arrived. wrk rather than
// autocannon: it spends several times less CPU per request, so on its one core it never limits a
// server doing ~10k requests/s, and in the unpinned run it takes less CPU away from the servers; it
// also reconnects cheaply after every answer from gunicorn's sync workers, which close the
// connection each time. Latency percentiles come from wrk's own histogram (microsecond resolution).

import { spawn } from 'node:child_process';

export const WRK = '/usr/bin/wrk';

export interface WrkOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly durationS: number;
  readonly connections: number;
  /** CPU list for taskset -c, e.g. '1' or '0,1'. */
  readonly cpus: string;
}

export interface WrkResult {
  readonly rps: number;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p75Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  /** Answers whose status was not 2xx or 3xx. */
  readonly non2xx: number;
  readonly socketErrors: { connect: number; read: number; write: number; timeout: number };
}

export function runWrk(options: WrkOptions): Promise<WrkResult> {
  const args = ['-c', options.cpus, WRK, '-t1', `-c${options.connections}`, `-d${options.durationS}s`, '--timeout', '10s', '--latency'];
  for (const [name, value] of Object.entries(options.headers)) args.push('-H', `${name}: ${value}`);
  args.push(options.url);
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), (options.durationS + 15) * 1000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`wrk ended with ${signal ?? `code ${code}`}: ${err.trim() || out.trim()}`));
      try {
        resolve(parseWrk(out));
      } catch (error) {
        reject(error);
      }
    });
  });
}

const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function durationMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (match === null) throw new Error(`wrk: unreadable duration "${text}"`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** Reads wrk's text report (wrk 4.1 with --latency). */
export function parseWrk(out: string): WrkResult {
  const percentile = (p: number): number => {
    const match = new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(out);
    if (match === null) throw new Error(`wrk: no ${p}% latency in:\n${out}`);
    return durationMs(match[1]!);
  };
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  const requests = /^\s*(\d+) requests in/m.exec(out);
  if (rps === null || requests === null) throw new Error(`wrk: no totals in:\n${out}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(rps[1]),
    requests: Number(requests[1]),
    p50Ms: percentile(50),
    p75Ms: percentile(75),
    p90Ms: percentile(90),
    p99Ms: percentile(99),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: {
      connect: Number(socket?.[1] ?? 0),
      read: Number(socket?.[2] ?? 0),
      write: Number(socket?.[3] ?? 0),
      timeout: Number(socket?.[4] ?? 0),
    },
  };
}
