// What the differential suite compares: the CORS-relevant part of a response.

import type { RawResponse } from '../helpers/httpClient.ts';
import { listsToken } from '../../src/adapters/responseHeaders.ts';

export const COMPARED_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-max-age',
  'access-control-allow-private-network',
] as const;

export type ComparedField = (typeof COMPARED_HEADERS)[number] | 'status' | 'handler' | 'vary-origin';

export type CorsView = Record<ComparedField, string | null>;

export function corsView(response: RawResponse): CorsView {
  const view = {
    status: String(response.status),
    handler: response.headers['x-handler'] === 'called' ? 'called' : 'not called',
    'vary-origin': listsToken(response.headers.vary ?? '', 'origin') ? 'yes' : 'no',
  } as CorsView;
  for (const name of COMPARED_HEADERS) view[name] = response.headers[name] ?? null;
  return view;
}

export function differingFields(a: CorsView, b: CorsView): ComparedField[] {
  return (Object.keys(a) as ComparedField[]).filter((k) => a[k] !== b[k]);
}
