// Starts a server variant in its own process, pinned to the server core, and stops it again. The
// child is spawned by us and stopped by its pid, nothing else.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { HOST } from './serverProcess.ts';

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 3_000;

export interface Pinning {
  /** e.g. ['taskset', '-c', '0'], or [] when unpinned. */
  readonly serverPrefix: readonly string[];
}

export interface RunningServer {
  readonly pid: number;
  readonly port: number;
  /** NOTE lines the variant printed (how Gatehouse was mounted, and the like). */
  readonly notes: readonly string[];
  readonly cpusAllowed: string;
  /** CPU time the process (all threads) has used so far, in seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export type StartResult = { readonly ok: true; readonly server: RunningServer } | { readonly ok: false; readonly why: string };

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

const CLOCK_TICKS = clockTicks();

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100; // USER_HZ on every mainstream Linux build
  }
}

function cpuSecondsOf(pid: number): number {
  // /proc/<pid>/stat: fields 14 and 15 are utime and stime in clock ticks; the command name (field
  // 2) may contain spaces, so count from its closing parenthesis.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function cpusAllowedOf(pid: number): string {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('Cpus_allowed_list:'));
  return line?.split(':')[1]?.trim() ?? '?';
}

/** Starts bench/servers/<file> with `env` added to ours (BENCH_PORT is set here) and waits for READY. */
export async function startServer(file: string, env: Readonly<Record<string, string>>, pinning: Pinning, logDir: string): Promise<StartResult> {
  const port = await freePort();
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, `${file.replace(/\W+/g, '_')}-${port}.log`);
  const logFd = openSync(logPath, 'w');
  const command = [...pinning.serverPrefix, process.execPath, '--import', 'tsx', join('bench', 'servers', file)];
  const child: ChildProcess = spawn(command[0]!, command.slice(1), {
    env: { ...process.env, NODE_ENV: 'production', ...env, BENCH_PORT: String(port) },
    stdio: ['ignore', 'pipe', logFd],
  });
  closeSync(logFd);
  const notes: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stderrTail = (): string => {
    try {
      return readFileSync(logPath, 'utf8').trim().split('\n').slice(-5).join(' | ');
    } catch {
      return '';
    }
  };

  const started = await new Promise<{ readonly why?: string }>((resolve) => {
    let buffered = '';
    const timer = setTimeout(() => resolve({ why: `no READY within ${READY_TIMEOUT_MS / 1000} s` }), READY_TIMEOUT_MS);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line.startsWith('NOTE ')) notes.push(line.slice(5));
        else if (line.startsWith('UNAVAILABLE ')) {
          clearTimeout(timer);
          resolve({ why: line.slice(12) });
        } else if (line === `READY ${port}`) {
          clearTimeout(timer);
          resolve({});
        }
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ why: `exited (${signal ?? `code ${code}`}) before READY: ${stderrTail()}` });
    });
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    }
    // Keep what a variant wrote to stderr (a warning, a crash) unless it is the deliberate log.
    if (env.BENCH_GATEHOUSE_LOG === '1' || statSync(logPath).size === 0) rmSync(logPath, { force: true });
  };

  if (started.why !== undefined) {
    await stop();
    return { ok: false, why: started.why };
  }
  const pid = child.pid!;
  return {
    ok: true,
    server: {
      pid,
      port,
      notes,
      cpusAllowed: cpusAllowedOf(pid),
      cpuSeconds: () => cpuSecondsOf(pid),
      stop,
    },
  };
}
