// The resource isolation policy as a table: Sec-Fetch-* in, refused or not out, with the log line.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveCrossSiteSettings } from '../../src/config/crossSiteSchema.ts';
import { ResourceIsolationPolicy } from '../../src/fetch-metadata/resourceIsolation.ts';
import { captureLogger } from '../helpers/captureLogger.ts';

type Row = [why: string, method: string, path: string, headers: Record<string, string>, originAllowed: boolean, refused: boolean];

const site = (value: string, mode?: string, dest?: string): Record<string, string> => ({
  'sec-fetch-site': value,
  ...(mode === undefined ? {} : { 'sec-fetch-mode': mode }),
  ...(dest === undefined ? {} : { 'sec-fetch-dest': dest }),
});

const rows: readonly Row[] = [
  ['no Sec-Fetch-Site: not judged', 'POST', '/api', {}, false, false],
  ['same-origin', 'POST', '/api', site('same-origin', 'cors', 'empty'), false, false],
  ['same-site', 'DELETE', '/api', site('same-site', 'cors', 'empty'), false, false],
  ['none (user-initiated)', 'GET', '/api', site('none', 'navigate', 'document'), false, false],
  ['cross-site top-level GET navigation', 'GET', '/api', site('cross-site', 'navigate', 'document'), false, false],
  ['cross-site top-level HEAD navigation', 'HEAD', '/api', site('cross-site', 'navigate', 'document'), false, false],
  ['cross-site navigation without Sec-Fetch-Dest (older browsers)', 'GET', '/api', site('cross-site', 'navigate'), false, false],
  ['cross-site POST navigation (a form)', 'POST', '/api', site('cross-site', 'navigate', 'document'), false, true],
  ['cross-site iframe', 'GET', '/api', site('cross-site', 'navigate', 'iframe'), false, true],
  ['cross-site frame', 'GET', '/api', site('cross-site', 'navigate', 'frame'), false, true],
  ['cross-site embed', 'GET', '/api', site('cross-site', 'navigate', 'embed'), false, true],
  ['nested-navigate (the draft mode of frames)', 'GET', '/api', site('cross-site', 'nested-navigate', 'iframe'), false, true],
  ['cross-site no-cors image', 'GET', '/api', site('cross-site', 'no-cors', 'image'), false, true],
  ['cross-site no-cors script (XSSI)', 'GET', '/api', site('cross-site', 'no-cors', 'script'), false, true],
  ['cross-site cors fetch', 'GET', '/api', site('cross-site', 'cors', 'empty'), false, true],
  ['cross-site websocket', 'GET', '/api', site('cross-site', 'websocket', 'websocket'), false, true],
  ['cross-site cors fetch from an allowed origin', 'PUT', '/api', site('cross-site', 'cors', 'empty'), true, false],
  ['cross-site to an exempt exact path', 'GET', '/favicon.ico', site('cross-site', 'no-cors', 'image'), false, false],
  ['cross-site to an exempt prefix', 'POST', '/public/upload', site('cross-site', 'no-cors', 'empty'), false, false],
  ['a value no browser sends fails closed', 'GET', '/api', site('CROSS-SITE', 'no-cors', 'image'), false, true],
];

test('ResourceIsolationPolicy.check', () => {
  const settings = resolveCrossSiteSettings({ fetchMetadata: { exemptPaths: ['/favicon.ico', '/public/*'] } }).value.fetchMetadata;
  for (const [why, method, path, headers, originAllowed, refused] of rows) {
    const logger = captureLogger();
    const answer = new ResourceIsolationPolicy(settings, logger).check({ method, path, origin: undefined, header: (name) => headers[name] }, originAllowed);
    assert.equal(answer !== undefined, refused, why);
    if (!refused) continue;
    assert.equal(answer!.status, 403, why);
    assert.equal(JSON.parse(answer!.body).code, 'cross-site-request-refused', why);
    assert.deepEqual(Object.fromEntries(answer!.headers), { 'Content-Type': 'application/problem+json', 'Content-Length': String(Buffer.byteLength(answer!.body)), 'Cache-Control': 'no-store' }, why);
    assert.equal(logger.entries.length, 1, why);
    assert.match(logger.entries[0]!.message, new RegExp(`^Fetch Metadata refused a cross-site ${method} ${path.replace(/[.*]/g, '\\$&')}`), why);
  }
});
