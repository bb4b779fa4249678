// Opens a demo page in a browser context, lets its script run the named probes, and returns the
// page's own verdicts (window.__results), each with the reason Chromium printed to the console when
// it blocked the request. And the table the suite prints: case × expected × what the browser did.

import assert from 'node:assert/strict';
import type { BrowserContext } from 'playwright-core';

const TODO = 'todo';

export type Outcome = 'data' | 'hidden' | 'blocked' | 'sent' | 'unavailable';

export interface ProbeResult {
  readonly name: string;
  readonly outcome: Outcome;
  readonly status?: number;
  readonly detail: string;
  readonly why: string;
  readonly value?: string | null;
  /** Chromium's console message for a CORS block ("No 'Access-Control-Allow-Origin' header…") or a refused WebSocket handshake. */
  browserSaid?: string;
}

export type ProbeResults = Readonly<Record<string, ProbeResult>>;

/** Runs `probes` (in this order) on the page at pageUrl, pointed at the API at apiUrl. */
export async function runProbes(context: BrowserContext, pageUrl: string, apiUrl: string, probes: readonly string[]): Promise<ProbeResults> {
  const page = await context.newPage();
  const said = new Map<string, string>();
  page.on('console', (message) => {
    const text = message.text();
    const via = /[?&]via=([\w-]+)/.exec(text)?.[1];
    // A CORS block, or a refused WebSocket handshake ("Error during WebSocket handshake: Unexpected
    // response code: 403"), which no script can see: only the console says it.
    const reason = /blocked by CORS policy: (.*)$/.exec(text)?.[1] ?? /^WebSocket connection to '[^']*' failed: (.*)$/.exec(text)?.[1];
    if (via !== undefined && reason !== undefined && !said.has(via)) said.set(via, reason);
  });
  const url = new URL(pageUrl);
  url.searchParams.set('api', apiUrl);
  url.searchParams.set('only', probes.join(','));
  try {
    await page.goto(url.href);
    await page.waitForFunction('window.__done === true', undefined, { timeout: 20_000 });
    const results = (await page.evaluate('window.__results')) as Record<string, ProbeResult>;
    for (const name of probes) {
      assert.ok(results[name] !== undefined, `the page ran no probe named ${name}`);
      const reason = said.get(name);
      if (reason !== undefined) results[name]!.browserSaid = reason;
    }
    return results;
  } finally {
    await page.close();
  }
}

export interface Row {
  readonly case: string;
  readonly from: string;
  readonly what: string;
  readonly expected: string;
  readonly observed: string;
  readonly note: string;
}

/** The rows of every case; each case asserts its own rows after recording them all. */
export class CaseTable {
  readonly rows: Row[] = [];

  begin(name: string): CaseRows {
    return new CaseRows(name, this.rows);
  }

  format(): string {
    const header: Row = { case: 'case', from: 'from', what: 'request', expected: 'expected', observed: 'browser / server did', note: 'why (Chromium\'s words when it blocked)' };
    const all = [header, ...this.rows];
    const keys = ['case', 'from', 'what', 'expected', 'observed'] as const;
    const width = Object.fromEntries(keys.map((k) => [k, Math.max(...all.map((r) => r[k].length))])) as Record<(typeof keys)[number], number>;
    const line = (r: Row, mark: string) => `${mark} ${keys.map((k) => r[k].padEnd(width[k])).join(' | ')} | ${r.note}`;
    return [
      line(header, ' '),
      ` ${keys.map((k) => '-'.repeat(width[k])).join('-|-')}-|-${'-'.repeat(20)}`,
      ...this.rows.map((r) => line(r, r.observed === TODO ? '…' : r.expected === r.observed ? ' ' : '✗')),
    ].join('\n');
  }
}

export class CaseRows {
  private readonly own: Row[] = [];
  constructor(
    private readonly name: string,
    private readonly all: Row[],
  ) {}

  /** Records a row: what `from` was expected to see for `what`, and what it saw. */
  expect(from: string, what: string, expected: string, observed: string, note = ''): void {
    const row = { case: this.name, from, what, expected, observed, note: note.replace(/\s+/g, ' ').slice(0, 140) };
    this.own.push(row);
    this.all.push(row);
  }

  /** A probe's verdict against the expected outcome, with the browser's reason as the note. */
  probe(from: string, result: ProbeResult | undefined, expected: Outcome): void {
    const observed = result?.outcome ?? 'missing';
    this.expect(from, result?.name ?? '?', expected, observed, result?.browserSaid ?? result?.detail ?? '');
  }

  /** A row that waits for a feature: listed in the table, not asserted. */
  todo(from: string, what: string, expected: string, needs: string): void {
    this.expect(from, what, expected, TODO, needs);
  }

  /** Fails with every mismatching row at once. */
  assertAll(): void {
    const wrong = this.own.filter((r) => r.expected !== r.observed && r.observed !== TODO);
    assert.deepEqual(
      wrong.map((r) => `${r.from} ${r.what}: ${r.observed} (${r.note})`),
      [],
      `${wrong.length} of ${this.own.length} row(s) differ from what was expected`,
    );
  }
}
