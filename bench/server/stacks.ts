// The two servers under test, each started as a deployment would start it, in a temp directory of its
// own, and stopped by the pid we spawned (then every pid of its tree, if anything is left).
//
//   gatehouse: `gatehouse serve` (bin/gatehouse.js), SQLite, NODE_ENV=production, GATEHOUSE_SECRET_KEY
//              set, LOG_LEVEL=warn; the token from `gatehouse token --user admin --lifetime 1d --json`.
//   django:    gunicorn (sync workers) over bench/server/django_app; the schema from `migrate`, the
//              token from simplejwt's RefreshToken.for_user (django_app/prepare.py).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_POSTS } from '../../src/server/seed.ts';
import { freePort } from '../serverControl.ts';
import { treePids } from './processTree.ts';

export const HOST = '127.0.0.1';
export const DJANGO_PYTHON = '/usr/bin/python3';
export const GUNICORN = '/usr/bin/gunicorn';
/** -I: no PYTHON* variables, no user site, no script directory on sys.path (the pyenv must not leak in); -B: no .pyc in the tree. */
const PYTHON_FLAGS = ['-I', '-B'];
const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..');
const GATEHOUSE_BIN = join(REPO, 'bin', 'gatehouse.js');
const START_TIMEOUT_MS = 30_000;

export type StackId = 'gatehouse' | 'django';

export interface StackOptions {
  /** The one allowed origin. */
  readonly origin: string;
  /** CPU list the server starts on (taskset -c). */
  readonly cpus: string;
  /** Gatehouse only: run `node --cpu-prof` and write the profile into this directory on stop. */
  readonly cpuProfDir?: string;
  /** Django only: gunicorn sync workers. */
  readonly workers?: number;
}

export interface Stack {
  readonly id: StackId;
  readonly pid: number;
  readonly baseUrl: string;
  /** The path measured: /api/posts/1 (Gatehouse), /api/posts/1/ (Django's router). */
  readonly postPath: string;
  readonly token: string;
  /** The server's stderr (its log), kept until stop(). */
  readonly logPath: string;
  readonly command: string;
  stop(): Promise<void>;
}

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: START_TIMEOUT_MS, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM (or `signal`) to the process we spawned; after `graceMs`, SIGKILL to what is left of its tree. */
function stopper(child: ChildProcess, cleanup: () => void, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return () =>
    (stopping ??= (async () => {
      const pids = child.pid === undefined ? [] : treePids(child.pid);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
      for (const pid of pids) {
        try {
          process.kill(pid, timedOut || pid !== child.pid ? 'SIGKILL' : 0);
        } catch {
          // already gone
        }
      }
      await exited;
      cleanup();
    })());
}

/** Waits for `pattern` on the child's stdout; its first group is returned. */
function awaitLine(child: ChildProcess, pattern: RegExp, logPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      let tail = '';
      try {
        tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-8).join('\n');
      } catch {
        // no log yet
      }
      reject(new Error(`${why}\nstdout: ${buffered.trim()}\nstderr: ${tail}`));
    };
    const timer = setTimeout(() => fail(`no "${pattern.source}" within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const match = pattern.exec(buffered);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1] ?? match[0]);
      }
    });
    child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before it was ready`));
  });
}

