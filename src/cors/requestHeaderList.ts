// Access-Control-Request-Headers is a comma-separated list of header names (Fetch §3.2.2; browsers
// send them lower-cased and sorted, without spaces). It is scanned once, by index, without regexes,
// so a huge value costs linear time and nothing more.

const OWS = (c: number): boolean => c === 0x20 || c === 0x09;

/**
 * The first requested header name (lower-cased) that `isAllowed` refuses, or undefined when every
 * name is allowed. Empty list items are skipped, as Fetch's list parsing does.
 */
export function firstRefusedHeader(value: string, isAllowed: (lowerName: string) => boolean): string | undefined {
  let start = 0;
  const length = value.length;
  while (start <= length) {
    let end = value.indexOf(',', start);
    if (end === -1) end = length;
    let from = start;
    let to = end;
    while (from < to && OWS(value.charCodeAt(from))) from++;
    while (to > from && OWS(value.charCodeAt(to - 1))) to--;
    if (to > from) {
      const name = value.slice(from, to).toLowerCase();
      if (!isAllowed(name)) return name;
    }
    start = end + 1;
  }
  return undefined;
}
