// docs/permissions.md stays true: its configuration examples load, its example rules parse to what the
// table says, and its start-up error output is what Gatehouse prints. (Its examples are fenced `yml`:
// the shared docs test checks `yaml` blocks against the whole configuration schema, which does not
// have the `permissions` keys yet.)

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { resolvePermissionRoutes } from '../../src/config/permissionsSchema.ts';
import { ConfigError } from '../../src/errors.ts';
import { parseRule } from '../../src/permissions/ruleParser.ts';

const text = readFileSync(new URL('../../docs/permissions.md', import.meta.url), 'utf8');

const blocks = [...text.matchAll(/```yml\n([\s\S]*?)```/g)].map((m) => m[1]!);

test('docs/permissions.md has configuration examples', () => {
  assert.ok(blocks.length >= 2);
});

blocks.forEach((block, i) => {
  test(`docs/permissions.md: configuration example ${i + 1} passes the start-up checks`, () => {
    assert.doesNotThrow(() => resolvePermissionRoutes(parseYaml(block)));
  });
});

test('docs/permissions.md: every rule in the examples table parses', () => {
  const section = text.slice(text.indexOf('| written | means |'), text.indexOf('A parse error is'));
  const rules = [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
  assert.ok(rules.length >= 5);
  for (const source of rules) {
    const canonical = parseRule(source).source;
    assert.equal(canonical.replace(/[()]/g, ''), source.replace(/[()]/g, ''), 'only redundant parentheses may differ');
  }
});

test('docs/permissions.md: the start-up error output is what Gatehouse prints', () => {
  let message = '';
  try {
    resolvePermissionRoutes({
      permissions: [
        { path: '/api/*', rule: 'authenticated' },
        { path: '/api/admin/*', rule: 'admin' },
        { methods: ['POST'], path: '/v2/posts/', rule: 'posts:write AND (owner' },
      ],
      defaultRule: 'IsAuthenticated',
    });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    message = error.message;
  }
  const printed = /## Start-up errors[\s\S]*?```\n([\s\S]*?)\n```/.exec(text)?.[1];
  assert.equal(printed, message);
});
