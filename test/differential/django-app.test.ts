// Proves the django-cors-headers oracle harness works: the app starts from a settings file, answers
// over HTTP, and django-cors-headers 3.14 behaves as the differential tests assume.
//
// Skip rule: when /usr/bin/python3 lacks Django or corsheaders the tests skip with the reason, except
// under CI=true, where they fail so a broken oracle cannot go unnoticed.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { send } from '../helpers/httpClient.ts';
import { djangoAvailable, startDjango, type DjangoServer } from './djangoServer.ts';
import { scenarios } from './scenarios.ts';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

let skipNoticePrinted = false;

/** Returns false (after skipping the test) when the oracle cannot run here; fails under CI. */
function oracleReady(t: TestContext): boolean {
  const availability = djangoAvailable();
  if (availability.ok) return true;
  if (process.env['CI'] === 'true') {
    assert.fail(`Django oracle unavailable under CI: ${availability.reason}`);
  }
  if (!skipNoticePrinted) console.log(`# skipping Django oracle tests: ${availability.reason}`);
  skipNoticePrinted = true;
  t.skip(availability.reason);
  return false;
}

async function withDjango(
  settings: Record<string, unknown>,
  body: (server: DjangoServer) => Promise<void>,
): Promise<void> {
  const server = await startDjango(settings);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

const only = (headers: Record<string, string[]>, name: string): string | undefined => {
  const values = headers[name];
  if (values === undefined) return undefined;
  assert.equal(values.length, 1, `${name} sent ${values.length} times: ${JSON.stringify(values)}`);
  return values[0];
};

test('Django oracle: a listed origin is echoed, a refused one gets only Vary', async (t) => {
  if (!oracleReady(t)) return;
  await withDjango({ CORS_ALLOWED_ORIGINS: [APP] }, async (django) => {
    assert.deepEqual(django.checks, []);

    const allowed = await send(django.url, 'GET', '/api/items', { origin: APP });
    assert.equal(allowed.status, 200);
    assert.equal(only(allowed.headerLines, 'access-control-allow-origin'), APP);
    assert.equal(only(allowed.headerLines, 'vary'), 'Origin');
    assert.equal(only(allowed.headerLines, 'x-handler'), 'called');
    assert.equal(allowed.headers['access-control-allow-credentials'], undefined);
    assert.deepEqual(JSON.parse(allowed.body), { ok: true });

    const refused = await send(django.url, 'GET', '/api/items', { origin: EVIL });
    assert.equal(refused.status, 200);
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
    assert.equal(only(refused.headerLines, 'vary'), 'Origin');
    assert.equal(only(refused.headerLines, 'x-handler'), 'called');

    const lookalike = await send(django.url, 'GET', '/api/items', { origin: `${APP}.evil.net` });
    assert.equal(lookalike.headers['access-control-allow-origin'], undefined);

    const notFound = await send(django.url, 'GET', '/status/404', { origin: APP });
    assert.equal(notFound.status, 404);
    assert.equal(only(notFound.headerLines, 'access-control-allow-origin'), APP);
    assert.equal(only(notFound.headerLines, 'x-handler'), 'called');

    const vary = await send(django.url, 'GET', '/vary', { origin: APP });
    assert.equal(only(vary.headerLines, 'vary'), 'Accept-Encoding, Origin');
  });
});

test('Django oracle: a preflight is answered by the middleware (200, no handler) with the 3.14 defaults', async (t) => {
  if (!oracleReady(t)) return;
  await withDjango({ CORS_ALLOWED_ORIGINS: [APP] }, async (django) => {
    const preflight = await send(django.url, 'OPTIONS', '/status/500', {
      origin: APP,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'content-type',
    });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers['x-handler'], undefined);
    assert.equal(preflight.body, '');
    assert.equal(only(preflight.headerLines, 'access-control-allow-origin'), APP);
    assert.equal(only(preflight.headerLines, 'access-control-allow-methods'), 'DELETE, GET, OPTIONS, PATCH, POST, PUT');
    assert.equal(
      only(preflight.headerLines, 'access-control-allow-headers'),
      'accept, accept-encoding, authorization, content-type, dnt, origin, user-agent, x-csrftoken, x-requested-with',
    );
    assert.equal(only(preflight.headerLines, 'access-control-max-age'), '86400');

    // OPTIONS without Access-Control-Request-Method is not a preflight: it reaches the handler.
    const plainOptions = await send(django.url, 'OPTIONS', '/api/items', { origin: APP });
    assert.equal(only(plainOptions.headerLines, 'x-handler'), 'called');
    assert.equal(only(plainOptions.headerLines, 'access-control-allow-origin'), APP);
  });
});

