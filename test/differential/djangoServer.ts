// Starts the django-cors-headers oracle (test/differential/django_app/app.py) under Debian's
// /usr/bin/python3, which has Django 3.2 and django-cors-headers 3.14. The `python3` on PATH is a pyenv
// without Django, so the interpreter path is fixed on purpose.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DJANGO_PYTHON = '/usr/bin/python3';
export const DJANGO_APP = fileURLToPath(new URL('./django_app/app.py', import.meta.url));
const READY_TIMEOUT_MS = 15_000;
// -I: ignore PYTHON* variables and the user site (a pyenv on PATH must not leak in); -B: write no .pyc.
const PYTHON_FLAGS = ['-I', '-B'];

export interface DjangoServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  /** Messages from Django's system checks (`CHECK corsheaders.E014: ...`), printed at start-up. */
  readonly checks: readonly string[];
  close(): Promise<void>;
}

let availability: { ok: true } | { ok: false; reason: string } | undefined;

/** Whether /usr/bin/python3 can import django and corsheaders; the answer is cached. */
export function djangoAvailable(): { ok: true } | { ok: false; reason: string } {
  if (availability) return availability;
  const probe = spawnSync(
    DJANGO_PYTHON,
    [...PYTHON_FLAGS, '-c', 'import django, corsheaders; print(django.get_version())'],
    { encoding: 'utf8', timeout: 15_000 },
  );
  if (probe.error) {
    availability = { ok: false, reason: `cannot run ${DJANGO_PYTHON}: ${probe.error.message}` };
  } else if (probe.status !== 0) {
    const detail = (probe.stderr || probe.stdout || '').trim().split('\n').pop() ?? '';
    availability = {
      ok: false,
      reason: `${DJANGO_PYTHON} cannot import django and corsheaders (exit ${String(probe.status)}): ${detail}`,
    };
  } else {
    availability = { ok: true };
  }
  return availability;
}

/** Starts the oracle with the given Django settings (setting names as keys, JSON values). */
export async function startDjango(settings: Record<string, unknown>): Promise<DjangoServer> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-django-'));
  const settingsFile = join(dir, 'settings.json');
  await writeFile(settingsFile, JSON.stringify(settings, null, 2));

  const child = spawn(DJANGO_PYTHON, [...PYTHON_FLAGS, DJANGO_APP, settingsFile], {
    // stdin stays a pipe: app.py exits when it closes, so a crashed test run leaves no server behind.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      let stdout = '';
      const fail = (why: string): void => {
        clearTimeout(timer);
        reject(
          new Error(
            `Django oracle did not start: ${why}\ncommand: ${DJANGO_PYTHON} ${[...PYTHON_FLAGS, DJANGO_APP, settingsFile].join(' ')}\nstdout: ${stdout.trim() || '(empty)'}\nstderr: ${stderr.trim() || '(empty)'}`,
          ),
        );
      };
      const timer = setTimeout(() => fail(`no READY line within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        const match = /^READY (\d+)$/m.exec(stdout);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.once('error', (error) => fail(`spawn failed: ${error.message}`));
      child.once('exit', (code, signal) => fail(`exited early (code ${String(code)}, signal ${String(signal)})`));
    });
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const checks = stderr
    .split('\n')
    .filter((line) => line.startsWith('CHECK '))
    .map((line) => line.slice('CHECK '.length));
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    checks,
    close() {
      closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
          await exited;
          clearTimeout(timer);
        }
        await rm(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
