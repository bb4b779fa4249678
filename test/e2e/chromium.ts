// One headless Debian Chromium for the whole suite, driven by playwright-core; a new context (fresh
// cookies, preflight cache and storage) per case. Without Chromium the suite skips with the reason,
// and fails with it under CI=true.

import { existsSync } from 'node:fs';
import { after, before, type TestContext } from 'node:test';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  // Named hosts for the look-alike cases: app.example.test and appxexample.test are real, distinct
  // sites to Chromium, served by the loopback page servers.
  '--host-resolver-rules=MAP *.test 127.0.0.1',
];

export interface SuiteBrowser {
  /** The browser, or undefined after skipping the test (Chromium missing, not under CI). */
  get(t: TestContext): Browser | undefined;
}

/** Registers before/after hooks: launches Chromium once, closes it after the last test. */
export function useChromium(): SuiteBrowser {
  let browser: Browser | undefined;
  let unavailable: string | undefined;
  before(async () => {
    if (!existsSync(CHROMIUM_PATH)) {
      unavailable = `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium, or set GATEHOUSE_CHROMIUM)`;
    } else {
      try {
        // playwright gives every launch a fresh temporary user-data dir.
        browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
      } catch (error) {
        unavailable = `Chromium at ${CHROMIUM_PATH} did not start: ${(error as Error).message.split('\n')[0]}`;
      }
    }
    if (unavailable !== undefined && process.env.CI !== 'true') process.stdout.write(`# browser suite skipped: ${unavailable}\n`);
  });
  after(async () => {
    await browser?.close();
  });
  return {
    get(t) {
      if (unavailable !== undefined) {
        if (process.env.CI === 'true') throw new Error(`Chromium is required under CI: ${unavailable}`);
        t.skip(unavailable);
        return undefined;
      }
      return browser!;
    },
  };
}
