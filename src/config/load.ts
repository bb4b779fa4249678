// Loads the configuration: a JSON or YAML file, then environment variables named as Django's settings
// (django-cors-headers' CORS_*, SecurityMiddleware's SECURE_*, CSRF_TRUSTED_ORIGINS,
// USE_X_FORWARDED_HOST), which override the file.

import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CorsSettings } from '../cors/settings.ts';
import { ConfigError } from '../errors.ts';
import { corsSettingsFromEnv } from './djangoSettings.ts';
import { crossSiteSettingsFromEnv } from './crossSiteSchema.ts';
import { httpsSettingsFromEnv, mergeSettings } from './httpsSchema.ts';
import { DJANGO_NAMES } from './corsSettings.ts';
import { gatehouseConfigSchema, zodIssues, type GatehouseConfigInput } from './schema.ts';

export interface LoadOptions {
  /** Path of a .json, .yaml or .yml file. */
  file?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
}

export interface LoadedConfig extends Omit<GatehouseConfigInput, 'cors'> {
  cors: CorsSettings;
  /** Where each part came from, for `doctor` and start-up logs. */
  sources: string[];
}

export function readConfigFile(file: string): GatehouseConfigInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([{ setting: file, message: `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, hint: 'check the --config path' }]);
  }
  let data: unknown;
  try {
    // YAML 1.2 is a superset of JSON, but JSON.parse gives better messages for .json files.
    data = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError([{ setting: file, message: `is not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}` }]);
  }
  const parsed = gatehouseConfigSchema.safeParse(data ?? {});
  if (!parsed.success) throw new ConfigError(zodIssues(parsed.error, '', DJANGO_NAMES).map((issue) => ({ ...issue, setting: `${file}: ${issue.setting}` })));
  return parsed.data;
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const fromFile = options.file === undefined ? {} : readConfigFile(options.file);
  const fromEnv = corsSettingsFromEnv(env);
  const https = httpsSettingsFromEnv(env);
  const crossSite = crossSiteSettingsFromEnv(env);
  const sources = [
    ...(options.file === undefined ? [] : [options.file]),
    ...Object.keys(env)
      .filter((name) => /^(CORS_|SECURE_|CSRF_TRUSTED_ORIGINS$|USE_X_FORWARDED_HOST$)/.test(name) && env[name] !== undefined)
      .map((name) => `$${name}`),
  ];
  const merged: LoadedConfig = { ...fromFile, cors: { ...(fromFile.cors as CorsSettings | undefined), ...fromEnv }, sources };
  const proxy = mergeSettings(fromFile.proxy, https.proxy);
  const httpsSettings = mergeSettings(fromFile.https, https.https);
  const crossSiteSettings = mergeSettings(fromFile.crossSite, crossSite.crossSite);
  if (proxy !== undefined) merged.proxy = proxy;
  if (httpsSettings !== undefined) merged.https = httpsSettings;
  if (crossSiteSettings !== undefined) merged.crossSite = crossSiteSettings;
  return merged;
}
