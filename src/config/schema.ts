// The one zod schema of Gatehouse's configuration: types and shapes. Meaning (is this origin valid,
// is this combination safe) is checked by the resolvers next to it, which report every problem at once.

import { z } from 'zod';
import type { ConfigIssue } from '../errors.ts';
import { closest } from '../text/editDistance.ts';

const stringList = z.array(z.string());

const corsPathSettingsShape = {
  allowedOrigins: stringList.optional(),
  allowedOriginRegexes: stringList.optional(),
  allowedOriginPatterns: stringList.optional(),
  allowAllOrigins: z.boolean().optional(),
  allowMethods: stringList.optional(),
  allowHeaders: stringList.optional(),
  exposeHeaders: stringList.optional(),
  preflightMaxAge: z.number().int().min(0).optional(),
  allowCredentials: z.boolean().optional(),
  allowPrivateNetwork: z.boolean().optional(),
  strict: z.boolean().optional(),
  debugHeader: z.boolean().optional(),
  publicData: z.boolean().optional(),
};

export const corsPathPolicySchema = z.strictObject({ path: z.string(), ...corsPathSettingsShape });

export const corsSettingsSchema = z.strictObject({
  ...corsPathSettingsShape,
  urlsRegex: z.string().optional(),
  paths: z.array(corsPathPolicySchema).optional(),
});

export const serverSettingsSchema = z.strictObject({
  host: z.string().optional(),
  port: z.number().int().min(0).max(65535).optional(),
});

export const logSettingsSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
});

export const gatehouseConfigSchema = z.strictObject({
  cors: corsSettingsSchema.optional(),
  server: serverSettingsSchema.optional(),
  log: logSettingsSchema.optional(),
});

export type GatehouseConfigInput = z.infer<typeof gatehouseConfigSchema>;

const KNOWN_KEYS = [
  ...Object.keys(corsSettingsSchema.shape),
  ...Object.keys(gatehouseConfigSchema.shape),
  ...Object.keys(serverSettingsSchema.shape),
  'path',
];

/** Turns zod's issues into ConfigIssues, with a "did you mean" for misspelt keys. */
export function zodIssues(error: z.ZodError, prefix: string, djangoNames: Readonly<Record<string, string>> = {}): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = [prefix, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))]
      .filter((p) => p !== '')
      .join('.')
      .replace(/\.\[/g, '[');
    const last = issue.path.filter((p) => typeof p === 'string').at(-1);
    const djangoName = typeof last === 'string' ? djangoNames[last] : undefined;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const suggestion = closest(key, KNOWN_KEYS) ?? suggestFromDjangoName(key, djangoNames);
        issues.push({
          setting: path === '' ? key : `${path}.${key}`,
          message: 'is not a Gatehouse setting',
          ...(suggestion === undefined ? {} : { hint: `did you mean "${suggestion}"?` }),
        });
      }
      continue;
    }
    issues.push({ setting: path, ...(djangoName ? { djangoName } : {}), message: issue.message });
  }
  return issues;
}

function suggestFromDjangoName(key: string, djangoNames: Readonly<Record<string, string>>): string | undefined {
  const entry = Object.entries(djangoNames).find(([, django]) => django === key);
  return entry?.[0];
}
