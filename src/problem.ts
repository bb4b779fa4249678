// RFC 9457 problem details: every 4xx/5xx body Gatehouse writes itself has this shape.

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://gatehouse.dev/problems/';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  /** Gatehouse's stable error code, the same one the log line and docs/problems.md use. */
  readonly code: string;
  readonly [extension: string]: unknown;
}

export function problem(code: string, status: number, title: string, detail?: string): Problem {
  const body: Problem = { type: PROBLEM_TYPE_BASE + code, title, status, code };
  return detail === undefined ? body : { ...body, detail };
}

export function problemJson(code: string, status: number, title: string, detail?: string): string {
  return JSON.stringify(problem(code, status, title, detail));
}
