// docs/check.md documents every finding id the auditor can report, with the same severities, and
// every exit code.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { FINDING_IDS, findingKind } from '../../src/check/findings.ts';
import { CHECK_EXIT } from '../../src/cli/checkCommand.ts';

const doc = readFileSync(new URL('../../docs/check.md', import.meta.url), 'utf8');

for (const id of FINDING_IDS) {
  test(`docs/check.md: ${id} with its severities`, () => {
    const { withCredentials, withoutCredentials } = findingKind(id).severity;
    const row = new RegExp(`^\\| \`${id}\` \\| ${withCredentials} \\| ${withoutCredentials} \\|`, 'm');
    assert.match(doc, row);
    assert.match(doc, new RegExp(`^### \`${id}\``, 'm'), 'a section with the why and both fixes');
  });
}

test('docs/check.md: the exit codes', () => {
  for (const code of Object.values(CHECK_EXIT)) assert.match(doc, new RegExp(`^\\| \`${code}\` \\|`, 'm'));
});
