// One measurement: autocannon (in this process, pinned to the load-generator core) against one
// running server, recording requests/s, latency percentiles from every response's own timing (at
// microsecond resolution; autocannon's histogram rounds to whole milliseconds), and how busy each
// side was. The server's CPU time per request is a second, client-independent measure of its cost.

import autocannon, { type AutocannonRequest } from 'autocannon';
import type { RunningServer } from './serverControl.ts';
import { machineBusySeconds } from './machineLoad.ts';
import { HOST } from './serverProcess.ts';
import { percentileOfSorted } from './stats.ts';
import type { BenchRequest } from './workload.ts';

export const CONNECTIONS = 50;
export const PIPELINING = 1;

export interface Measurement {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Fraction of one core the server used during the run. */
  readonly serverCpu: number;
  /** Fraction of one core this process (the load generator) used. */
  readonly clientCpu: number;
  readonly serverCpuUsPerRequest: number;
  /** Fraction of a core used by anything else on the machine during the run. */
  readonly foreignCpu: number;
  readonly requests: number;
  /** Errors, timeouts and answers with another status than expected (any 2xx, or `expectStatus`). */
  readonly failures: number;
}

function options(server: RunningServer, durationS: number, requests: readonly BenchRequest[]) {
  return {
    url: `http://${HOST}:${server.port}`,
    connections: CONNECTIONS,
    pipelining: PIPELINING,
    duration: durationS,
    timeout: 10,
    requests: requests.map((r) => ({
      method: r.method,
      path: r.path,
      headers: { ...r.headers },
      ...(r.distinctOrigins ? { setupRequest: distinctOrigin } : r.headerCycle ? { setupRequest: cycling(r.headerCycle) } : {}),
    })),
  };
}

function cycling({ name, values }: NonNullable<BenchRequest['headerCycle']>): (request: AutocannonRequest) => AutocannonRequest {
  let next = 0;
  return (request) => ({ ...request, headers: { ...request.headers, [name]: values[next++ % values.length]! } });
}

let originCounter = 0;
const distinctOrigin = (request: AutocannonRequest): AutocannonRequest => ({ ...request, headers: { ...request.headers, origin: `https://x${++originCounter}.evil.example.net` } });

/** Runs every request kind in turn on each connection, so every code path is optimised first. */
export async function warmUp(server: RunningServer, durationS: number, requests: readonly BenchRequest[]): Promise<void> {
  await autocannon(options(server, durationS, requests));
}

export async function measure(server: RunningServer, durationS: number, request: BenchRequest): Promise<Measurement> {
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let wrongStatus = 0;
  const expected = request.expectStatus;
  const cpu0 = process.cpuUsage();
  const server0 = server.cpuSeconds();
  const machine0 = machineBusySeconds();
  const t0 = process.hrtime.bigint();
  const instance = autocannon(options(server, durationS, [request]));
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
    if (expected === undefined ? statusCode < 200 || statusCode > 299 : statusCode !== expected) {
      wrongStatus++;
      return;
    }
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = responseTimeMs;
  });
  const result = await instance;
  const elapsedS = Number(process.hrtime.bigint() - t0) / 1e9;
  const serverS = server.cpuSeconds() - server0;
  const cpu = process.cpuUsage(cpu0);
  const clientS = (cpu.user + cpu.system) / 1e6;
  const foreignS = machineBusySeconds() - machine0 - serverS - clientS;
  const sorted = latencies.subarray(0, count).sort();
  const requests = result.requests.total;
  return {
    rps: requests / result.duration,
    p50Ms: percentileOfSorted(sorted, 50),
    p99Ms: percentileOfSorted(sorted, 99),
    serverCpu: serverS / elapsedS,
    clientCpu: clientS / elapsedS,
    serverCpuUsPerRequest: requests > 0 ? (serverS * 1e6) / requests : NaN,
    foreignCpu: Math.max(0, foreignS / elapsedS),
    requests,
    failures: result.errors + result.timeouts + wrongStatus,
  };
}
