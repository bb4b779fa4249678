// The machine may be shared (a colleague's test run, a build): CPU time that neither the server nor
// the load generator used during a measurement is someone else's, and it skews the numbers. run.ts
// re-measures a case whose run overlapped such load, after waiting for the machine to go quiet.

import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, as /proc/stat counts

/** CPU seconds all cores have spent busy since boot (everything but idle and iowait). */
export function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until one second passes with less than `threshold` of a core busy (this process and the
 * idle servers included), or `maxWaitS` runs out. Returns the last second's busy share.
 */
export async function waitForQuiet(threshold: number, maxWaitS: number): Promise<number> {
  const deadline = Date.now() + maxWaitS * 1000;
  let busy = Infinity;
  while (Date.now() < deadline) {
    const before = machineBusySeconds();
    await sleep(1000);
    busy = machineBusySeconds() - before;
    if (busy < threshold) break;
  }
  return busy;
}

/**
 * Bounds the time spent waiting for quiet and re-measuring, so a machine that never goes quiet
 * cannot stretch a run past its limit: once the budget is spent, runs are kept as measured (the
 * report shows the load they met).
 */
export class QuietBudget {
  private spentS = 0;
  retries = 0;

  constructor(
    readonly limit: number,
    private readonly budgetS: number,
  ) {}

  get exhausted(): boolean {
    return this.spentS >= this.budgetS;
  }

  /** Runs `remeasure` after the machine has gone quiet, charging the time to the budget. */
  async retry<T>(remeasure: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    this.retries++;
    await waitForQuiet(this.limit, Math.max(1, Math.min(30, this.budgetS - this.spentS)));
    const result = await remeasure();
    this.spentS += (Date.now() - t0) / 1000;
    return result;
  }

  async settle(): Promise<void> {
    const t0 = Date.now();
    if (!this.exhausted) await waitForQuiet(this.limit, Math.max(1, Math.min(30, this.budgetS - this.spentS)));
    this.spentS += (Date.now() - t0) / 1000;
  }
}
