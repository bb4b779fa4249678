// From a loaded configuration file to a running Gatehouse: opens the key store when API keys are on
// (migrating it first), reads secrets from the environment, and validates everything at once.

import { createApiKeyStore, type ApiKeyStore } from '../auth/apiKeys/apiKeyStore.ts';
import type { IntrospectionSettings } from '../auth/introspection.ts';
import { resolveApiKeySettings } from '../config/apiKeySchema.ts';
import type { LoadedConfig } from '../config/load.ts';
import { ConfigError } from '../errors.ts';
import { createGatehouse, type AuthOptions, type Gatehouse } from '../gatehouse.ts';
import type { Logger } from '../logger.ts';
import { openDatabase, type Database } from '../store/database.ts';
import { migrateToLatest } from '../store/migrations.ts';

export const INTROSPECTION_SECRET_ENV = 'GATEHOUSE_INTROSPECTION_CLIENT_SECRET';

export interface ConfiguredGatehouse {
  readonly gatehouse: Gatehouse;
  /** The key store, when auth.apiKeys is configured. */
  readonly apiKeys: ApiKeyStore | undefined;
  /** The database, when one was opened; close it on shutdown. */
  readonly database: Database | undefined;
}

export function databaseUrl(config: LoadedConfig, env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env.DATABASE_URL || config.database?.url || undefined;
}

export async function gatehouseFromConfig(config: LoadedConfig, options: { logger: Logger; env?: Readonly<Record<string, string | undefined>> }): Promise<ConfiguredGatehouse> {
  const env = options.env ?? process.env;
  const auth = config.auth;
  let authOptions: AuthOptions | undefined;
  let database: Database | undefined;
  let apiKeys: ApiKeyStore | undefined;
  if (auth !== undefined) {
    authOptions = { ...(auth.realm === undefined ? {} : { realm: auth.realm }), ...(auth.jwt === undefined ? {} : { jwt: auth.jwt }) };
    if (auth.introspection !== undefined) {
      const clientSecret = env[INTROSPECTION_SECRET_ENV] || auth.introspection.clientSecret;
      if (clientSecret === undefined || clientSecret === '') {
        throw new ConfigError([{ setting: 'auth.introspection.clientSecret', message: 'is missing', hint: `set ${INTROSPECTION_SECRET_ENV} (or auth.introspection.clientSecret)` }]);
      }
      authOptions.introspection = { ...auth.introspection, clientSecret } as IntrospectionSettings;
    }
    if (auth.apiKeys !== undefined) {
      const settings = resolveApiKeySettings(auth.apiKeys, env);
      database = openDatabase(databaseUrl(config, env), { setting: env.DATABASE_URL ? 'DATABASE_URL' : 'database.url' });
      await migrateToLatest(database.db);
      apiKeys = createApiKeyStore({ db: database.db, secret: settings.secret, prefix: settings.prefix, logger: options.logger });
      authOptions.apiKeys = { store: apiKeys, prefix: settings.prefix, headerName: settings.headerName, acceptBearer: settings.acceptBearer };
    }
  }
  try {
    const gatehouse = createGatehouse({
      cors: config.cors,
      logger: options.logger,
      ...(authOptions === undefined ? {} : { auth: authOptions }),
      ...(config.permissions === undefined ? {} : { permissions: config.permissions }),
      ...(config.defaultRule === undefined ? {} : { defaultRule: config.defaultRule }),
    });
    return { gatehouse, apiKeys, database };
  } catch (error) {
    await database?.close();
    throw error;
  }
}
