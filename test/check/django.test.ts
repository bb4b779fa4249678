// The auditor against the real django-cors-headers (Debian's, under /usr/bin/python3) with the planted
// holes of test/check/djangoSettings.ts. Without Django the tests skip with the reason, except under
// CI=true, where they fail.

import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { checkUrl } from '../../src/check/checkUrl.ts';
import { djangoAvailable, startDjango } from '../differential/djangoServer.ts';
import { DJANGO_CASES } from './djangoSettings.ts';
import { APP, API_PATH, assertProves, summary } from './targets.ts';

function djangoReady(t: TestContext): boolean {
  const availability = djangoAvailable();
  if (availability.ok) return true;
  if (process.env.CI === 'true') assert.fail(`Django is required under CI: ${availability.reason}`);
  t.skip(availability.reason);
  return false;
}

describe('gatehouse check against django-cors-headers', () => {
  for (const c of DJANGO_CASES) {
    test(c.name, async (t) => {
      if (!djangoReady(t)) return;
      const server = await startDjango(c.settings);
      try {
        const report = await checkUrl({ url: `${server.url}${API_PATH}`, origins: [APP] });
        assert.deepEqual(summary(report.findings), [...c.expect].sort());
        for (const finding of report.findings) assertProves(finding);
        assert.deepEqual(report.incomplete, []);
      } finally {
        await server.close();
      }
    });
  }
});
