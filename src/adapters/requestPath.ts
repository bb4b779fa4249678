// The path the engine matches per-path policies against. Percent-encoded characters other than
// reserved ones are decoded (as Django's path_info and most routers do), so `/api/privat%65/` cannot
// slip past a policy written for `/api/private/`; %2F and the like stay encoded (decodeURI).

/** From a request target: origin form `/path?q` or absolute form `http://host/path` (RFC 9112 §3.2). */
export function requestPath(target: string): string {
  let start = 0;
  if (!target.startsWith('/')) {
    const schemeEnd = target.indexOf('://');
    start = schemeEnd === -1 ? -1 : target.indexOf('/', schemeEnd + 3);
    if (start === -1) return '/';
  }
  let end = target.indexOf('?', start);
  const hash = target.indexOf('#', start);
  if (end === -1 || (hash !== -1 && hash < end)) end = hash;
  const path = end === -1 ? (start === 0 ? target : target.slice(start)) : target.slice(start, end);
  if (!path.includes('%')) return path;
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}
