// `gatehouse check` as a command: the exit codes (0 clean, 3 findings at or above --fail-on, 1
// unreachable or incomplete, 2 bad arguments), the human report and --json, and secrets redacted.
// The commands run in-process (a program built with registerCheckCommand); the last test runs the
// real bin/gatehouse.js once main.ts registers the command.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.ts';
import { CHECK_EXIT, registerCheckCommand, type CheckIo } from '../../src/cli/checkCommand.ts';
import { runCli } from '../helpers/cli.ts';
import { APP, closedPortUrl, gatehouseTarget, nodeTarget, type Target } from './targets.ts';

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

interface Run {
  readonly code: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

async function check(args: readonly string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  let code: number | undefined;
  const io: CheckIo = {
    write: (text) => void (stdout += text),
    error: (text) => void (stderr += text),
    setExitCode: (c) => void (code = c),
    exitNow: (c) => {
      code = c;
      throw new Exited(c);
    },
  };
  const program = new Command('gatehouse').exitOverride();
  registerCheckCommand(program, io);
  try {
    await program.parseAsync(['check', ...args], { from: 'user' });
  } catch (error) {
    if (!(error instanceof Exited)) throw error;
  }
  return { code, stdout, stderr };
}

async function withTarget(start: Promise<Target>, body: (target: Target) => Promise<void>): Promise<void> {
  const target = await start;
  try {
    await body(target);
  } finally {
    await target.close();
  }
}

const NULL_HOLE = { allowedOrigins: [APP, 'null'], allowCredentials: true } as const;

describe('exit codes and the human report', () => {
  test('a correct configuration: exit 0, "No CORS hole found"', () =>
    withTarget(gatehouseTarget({ allowedOrigins: [APP], allowCredentials: true }), async (target) => {
      const run = await check([target.url, '--origin', APP]);
      assert.equal(run.code, CHECK_EXIT.ok);
      assert.match(run.stdout, /No CORS hole found/);
      assert.match(run.stdout, /Summary: 0 critical, 0 high, 0 medium, 0 low, 0 info\. Exit 0/);
    }));

  test('a hole at or above --fail-on: exit 3, with the proof and both fixes', () =>
    withTarget(gatehouseTarget(NULL_HOLE), async (target) => {
      const run = await check([target.url, '--origin', APP]);
      assert.equal(run.code, CHECK_EXIT.findings);
      for (const line of [
        /^HIGH \(1\)$/m,
        /\[high\] origin-null: The null origin is allowed/,
        /^ {6}> GET \/api\/posts\/ HTTP\/1\.1$/m,
        /^ {6}> Origin: null$/m,
        /^ {6}< Access-Control-Allow-Origin: null$/m,
        /^ {6}< Access-Control-Allow-Credentials: true$/m,
        /reproduce: curl -si 'http:\/\/127\.0\.0\.1:\d+\/api\/posts\/' -H 'Origin: null'/,
        /fix \(Gatehouse\): Remove "null" from cors\.allowedOrigins/,
        /fix \(django-cors-headers\): Remove "null" from CORS_ALLOWED_ORIGINS/,
        /Exit 3: 1 finding\(s\) at or above --fail-on high/,
      ]) {
        assert.match(run.stdout, line);
      }
    }));

  const FAIL_ON: readonly { config: object; failOn: string[]; code: number }[] = [
    { config: NULL_HOLE, failOn: ['--fail-on', 'critical'], code: CHECK_EXIT.ok },
    { config: NULL_HOLE, failOn: ['--fail-on', 'none'], code: CHECK_EXIT.ok },
    { config: { allowedOrigins: [APP], allowPrivateNetwork: true }, failOn: [], code: CHECK_EXIT.ok },
    { config: { allowedOrigins: [APP], allowPrivateNetwork: true }, failOn: ['--fail-on', 'low'], code: CHECK_EXIT.findings },
    { config: { allowAllOrigins: true }, failOn: ['--fail-on', 'low'], code: CHECK_EXIT.ok },
    { config: { allowAllOrigins: true }, failOn: ['--fail-on', 'info'], code: CHECK_EXIT.findings },
  ];
  for (const row of FAIL_ON) {
    test(`${JSON.stringify(row.config)} ${row.failOn.join(' ') || '(default --fail-on high)'} → exit ${row.code}`, () =>
      withTarget(gatehouseTarget(row.config), async (target) => {
        const run = await check([target.url, '--origin', APP, ...row.failOn]);
        assert.equal(run.code, row.code, run.stdout);
      }));
  }

  test('an unreachable target: exit 1 and what went wrong', async () => {
    const url = await closedPortUrl();
    const run = await check([url]);
    assert.equal(run.code, CHECK_EXIT.failure);
    assert.match(run.stderr, /gatehouse check: cannot check .* it cannot be reached \(ECONNREFUSED/);
    const json = await check([url, '--json']);
    assert.equal(json.code, CHECK_EXIT.failure);
    assert.equal(JSON.parse(json.stdout).error.code, 'check-unreachable');
  });

  test('probes that time out: exit 1, the report says the audit is incomplete', () =>
    withTarget(
      nodeTarget((req, res) => {
        if (req.method !== 'OPTIONS') res.end('{}');
      }),
      async (target) => {
        const run = await check([target.url, '--timeout', '200']);
        assert.equal(run.code, CHECK_EXIT.failure);
        assert.match(run.stdout, /INCOMPLETE: \d+ probe\(s\) got no answer/);
        assert.match(run.stdout, /OPTIONS with Origin: https:\/\/attacker-[0-9a-f]+\.example: timeout/);
      },
    ));
});

describe('--json', () => {
  test('machine-readable findings with evidence, fixes and the exit code', () =>
    withTarget(gatehouseTarget(NULL_HOLE), async (target) => {
      const run = await check([target.url, '--origin', APP, '--json']);
      assert.equal(run.code, CHECK_EXIT.findings);
      const report = JSON.parse(run.stdout);
      assert.equal(report.exitCode, 3);
      assert.equal(report.outcome, 'findings');
      assert.equal(report.failOn, 'high');
      assert.deepEqual(report.expectedOrigins, [APP]);
      assert.deepEqual(report.summary, { info: 0, low: 0, medium: 0, high: 1, critical: 0 });
      const [finding] = report.findings;
      assert.equal(finding.id, 'origin-null');
      assert.equal(finding.severity, 'high');
      assert.equal(finding.credentials, true);
      assert.equal(finding.evidence.request.method, 'GET');
      assert.equal(finding.evidence.request.headers.origin, 'null');
      assert.equal(finding.evidence.response.status, 200);
      assert.equal(finding.evidence.response.headers['access-control-allow-origin'], 'null');
      assert.match(finding.evidence.reproduce, /^curl -si /);
      assert.match(finding.fix.gatehouse, /cors\.allowedOrigins/);
      assert.match(finding.fix.django, /CORS_ALLOWED_ORIGINS/);
      assert.ok(report.requests.sent > 0 && report.requests.sent <= report.requests.limit);
    }));

  test('--header values reach the server with every GET, never with a preflight; secret ones are redacted', () =>
    withTarget(gatehouseTarget(NULL_HOLE), async (target) => {
      const run = await check([target.url, '--origin', APP, '--json', '--header', 'Authorization: Bearer s3cret-token', '--header', 'X-Tenant: acme']);
      const gets = target.received.filter((h) => h[':method'] === 'GET');
      const preflights = target.received.filter((h) => h[':method'] === 'OPTIONS');
      assert.ok(gets.length > 0 && preflights.length > 0);
      assert.ok(gets.every((h) => h.authorization === 'Bearer s3cret-token' && h['x-tenant'] === 'acme'));
      assert.ok(preflights.every((h) => h.authorization === undefined && h['x-tenant'] === undefined), 'a browser preflight carries no credentials');
      assert.doesNotMatch(run.stdout, /s3cret/);
      const headers = JSON.parse(run.stdout).findings[0].evidence.request.headers;
      assert.equal(headers.authorization, '<redacted>');
      assert.equal(headers['x-tenant'], 'acme');
    }));
});

describe('bad arguments exit with 2 before sending anything', () => {
  const URL_ = 'http://127.0.0.1:9/api/';
  const BAD: readonly [string, readonly string[], RegExp][] = [
    ['a URL that is not http(s)', ['ftp://files.example.com/'], /not an http\(s\) URL/],
    ['no URL', [], /missing required argument 'url'/],
    ['an origin with a trailing slash', [URL_, '--origin', 'https://app.example.com/'], /trailing slash/],
    ['an origin without scheme', [URL_, '--origin', 'app.example.com'], /missing a scheme/],
    ['an unknown severity', [URL_, '--fail-on', 'severe'], /Allowed choices are info, low, medium, high, critical, none/],
    ['a timeout that is not a number', [URL_, '--timeout', 'soon'], /whole number/],
    ['max requests of 0', [URL_, '--max-requests', '0'], /whole number from 1/],
    ['a header without a colon', [URL_, '--header', 'Authorization'], /should be "Name: value"/],
    ['an Origin header (the auditor sets it)', [URL_, '--header', 'Origin: https://x.example'], /set by the auditor itself/],
    ['an unknown option', [URL_, '--bogus'], /unknown option '--bogus'/],
  ];
  for (const [name, args, message] of BAD) {
    test(name, async () => {
      const run = await check(args);
      assert.equal(run.code, CHECK_EXIT.usage);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '');
    });
  }

  test('--help exits with 0 and documents the exit codes', async () => {
    const run = await check(['--help']);
    assert.equal(run.code, CHECK_EXIT.ok);
    assert.match(run.stdout, /Exit codes: 0 nothing at or above --fail-on; 3 findings/);
  });
});

test('bin/gatehouse.js check (runs once src/cli/main.ts registers the command)', async (t) => {
  if (!buildProgram().commands.some((c) => c.name() === 'check')) {
    t.skip('src/cli/main.ts does not call registerCheckCommand(program) yet');
    return;
  }
  await withTarget(gatehouseTarget(NULL_HOLE), async (target) => {
    const found = await runCli(['check', target.url, '--origin', APP, '--json']);
    assert.equal(found.code, CHECK_EXIT.findings, found.stderr);
    assert.deepEqual(JSON.parse(found.stdout).findings.map((f: { id: string }) => f.id), ['origin-null']);
    const clean = await runCli(['check', target.url, '--origin', APP, '--fail-on', 'critical']);
    assert.equal(clean.code, CHECK_EXIT.ok, clean.stderr);
    const bad = await runCli(['check', target.url, '--origin', 'https://app.example.com/']);
    assert.equal(bad.code, CHECK_EXIT.usage);
    assert.match(bad.stderr, /trailing slash/);
  });
});
