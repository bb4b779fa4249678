// The request target the upstream receives. Gatehouse matched its CORS paths and permission rules on
// requestPath() (decoded, dot segments as sent); the upstream must route the very same path, or a
// rule written for /api/admin/* could be walked around. Targets whose path another server may read
// differently are refused: an encoded slash or backslash (WSGI's PATH_INFO decodes %2F into "/"),
// a backslash, an encoded NUL, and dot segments (RFC 3986 §5.2.4 would remove them; browsers never
// send them). The absolute form (RFC 9112 §3.2.2) is reduced to its path and query, so the upstream
// never sees a host the client chose.

export type UpstreamTarget = { readonly target: string } | { readonly refused: string };

const SUSPECT = /[%\\.]/;
const ENCODED_SEPARATOR = /%(?:2f|5c|00)/i;

export function upstreamTarget(url: string): UpstreamTarget {
  let target = url;
  if (!target.startsWith('/')) {
    const schemeEnd = target.indexOf('://');
    if (schemeEnd === -1) return { refused: 'the request target is neither a path nor an absolute URL' };
    const start = target.indexOf('/', schemeEnd + 3);
    const query = target.indexOf('?', schemeEnd + 3);
    target = start === -1 || (query !== -1 && query < start) ? `/${query === -1 ? '' : target.slice(query)}` : target.slice(start);
  }
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  if (!SUSPECT.test(path)) return { target };
  if (path.includes('\\')) return { refused: 'the path contains a backslash' };
  if (ENCODED_SEPARATOR.test(path)) return { refused: 'the path contains an encoded "/", "\\" or NUL' };
  for (const segment of path.split('/')) {
    const plain = segment.replace(/%2e/gi, '.');
    if (plain === '.' || plain === '..') return { refused: 'the path contains a "." or ".." segment' };
  }
  return { target };
}
