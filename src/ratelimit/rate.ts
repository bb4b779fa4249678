// Rates in Django REST framework's throttle syntax, `<requests>/<period>`: `100/minute`, `5/min`,
// `1000/day`. DRF reads only the period's first letter (s, m, h, d); so do we, and also accept a
// count before it (`10/15m`, `30/10s`), which DRF cannot express.

export interface Rate {
  /** Requests allowed per window. */
  readonly points: number;
  /** The window, in seconds. */
  readonly durationSeconds: number;
  /** As written, for logs and RateLimit-Policy names. */
  readonly source: string;
}

const PERIOD_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
const RATE = /^\s*(\d{1,9})\s*\/\s*(\d{0,6})\s*([a-z]+)\s*$/i;

/** The rate, or a message saying what is wrong with it. */
export function parseRate(source: string): Rate | string {
  const match = RATE.exec(source);
  if (match === null) return 'must be "<requests>/<period>", e.g. "100/minute", "5/min", "1000/day" or "10/15m"';
  const points = Number(match[1]);
  const multiplier = match[2] === '' ? 1 : Number(match[2]);
  const unit = PERIOD_SECONDS[match[3]!.charAt(0).toLowerCase()];
  if (unit === undefined) return `has an unknown period "${match[3]}": use second, minute, hour or day`;
  if (points < 1) return 'must allow at least 1 request';
  if (multiplier < 1) return 'must have a period of at least 1';
  return Object.freeze({ points, durationSeconds: multiplier * unit, source: source.trim() });
}
