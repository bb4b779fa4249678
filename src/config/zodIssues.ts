// zod's issues as ConfigIssues (setting path, message, hint). Kept apart from schema.ts so the section
// schemas (jwt, permissions) can use it without an import cycle through the main schema.

import type { z } from 'zod';
import type { ConfigIssue } from '../errors.ts';
import { closest } from '../text/editDistance.ts';

/** Turns zod's issues into ConfigIssues, with a "did you mean" among `knownKeys` for misspelt keys. */
export function settingIssues(error: z.ZodError, prefix: string, djangoNames: Readonly<Record<string, string>> = {}, knownKeys: readonly string[] = []): ConfigIssue[] {
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
        const suggestion = closest(key, knownKeys) ?? suggestFromDjangoName(key, djangoNames);
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
