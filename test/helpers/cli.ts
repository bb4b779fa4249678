// Runs the real `gatehouse` command as a child process.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const GATEHOUSE_BIN = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command that exits by itself (a config error, --help). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GATEHOUSE_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningCli {
  readonly url: string;
  readonly child: ChildProcess;
  output(): { stdout: string; stderr: string };
  stop(): Promise<number | null>;
}

/** Starts `gatehouse serve ...` and waits for its "listening on" line. */
export function startServeCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningCli> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GATEHOUSE_BIN, 'serve', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gatehouse serve did not start in 20 s\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 20_000);
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
      const match = /listening on (https?:\/\/\S+)/.exec(stdout);
      if (match !== null) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          child,
          output: () => ({ stdout, stderr }),
          stop: () =>
            new Promise((done) => {
              child.once('close', (code) => done(code));
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`gatehouse serve exited with ${code}\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}
