// Loads the configuration: a JSON or YAML file (top-level `cors`, `server`, `log`), then CORS_*
// environment variables named as django-cors-headers' settings, which override the file.

import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CorsSettings } from '../cors/settings.ts';
import { ConfigError } from '../errors.ts';
import { corsSettingsFromEnv } from './djangoSettings.ts';
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
  const sources = [
    ...(options.file === undefined ? [] : [options.file]),
    ...Object.keys(env).filter((name) => name.startsWith('CORS_') && env[name] !== undefined).map((name) => `$${name}`),
  ];
  return { ...fromFile, cors: { ...(fromFile.cors as CorsSettings | undefined), ...fromEnv }, sources };
}