test('Django oracle: with CORS_ALLOW_CREDENTIALS, 3.14 sends Allow-Credentials even to a refused origin', async (t) => {
  if (!oracleReady(t)) return;
  await withDjango({ CORS_ALLOWED_ORIGINS: [APP], CORS_ALLOW_CREDENTIALS: true }, async (django) => {
    const allowed = await send(django.url, 'GET', '/api/items', { origin: APP });
    assert.equal(only(allowed.headerLines, 'access-control-allow-origin'), APP);
    assert.equal(only(allowed.headerLines, 'access-control-allow-credentials'), 'true');

    const refused = await send(django.url, 'GET', '/api/items', { origin: EVIL });
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
    assert.equal(only(refused.headerLines, 'access-control-allow-credentials'), 'true');

    const noOrigin = await send(django.url, 'GET', '/api/items');
    assert.equal(noOrigin.headers['access-control-allow-credentials'], undefined);
  });
});

test('Django oracle: settings reach Django (regex, allow-all, urls regex) and repeated Origin lines are joined', async (t) => {
  if (!oracleReady(t)) return;
  await withDjango(
    { CORS_ALLOWED_ORIGIN_REGEXES: ['^https://.*\\.example\\.com'], CORS_URLS_REGEX: '^/api/.*$' },
    async (django) => {
      // re.match anchors only at the start, so the suffix attack passes.
      const suffix = await send(django.url, 'GET', '/api/x', { origin: 'https://a.example.com.evil.net' });
      assert.equal(only(suffix.headerLines, 'access-control-allow-origin'), 'https://a.example.com.evil.net');

      const outside = await send(django.url, 'GET', '/public', { origin: 'https://a.example.com' });
      assert.equal(outside.headers['access-control-allow-origin'], undefined);
      assert.equal(outside.headers['vary'], undefined);

      // wsgiref joins repeated header lines with ",", and the start-anchored regex matches the join.
      const repeated = await send(django.url, 'GET', '/api/x', { origin: ['https://a.example.com', 'https://evil.net'] });
      assert.equal(only(repeated.headerLines, 'access-control-allow-origin'), 'https://a.example.com,https://evil.net');
    },
  );
  await withDjango({ CORS_ALLOW_ALL_ORIGINS: true }, async (django) => {
    const any = await send(django.url, 'GET', '/x', { origin: EVIL });
    assert.equal(only(any.headerLines, 'access-control-allow-origin'), '*');
  });
});

test('Django oracle: a settings file Django warns about is reported through checks', async (t) => {
  if (!oracleReady(t)) return;
  await withDjango({ CORS_ALLOWED_ORIGINS: [`${APP}/path`] }, async (django) => {
    assert.equal(django.checks.length, 1);
    assert.match(django.checks[0] ?? '', /^corsheaders\.E014: /);
  });
});

test('differential scenarios are well formed', () => {
  const scenarioIds = new Set<string>();
  let requests = 0;
  for (const scenario of scenarios) {
    assert.ok(!scenarioIds.has(scenario.id), `duplicate scenario id ${scenario.id}`);
    scenarioIds.add(scenario.id);
    assert.ok(scenario.why.length > 0, `${scenario.id} has no why`);
    assert.ok(
      !(scenario.django['CORS_ALLOW_ALL_ORIGINS'] === true && scenario.django['CORS_ALLOW_CREDENTIALS'] === true),
      `${scenario.id}: Gatehouse refuses allow-all with credentials at start-up`,
    );
    const requestIds = new Set<string>();
    for (const request of scenario.requests) {
      assert.ok(!requestIds.has(request.id), `${scenario.id}: duplicate request id ${request.id}`);
      requestIds.add(request.id);
      assert.ok(request.path.startsWith('/'), `${scenario.id}/${request.id}: path must start with /`);
      requests += 1;
    }
  }
  assert.ok(scenarios.length >= 25, `only ${scenarios.length} scenarios`);
  assert.ok(requests >= 150, `only ${requests} requests`);
});
