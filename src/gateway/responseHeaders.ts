// The response head the client receives from the upstream's: hop-by-hop fields dropped, and the
// upstream's own CORS fields (Access-Control-*) removed unless `keepUpstreamCors`, so a misconfigured
// upstream cannot widen Gatehouse's policy. Gatehouse's own CORS fields are added afterwards, when the
// node adapter's writeHead runs (keepCorsHeaders), so removing here never removes Gatehouse's.

import { connectionListed, isHopByHop } from './hopByHop.ts';

export type ResponseHeaders = Record<string, string | string[]>;

/**
 * From undici's raw header list (name, value, ... as Buffers or strings) to an object writeHead takes:
 * lower-case names, repeated fields (Set-Cookie, Link, Vary) as arrays so every line is kept.
 * `upgrade` keeps Connection and Upgrade, which a 101 answer needs.
 */
export function clientResponseHeaders(raw: readonly (Buffer | string)[], keepUpstreamCors: boolean, upgrade = false): ResponseHeaders {
  const out: ResponseHeaders = Object.create(null) as ResponseHeaders;
  let connection: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const lower = text(raw[i]!).toLowerCase();
    const value = text(raw[i + 1]!);
    if (lower === 'connection') {
      (connection ??= []).push(value);
      if (!upgrade) continue;
    } else if (isHopByHop(lower) && !(upgrade && lower === 'upgrade')) {
      continue;
    }
    if (!keepUpstreamCors && lower.startsWith('access-control-')) continue;
    const seen = out[lower];
    if (seen === undefined) out[lower] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[lower] = [seen, value];
  }
  if (connection !== undefined) {
    const listed = connectionListed(connection);
    if (listed !== undefined) for (const name of listed) delete out[name];
  }
  return out;
}

function text(value: Buffer | string): string {
  return typeof value === 'string' ? value : value.toString('latin1');
}
