// django-cors-headers' regex settings are Python `re` patterns. The common subset reads the same in
// JavaScript; the few Python-only spellings are translated, and anything else fails at start-up.

export type RegexMode =
  /** The whole string must match (Gatehouse's origin regexes). */
  | 'fullmatch'
  /** Anchored at the start only, as Python's `re.match` (django-cors-headers' CORS_URLS_REGEX). */
  | 'match';

export type CompiledRegex = { readonly ok: true; readonly regex: RegExp } | { readonly ok: false; readonly message: string };

export function compilePythonRegex(source: string, mode: RegexMode): CompiledRegex {
  let body = source;
  let flags = '';
  // A leading global inline flag group, e.g. `(?i)`, becomes a JavaScript flag.
  const inline = /^\(\?([aiLmsux]+)\)/.exec(body);
  if (inline !== null) {
    for (const flag of inline[1]!) {
      if (flag === 'i' || flag === 's' || flag === 'm') flags += flag;
      else if (flag !== 'a' && flag !== 'u') return { ok: false, message: `uses the Python-only inline flag (?${flag}), which Gatehouse cannot translate` };
    }
    body = body.slice(inline[0].length);
  }
  body = body
    .replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
  const wrapped = mode === 'fullmatch' ? `^(?:${body})$` : `^(?:${body})`;
  try {
    return { ok: true, regex: new RegExp(wrapped, flags) };
  } catch (error) {
    return { ok: false, message: `is not a valid regular expression: ${(error as Error).message}` };
  }
}

/** True when the pattern, read as Python's re.match would, only anchors its start. */
export function isEndAnchored(source: string): boolean {
  return /(?<!\\)(\$|\\Z)\)*$/.test(source);
}

/**
 * Dots that match any character where the author surely meant a literal dot: an unescaped `.`
 * outside a character class, followed by a letter or digit (`https://.*.example.com`). Such a regex
 * also allows `https://evil-example.com`.
 */
export function unescapedDomainDots(source: string): number[] {
  const positions: number[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '.' && /[A-Za-z0-9]/.test(source[i + 1] ?? '')) positions.push(i);
  }
  return positions;
}