export async function startGatehouse(options: StackOptions): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-server-bench-'));
  const configPath = join(dir, 'gatehouse.yaml');
  writeFileSync(
    configPath,
    [
      'cors:',
      `  allowedOrigins: [${JSON.stringify(options.origin)}]`,
      '  allowCredentials: true',
      '# Counted on every request, never reached.',
      'rateLimits:',
      '  user: 100000000/minute',
      '  anon: 100000000/minute',
      '',
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: `sqlite:${join(dir, 'gatehouse.db')}`,
    GATEHOUSE_SECRET_KEY: randomBytes(32).toString('base64url'),
    GATEHOUSE_ADMIN_PASSWORD: randomBytes(12).toString('base64url'),
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
  };
  delete env.REDIS_URL; // rate limits in this process, as `rate limits: in this process` in the banner
  const logPath = join(dir, 'serve.log');
  const logFd = openSync(logPath, 'w');
  const nodeArgs = options.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir];
  const argv = ['-c', options.cpus, process.execPath, ...nodeArgs, GATEHOUSE_BIN, 'serve', '--config', configPath, '--host', HOST, '--port', '0'];
  // From the repository, as `npm start` runs it (tsx finds its transform cache and needs no esbuild service).
  const child = spawn('taskset', argv, { env, cwd: REPO, stdio: ['ignore', 'pipe', logFd] });
  closeSync(logFd);
  const stop = stopper(child, () => rmSync(dir, { recursive: true, force: true }));
  try {
    const baseUrl = await awaitLine(child, /Gatehouse listening on (http:\/\/\S+)/, logPath);
    const printed = await run(process.execPath, [GATEHOUSE_BIN, 'token', '--config', configPath, '--user', 'admin', '--lifetime', '1d', '--json'], env);
    const token = (JSON.parse(printed) as { access: string }).access;
    return { id: 'gatehouse', pid: child.pid!, baseUrl, postPath: '/api/posts/1', token, logPath, command: `taskset ${argv.join(' ')}`.replace(process.execPath, 'node').replace(REPO + '/', '').replace(configPath, '<tmp>/gatehouse.yaml'), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function startDjango(options: StackOptions): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'django-server-bench-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DJANGO_SETTINGS_MODULE: 'django_app.settings',
    BENCH_DJANGO_DB: join(dir, 'django.sqlite3'),
    BENCH_ORIGIN: options.origin,
    BENCH_DJANGO_SECRET_KEY: randomBytes(32).toString('base64url'),
    BENCH_ADMIN_PASSWORD: randomBytes(12).toString('base64url'),
    BENCH_POSTS: JSON.stringify(DEMO_POSTS),
  };
  const prepared = JSON.parse(await run(DJANGO_PYTHON, [...PYTHON_FLAGS, join(HERE, 'django_app', 'prepare.py')], env)) as { access: string; posts: number };
  if (prepared.posts !== DEMO_POSTS.length) throw new Error(`django_app/prepare.py seeded ${prepared.posts} posts, expected ${DEMO_POSTS.length}`);
  const port = await freePort();
  const logPath = join(dir, 'gunicorn.log');
  const logFd = openSync(logPath, 'w');
  const workers = options.workers ?? 2;
  // No --access-logfile: gunicorn writes no access log unless given one.
  const argv = ['-c', options.cpus, DJANGO_PYTHON, ...PYTHON_FLAGS, GUNICORN, '--workers', String(workers), '--worker-class', 'sync', '--bind', `${HOST}:${port}`, '--chdir', HERE, '--log-level', 'warning', 'django_app.wsgi:application'];
  const child = spawn('taskset', argv, { env, cwd: dir, stdio: ['ignore', 'ignore', logFd] });
  closeSync(logFd);
  // SIGQUIT: gunicorn's quick shutdown (SIGTERM waits up to 30 s for its workers).
  const stop = stopper(child, () => rmSync(dir, { recursive: true, force: true }), 'SIGQUIT', 3_000);
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    // Ready when every worker has booted (each imports Django) and the port answers.
    while (treePids(child.pid!).length < workers + 1 || !(await answers(port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`gunicorn did not start: ${readFileSync(logPath, 'utf8').trim().split('\n').slice(-8).join('\n')}`);
      await sleep(100);
    }
    await sleep(500); // the last worker to fork finishes importing the app
    return { id: 'django', pid: child.pid!, baseUrl: `http://${HOST}:${port}`, postPath: '/api/posts/1/', token: prepared.access, logPath, command: `taskset ${argv.join(' ')}`.replace(HERE, 'bench/server').replace(`${HOST}:${port}`, `${HOST}:<port>`), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function answers(port: number): Promise<boolean> {
  return fetch(`http://${HOST}:${port}/api/posts/`).then(
    (response) => response.status === 401,
    () => false,
  );
}

/** Bytes written to the server's log so far (to count log lines written during the measurements). */
export function logSize(stack: Stack): number {
  try {
    return statSync(stack.logPath).size;
  } catch {
    return 0;
  }
}

export function logSince(stack: Stack, offset: number): string {
  try {
    return readFileSync(stack.logPath).subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}
