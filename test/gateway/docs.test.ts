// Every YAML example in docs/gateway.md is a valid configuration with the `upstream` setting, and its
// upstream resolves (test/docs checks the same against the main schema once `upstream` is part of it).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { resolveCorsSettings } from '../../src/config/corsSettings.ts';
import { resolveUpstreamSettings, upstreamSettingsSchema } from '../../src/config/gatewaySchema.ts';
import { gatehouseConfigSchema } from '../../src/config/schema.ts';
import type { CorsSettings } from '../../src/cors/settings.ts';

const schema = gatehouseConfigSchema.extend({ upstream: upstreamSettingsSchema.optional() });
const text = readFileSync(new URL('../../docs/gateway.md', import.meta.url), 'utf8');
const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

test('docs/gateway.md has YAML examples', () => assert.ok(blocks.length >= 3));

blocks.forEach((block, i) => {
  test(`docs/gateway.md: YAML example ${i + 1} is a valid configuration`, () => {
    const parsed = schema.safeParse(parseYaml(block));
    assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
    assert.doesNotThrow(() => resolveCorsSettings((parsed.data.cors ?? {}) as CorsSettings, { nodeEnv: 'production' }));
    if (parsed.data.upstream !== undefined) assert.doesNotThrow(() => resolveUpstreamSettings(parsed.data.upstream));
  });
});
