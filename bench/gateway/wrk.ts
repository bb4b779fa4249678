// One wrk run (Debian's /usr/bin/wrk, pinned to the load-generator core): requests per second and
// latency percentiles, parsed from its --latency report.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface WrkResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Socket errors, timeouts and non-2xx/3xx answers: any of them makes the run suspect. */
  readonly errors: number;
  /** CPU seconds wrk itself used (sampled from /proc until it exited), and the run's wall time. */
  readonly clientCpuS?: number;
  readonly elapsedS?: number;
}

function ms(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

export function parseWrk(output: string): WrkResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN);
  const percentile = (p: string) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
    return match ? ms(match[1]!, match[2]!) : NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? NaN);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const errors = non2xx + (socket ? socket.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0);
  return { rps, p50Ms: percentile('50'), p99Ms: percentile('99'), requests, errors };
}

function cpuOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

export function runWrk(options: { url: string; connections: number; durationS: number; headers: Record<string, string>; core: string }): Promise<WrkResult> {
  const args = ['-c', options.core, '/usr/bin/wrk', '-t1', `-c${options.connections}`, `-d${options.durationS}s`, '--latency', '--timeout', '10s'];
  for (const [name, value] of Object.entries(options.headers)) args.push('-H', `${name}: ${value}`);
  args.push(options.url);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // taskset execs wrk in place, so the child's pid is wrk's.
    const child = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let clientCpuS = 0;
    const sampler = setInterval(() => {
      clientCpuS = cpuOf(child.pid!) ?? clientCpuS;
    }, 200);
    const killer = setTimeout(() => child.kill('SIGKILL'), (options.durationS + 30) * 1000);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearInterval(sampler);
      clearTimeout(killer);
      if (code !== 0) reject(new Error(`wrk exited with ${code}: ${stderr}`));
      else resolve({ ...parseWrk(stdout), clientCpuS, elapsedS: (performance.now() - t0) / 1000 });
    });
  });
}
