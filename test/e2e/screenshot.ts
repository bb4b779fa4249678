// Writes docs/images/demo.png: `gatehouse demo`'s side-by-side page (trusted front end left, hostile
// site right) after every probe ran, in the Chromium the browser suite uses.
//
//   node --import tsx test/e2e/screenshot.ts [out.png]

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startDemo } from '../../src/demo/startDemo.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts';

const out = process.argv[2] ?? fileURLToPath(new URL('../../docs/images/demo.png', import.meta.url));

const demo = await startDemo({ logger: false });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(demo.sideBySideUrl);
  let height = 0;
  for (const id of ['trusted', 'hostile']) {
    const frame = await (await page.waitForSelector(`iframe#${id}`)).contentFrame();
    if (frame === null) throw new Error(`no ${id} frame`);
    await frame.waitForFunction('window.__done === true', undefined, { timeout: 30_000 });
    height = Math.max(height, (await frame.evaluate('document.documentElement.scrollHeight')) as number);
  }
  // Each frame as tall as its page, so the whole table is in the picture.
  await page.evaluate(`for (const f of document.querySelectorAll('iframe')) f.style.height = '${height}px'`);
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: true });
  process.stdout.write(`wrote ${out}\n`);
} finally {
  await browser.close();
  await demo.close();
}
