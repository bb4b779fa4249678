// Every YAML example in the docs must load and pass the start-up checks, so the docs stay true.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { resolveCorsSettings } from '../../src/config/corsSettings.ts';
import { gatehouseConfigSchema } from '../../src/config/schema.ts';
import { resolveServerSettings } from '../../src/config/serverSchema.ts';
import type { CorsSettings } from '../../src/cors/settings.ts';

const docs = new URL('../../docs/', import.meta.url);

for (const name of readdirSync(docs).filter((f) => f.endsWith('.md'))) {
  const text = readFileSync(new URL(name, docs), 'utf8');
  const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  blocks.forEach((block, i) => {
    test(`docs/${name}: YAML example ${i + 1} is a valid configuration`, () => {
      const parsed = gatehouseConfigSchema.safeParse(parseYaml(block));
      assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
      assert.doesNotThrow(() => resolveCorsSettings((parsed.data.cors ?? {}) as CorsSettings, { nodeEnv: 'production' }));
      assert.doesNotThrow(() => resolveServerSettings({ tokens: parsed.data.tokens, rateLimits: parsed.data.rateLimits }));
    });
  });
}

test('the config used by npm start is valid', () => {
  const parsed = gatehouseConfigSchema.safeParse(parseYaml(readFileSync(new URL('../../gatehouse.yaml', import.meta.url), 'utf8')));
  assert.ok(parsed.success);
  assert.deepEqual(parsed.data.cors?.allowedOrigins, ['http://localhost:5173']);
});
