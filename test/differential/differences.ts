// Every intentional difference between Gatehouse and the Django oracle (Debian's django-cors-headers
// 3.14). A mismatch in the differential suite must be explained by one of these rows, and every row
// must explain at least one mismatch, so the list stays true. docs/cors.md lists the same differences.

import { DEFAULT_ALLOW_HEADERS } from '../../src/cors/settings.ts';
import { parseRequestOrigin } from '../../src/cors/originSyntax.ts';
import type { ComparedField } from './compare.ts';
import type { DifferentialRequest, DifferentialScenario } from './scenarios.ts';

export interface Mismatch {
  readonly scenario: DifferentialScenario;
  readonly request: DifferentialRequest;
  readonly field: ComparedField;
  readonly django: string | null;
  readonly gatehouse: string | null;
}

export interface IntentionalDifference {
  readonly id: string;
  /** `version`: newest django-cors-headers already behaves as Gatehouse; `design`: Gatehouse on purpose. */
  readonly kind: 'version' | 'design';
  readonly why: string;
  explains(m: Mismatch): boolean;
}

const DJANGO_314_DEFAULT_HEADERS = 'accept, accept-encoding, authorization, content-type, dnt, origin, user-agent, x-csrftoken, x-requested-with';

function origin(request: DifferentialRequest): string | undefined {
  const value = request.headers?.origin;
  return Array.isArray(value) ? value.join(', ') : value;
}

function notSerialized(request: DifferentialRequest): boolean {
  const value = origin(request);
  return value !== undefined && value !== '' && value !== 'null' && parseRequestOrigin(value) === undefined;
}

export const intentionalDifferences: readonly IntentionalDifference[] = [
  {
    id: 'default-allow-headers',
    kind: 'version',
    why: 'django-cors-headers 4.0 removed accept-encoding, dnt and origin from the default CORS_ALLOW_HEADERS: they are forbidden request headers that scripts cannot set.',
    explains: (m) =>
      m.field === 'access-control-allow-headers' &&
      !('CORS_ALLOW_HEADERS' in m.scenario.django) &&
      m.django === DJANGO_314_DEFAULT_HEADERS &&
      m.gatehouse === DEFAULT_ALLOW_HEADERS.join(', '),
  },
  {
    id: 'no-credentials-for-refused-origins',
    kind: 'version',
    why: 'django-cors-headers 4.3 stopped sending Access-Control-Allow-Credentials to origins it refuses (#888); 3.14 still does.',
    explains: (m) => m.field === 'access-control-allow-credentials' && m.django === 'true' && m.gatehouse === null,
  },
  {
    id: 'private-network',
    kind: 'version',
    why: 'CORS_ALLOW_PRIVATE_NETWORK does not exist in 3.14; the newest release answers Access-Control-Request-Private-Network: true with Access-Control-Allow-Private-Network: true.',
    explains: (m) => m.field === 'access-control-allow-private-network' && m.django === null && m.gatehouse === 'true' && m.scenario.django.CORS_ALLOW_PRIVATE_NETWORK === true,
  },
  {
    id: 'origin-must-be-serialized',
    kind: 'design',
    why: 'Django compares only urlsplit()\'s scheme and netloc, so it allows and echoes an Origin with a path, query, trailing slash, upper-case scheme, explicit default port, two joined Origin lines, or (when "null" is listed) any string without a scheme. Browsers never send those; Gatehouse requires the exact serialized origin.',
    explains: (m) => notSerialized(m.request) && m.gatehouse === null && m.django !== null && m.field.startsWith('access-control-'),
  },
  {
    id: 'configured-origins-canonicalised',
    kind: 'design',
    why: 'Gatehouse canonicalises configured origins as browsers serialise them (default port dropped, lower case), so a configured "https://secure.example.com:443" allows what browsers send, "https://secure.example.com"; Django never matches it.',
    explains: (m) => {
      const value = origin(m.request);
      const listed = (m.scenario.django.CORS_ALLOWED_ORIGINS as string[] | undefined) ?? [];
      return value !== undefined && m.django === null && m.gatehouse !== null && !listed.includes(value) && listed.some((o) => o.toLowerCase().startsWith(`${value.toLowerCase()}:`) || o.toLowerCase() === value.toLowerCase());
    },
  },
  {
    id: 'regex-full-match',
    kind: 'design',
    why: 'Django applies CORS_ALLOWED_ORIGIN_REGEXES with re.match, anchored at the start only, so "^https://.*\\.example\\.com" allows "https://a.example.com.evil.net". Gatehouse matches the whole origin and warns at start-up about such regexes.',
    explains: (m) => 'CORS_ALLOWED_ORIGIN_REGEXES' in m.scenario.django && m.field.startsWith('access-control-') && m.django !== null && m.gatehouse === null,
  },
  {
    id: 'preflight-needs-origin',
    kind: 'design',
    why: 'Django answers any OPTIONS with Access-Control-Request-Method itself, even without an Origin; Fetch §3.2.2 defines a CORS preflight as carrying Origin, so Gatehouse passes such a request to the handler.',
    explains: (m) => m.request.method === 'OPTIONS' && origin(m.request) === undefined && m.field === 'handler',
  },
  {
    id: 'encoded-slash-not-decoded',
    kind: 'design',
    why: 'Django decodes %2F in path_info before CORS_URLS_REGEX sees it; Gatehouse decodes like decodeURI and keeps %2F encoded, as routers do, so "/api%2Fitems" is not under "^/api/".',
    explains: (m) => m.request.path.toLowerCase().includes('%2f') && (m.field === 'vary-origin' || m.field.startsWith('access-control-')),
  },
];
