import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as gatehouse from '../src/index.ts';

test('the package entry point exports the engine and its errors', () => {
  for (const name of ['createGatehouse', 'loadConfig', 'corsSettingsFromDjango', 'corsSettingsFromEnv', 'ConfigError', 'AuthenticationError', 'problem', 'principal', 'createApiKeyStore', 'InMemoryRevocationList', 'openDatabase', 'migrateToLatest']) {
    assert.equal(typeof (gatehouse as Record<string, unknown>)[name], 'function', name);
  }
  const engine = gatehouse.createGatehouse({ cors: { allowedOrigins: ['https://app.example.com'] }, logger: false });
  assert.ok(engine.cors);
});
