// Request bodies and query strings checked with zod: unknown fields, wrong types and oversized text
// are a 400 listing every problem by field, before anything is stored.

import { z } from 'zod';
import { invalidRequest } from './httpProblem.ts';

export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  if (input === undefined || input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw invalidRequest([{ field: '(body)', message: 'must be a JSON object' }]);
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: 'is not a known field' }))
      : [{ field: issue.path.join('.') || '(body)', message: issue.message }],
  );
  throw invalidRequest(errors);
}

/** Text a person typed: no NUL or other control characters but newline and tab. */
export const text = (max: number) =>
  z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((value) => !/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/.test(value), { error: 'must not contain control characters' });

/** A positive whole number given as a query-string value. */
export const queryInt = (max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, { error: 'must be a positive whole number' })
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, { error: `must be from 1 to ${max}` });
