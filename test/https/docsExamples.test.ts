// Every YAML example in the docs passes the start-up checks of `proxy`, `https` and `crossSite` too
// (test/docs checks the schema and `cors`), with no warning: an example shows a configuration to copy.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { resolveCrossSiteSettings } from '../../src/config/crossSiteSchema.ts';
import { resolveHttpsSettings, resolveProxySettings } from '../../src/config/httpsSchema.ts';
import { gatehouseConfigSchema } from '../../src/config/schema.ts';

const docs = new URL('../../docs/', import.meta.url);

for (const name of ['https.md', 'cross-site.md']) {
  const text = readFileSync(new URL(name, docs), 'utf8');
  const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  test(`docs/${name} has YAML examples`, () => assert.ok(blocks.length >= 3));
  blocks.forEach((block, i) => {
    test(`docs/${name}: YAML example ${i + 1} passes the proxy, https and crossSite checks`, () => {
      const parsed = gatehouseConfigSchema.safeParse(parseYaml(block));
      assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
      const context = { nodeEnv: 'production' };
      const warnings = [
        ...resolveProxySettings(parsed.data.proxy ?? {}, context).warnings,
        ...resolveHttpsSettings(parsed.data.https ?? {}, context).warnings,
        ...resolveCrossSiteSettings(parsed.data.crossSite ?? {}, context).warnings,
      ];
      assert.deepEqual(warnings, []);
    });
  });
}

test('every docs file that configures proxy, https or crossSite is covered', () => {
  for (const name of readdirSync(docs).filter((f) => f.endsWith('.md'))) {
    const text = readFileSync(new URL(name, docs), 'utf8');
    const configures = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].some((m) => /^(proxy|https|crossSite):/m.test(m[1]!));
    if (configures) assert.ok(['https.md', 'cross-site.md'].includes(name), `${name} has such an example: add it above`);
  }
});
