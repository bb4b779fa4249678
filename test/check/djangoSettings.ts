// Django settings for the auditor's tests against the real django-cors-headers (the app is
// test/differential/django_app/app.py, started by test/differential/djangoServer.ts): three planted
// holes and a correct configuration. Each value is passed to settings.configure() as written.

import { APP } from './targets.ts';

export interface DjangoCase {
  readonly name: string;
  readonly settings: Record<string, unknown>;
  /** `id severity` of every finding expected with --origin https://app.example.com. */
  readonly expect: readonly string[];
}

export const DJANGO_CASES: readonly DjangoCase[] = [
  {
    name: 'CORS_ALLOW_ALL_ORIGINS with CORS_ALLOW_CREDENTIALS reflects every origin with credentials',
    settings: { CORS_ALLOW_ALL_ORIGINS: true, CORS_ALLOW_CREDENTIALS: true },
    expect: ['origin-reflected critical'],
  },
  {
    name: 'a regex with an unescaped dot lets https://appxexample.com in',
    settings: { CORS_ALLOWED_ORIGIN_REGEXES: ['^https://app.example\\.com$'], CORS_ALLOW_CREDENTIALS: true },
    expect: ['origin-unescaped-dot high'],
  },
  {
    name: 'a start-anchored regex (re.match, no $) lets https://app.example.com.<attacker> in',
    settings: { CORS_ALLOWED_ORIGIN_REGEXES: ['^https://app\\.example\\.com'], CORS_ALLOW_CREDENTIALS: true },
    expect: ['origin-prefix-match high'],
  },
  {
    name: 'correct: CORS_ALLOWED_ORIGINS with credentials',
    settings: { CORS_ALLOWED_ORIGINS: [APP], CORS_ALLOW_CREDENTIALS: true },
    expect: [],
  },
];
