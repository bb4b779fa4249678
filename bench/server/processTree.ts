// A server as the kernel sees it: a process and every descendant (gunicorn's master and its
// workers; Node's one process), with their summed memory and CPU time from /proc.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100; // USER_HZ on every mainstream Linux build
  }
})();

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process (or thread) has just exited
  }
}

/** `pid` and its descendants, from /proc/<pid>/task/<tid>/children (every thread can have children). */
export function treePids(pid: number): number[] {
  const found: number[] = [];
  const visit = (p: number): void => {
    found.push(p);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const tid of tasks) {
      for (const child of (read(`/proc/${p}/task/${tid}/children`) ?? '').trim().split(/\s+/)) {
        if (child !== '') visit(Number(child));
      }
    }
  };
  visit(pid);
  return found;
}

function statusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? 0 : Number(match[1]);
}

export interface TreeMemory {
  /** Sum of VmRSS: what `ps` shows, counting pages shared between a master and its workers once per process. */
  readonly rssKb: number;
  /** Sum of Pss (smaps_rollup): shared pages split between their sharers, so the tree's real footprint. */
  readonly pssKb: number;
  /** Sum of VmHWM: each process's own peak RSS since it started. */
  readonly hwmKb: number;
  readonly processes: number;
}

export function treeMemory(pid: number): TreeMemory {
  let rssKb = 0;
  let pssKb = 0;
  let hwmKb = 0;
  let processes = 0;
  for (const p of treePids(pid)) {
    const status = read(`/proc/${p}/status`);
    if (status === undefined) continue;
    processes++;
    rssKb += statusKb(status, 'VmRSS');
    hwmKb += statusKb(status, 'VmHWM');
    pssKb += statusKb(read(`/proc/${p}/smaps_rollup`) ?? '', 'Pss');
  }
  return { rssKb, pssKb, hwmKb, processes };
}

/** CPU seconds (user + system, all threads) the tree's live processes have used. */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of treePids(pid)) {
    // Fields 14 and 15 are utime and stime; the command name (field 2) may hold spaces.
    const fields = read(`/proc/${p}/stat`)?.split(') ')[1]?.split(' ');
    if (fields !== undefined) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / CLOCK_TICKS;
}

/** CPU seconds of this process's children that have exited and been reaped (cutime + cstime). */
export function reapedChildrenCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

export function cpusAllowed(pid: number): string {
  return /^Cpus_allowed_list:\s*(.+)$/m.exec(read(`/proc/${pid}/status`) ?? '')?.[1]?.trim() ?? '?';
}

/** Sets the CPU affinity of every thread of every process of the tree (taskset -a -p). */
export function pinTree(pid: number, cpuList: string): void {
  for (const p of treePids(pid)) {
    try {
      execFileSync('taskset', ['-a', '-c', '-p', cpuList, String(p)], { stdio: 'ignore' });
    } catch {
      // exited meanwhile
    }
  }
}

/**
 * Other benchmarks running now (another wrk, autocannon, or a script under a bench/ folder), outside
 * `ownPids`: on a shared machine they compete for the same cores, and the report names them.
 */
export function otherBenchmarks(ownPids: ReadonlySet<number>): string[] {
  const found = new Set<string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || ownPids.has(Number(entry))) continue;
    const argv = (read(`/proc/${entry}/cmdline`) ?? '').split('\0').filter((a) => a !== '');
    if (argv.length === 0) continue;
    // Names only: another benchmark's argv may hold its tokens.
    if (/(^|\/)wrk$/.test(argv[0]!)) found.add('wrk');
    else if (argv.some((a) => /autocannon/.test(a))) found.add('autocannon');
    else {
      const script = argv.find((a) => /(^|\/)bench\/[\w./-]+\.(m?ts|js)$/.test(a));
      if (script !== undefined) found.add(script.replace(/^.*?(bench\/)/, '$1'));
    }
  }
  return [...found].sort();
}
