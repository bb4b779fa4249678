// `gatehouse doctor`: checks the configuration the way `serve` would, without starting anything or
// writing to the database: every problem (exit 2) or warning, the effective settings, and whether the
// database and Redis answer (exit 1 when one does not).

import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import { Redis } from 'ioredis';
import type { Command } from 'commander';
import { API_KEY_SECRET_ENV } from '../auth/apiKeys/keyHash.ts';
import { resolveApiKeySettings } from '../config/apiKeySchema.ts';
import { resolveServerSettings } from '../config/serverSchema.ts';
import { formatConfigIssue, type ConfigIssue } from '../errors.ts';
import { openDatabase, DEFAULT_DATABASE_URL } from '../store/database.ts';
import { gatehouseMigrator } from '../store/migrations.ts';
import { SECRET_KEY_ENV } from '../server/serverSecrets.ts';
import { redactUrlPassword } from '../text/redactUrl.ts';
import { checkEngineSettings, databaseUrl, redisUrl, serverPermissions } from '../server/serverContext.ts';
import { EXIT, loadCliConfig, print, withCommonOptions, type CommonOptions } from './cliContext.ts';

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

async function checkDatabase(url: string): Promise<Check> {
  const sqlitePath = url.startsWith('sqlite:') ? url.slice('sqlite:'.length).replace(/^\/\/\//, '/') : undefined;
  if (sqlitePath !== undefined && sqlitePath !== ':memory:' && !existsSync(sqlitePath)) {
    return { name: 'database', ok: true, detail: `SQLite file ${sqlitePath} does not exist yet: serve or migrate creates it` };
  }
  const database = openDatabase(url, { setting: 'database.url' });
  try {
    await sql`select 1`.execute(database.db);
    const migrations = await gatehouseMigrator(database.db).getMigrations();
    const pending = migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
    return { name: 'database', ok: true, detail: `${database.dialect} answers; ${pending.length === 0 ? 'schema up to date' : `pending migrations (serve applies them): ${pending.join(', ')}`}` };
  } catch (error) {
    return { name: 'database', ok: false, detail: `${redactUrlPassword(url)} does not answer: ${(error as Error).message}` };
  } finally {
    await database.close();
  }
}

async function checkRedis(url: string | undefined): Promise<Check> {
  if (url === undefined) return { name: 'redis', ok: true, detail: 'not configured: rate limits count in each process (set REDIS_URL to share them)' };
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return { name: 'redis', ok: true, detail: `${redactUrlPassword(url)} answers` };
  } catch (error) {
    return { name: 'redis', ok: false, detail: `${redactUrlPassword(url)} does not answer (${(error as Error).message}); serve would fall back to per-process rate limits` };
  } finally {
    redis.disconnect();
  }
}

export function registerDoctorCommand(program: Command): void {
  withCommonOptions(program.command('doctor').description('check the configuration, print the effective settings and every warning')).action(async (options: CommonOptions) => {
    const env = process.env;
    const config = loadCliConfig(options);
    const server = resolveServerSettings({ tokens: config.tokens, rateLimits: config.rateLimits });
    const configuredSecret = env[API_KEY_SECRET_ENV] || config.auth?.apiKeys?.secret;
    const apiKeys = resolveApiKeySettings({ ...config.auth?.apiKeys, ...(configuredSecret ? {} : { secret: 'x'.repeat(32) }) }, env);
    const permissions = serverPermissions(config.permissions);
    const gatehouse = checkEngineSettings(config, env.NODE_ENV);
    const warnings: ConfigIssue[] = [...gatehouse.warnings];
    if (env.NODE_ENV === 'production' && !env[SECRET_KEY_ENV]) {
      warnings.push({ setting: SECRET_KEY_ENV, message: 'is not set: tokens would be signed with a key generated into the database', hint: `set ${SECRET_KEY_ENV} to 32+ random bytes` });
    }
    const dbUrl = databaseUrl(config, env) ?? DEFAULT_DATABASE_URL;
    const checks = [await checkDatabase(dbUrl), await checkRedis(redisUrl(config, env))];
    const effective = {
      sources: config.sources,
      cors: config.cors,
      permissions: [...permissions.map((p) => ({ methods: p.methods ?? ['*'], path: p.path, rule: p.rule })), { methods: ['*'], path: '(anything else)', rule: config.defaultRule ?? 'authenticated' }],
      jwtIssuers: [server.tokens.issuer + ' (this server)', ...(config.auth?.jwt?.issuers.map((i) => i.issuer) ?? [])],
      apiKeys: { prefix: apiKeys.prefix, header: apiKeys.headerName, acceptBearer: apiKeys.acceptBearer, secret: configuredSecret ? 'configured' : 'derived from the server key' },
      tokens: server.tokens,
      rateLimits: Object.fromEntries(Object.entries(server.rateLimits).map(([k, v]) => [k, Array.isArray(v) ? v.map((o) => ({ ...o, rate: o.rate?.source ?? 'off' })) : (v as { source?: string } | undefined)?.source ?? 'off'])),
      database: redactUrlPassword(dbUrl),
    };
    print(options, { ok: checks.every((c) => c.ok), warnings, checks, effective }, () =>
      [
        `configuration: ${config.sources.length > 0 ? config.sources.join(', ') : 'defaults'} — valid`,
        warnings.length === 0 ? 'warnings: none' : `warnings (${warnings.length}):\n${warnings.map((w) => `  - ${formatConfigIssue(w)}`).join('\n')}`,
        `checks:\n${checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`).join('\n')}`,
        `effective settings:\n${JSON.stringify(effective, null, 2).replace(/^/gm, '  ')}`,
      ].join('\n'),
    );
    if (!checks.every((c) => c.ok)) process.exitCode = EXIT.failure;
  });
}
