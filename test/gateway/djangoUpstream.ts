// The Django + Django REST Framework upstream (django_upstream/app.py) under gunicorn, from Debian's
// packages (/usr/bin/python3: python3-django, python3-djangorestframework, gunicorn). Under CI=true a
// missing package fails the test; elsewhere the test skips with the reason.

import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const DJANGO_PYTHON = '/usr/bin/python3';
export const UPSTREAM_DIR = fileURLToPath(new URL('./django_upstream/', import.meta.url));
const READY_TIMEOUT_MS = 20_000;

export type UpstreamMode = 'plain' | 'leaky-cors' | 'corsheaders' | 'probe';

export interface DjangoUpstream {
  readonly url: string;
  readonly pid: number;
  close(): Promise<void>;
}

let availability: { ok: true } | { ok: false; reason: string } | undefined;

/** Whether Debian's Python has Django, DRF and gunicorn; cached. */
export function djangoUpstreamAvailable(): { ok: true } | { ok: false; reason: string } {
  if (availability) return availability;
  const probe = spawnSync(DJANGO_PYTHON, ['-I', '-B', '-c', 'import django, rest_framework, gunicorn'], { encoding: 'utf8', timeout: 15_000 });
  if (probe.error) availability = { ok: false, reason: `cannot run ${DJANGO_PYTHON}: ${probe.error.message}` };
  else if (probe.status !== 0) availability = { ok: false, reason: `${DJANGO_PYTHON} cannot import django, rest_framework and gunicorn: ${(probe.stderr || '').trim().split('\n').pop()}` };
  else availability = { ok: true };
  return availability;
}

/**
 * Starts gunicorn on a free loopback port and waits until a request is answered: `workers` sync
 * workers, or gthread workers with `threads` threads each; `taskset` pins it to those cores; `env`
 * adds to the environment (GATEHOUSE_UPSTREAM_MODE is set from `mode`).
 */
export async function startDjangoUpstream(mode: UpstreamMode = 'plain', options: { workers?: number; threads?: number; env?: Record<string, string>; bind?: string; taskset?: string } = {}): Promise<DjangoUpstream> {
  // Sync workers close the connection after every answer; gthread workers (`threads`) keep it open.
  const workerClass = options.threads === undefined ? ['--worker-class', 'sync'] : ['--worker-class', 'gthread', '--threads', String(options.threads), '--keep-alive', '75'];
  const args = ['-I', '-B', '-m', 'gunicorn', '--chdir', UPSTREAM_DIR, '--bind', options.bind ?? '127.0.0.1:0', '--workers', String(options.workers ?? 2), ...workerClass, '--log-level', 'info', 'app:application'];
  // -I drops the current directory from sys.path; gunicorn's --chdir puts the app's folder back.
  const command = options.taskset === undefined ? DJANGO_PYTHON : 'taskset';
  const argv = options.taskset === undefined ? args : ['-c', options.taskset, DJANGO_PYTHON, ...args];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env, GATEHOUSE_UPSTREAM_MODE: mode, PYTHONDONTWRITEBYTECODE: '1' } });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail('no "Listening at" line in time'), READY_TIMEOUT_MS);
    function fail(why: string): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`gunicorn did not start: ${why}\n${output}`));
    }
    const read = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /Listening at: http:\/\/[^:]+:(\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout.off('data', read);
        child.stderr.off('data', read);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => fail(`exited with ${code}`));
  });
  // Keep draining the pipes, so a chatty worker (a traceback per /throw) never blocks on a full pipe.
  child.stdout.resume();
  child.stderr.resume();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      const response = await fetch(`${url}/health`);
      await response.arrayBuffer();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`gunicorn at ${url} never answered: ${(error as Error).message}\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    pid: child.pid!,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
