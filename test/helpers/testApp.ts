// The app behind the conformance suite, the same in every adapter: it marks each response it writes
// with `x-handler: called`, so a test can tell whether the handler ran.

export interface TestAppResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What the test app answers for a method and path; throws for /throw. */
export function testAppResponse(method: string, path: string): TestAppResponse {
  if (path === '/throw') throw new Error('the handler threw on purpose');
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-handler': 'called' };
  if (path === '/vary') headers.vary = 'Accept-Encoding';
  const statusMatch = /^\/status\/(\d{3})$/.exec(path);
  const status = statusMatch ? Number(statusMatch[1]) : 200;
  const body = status === 200 ? JSON.stringify({ ok: true, method, path }) : JSON.stringify({ error: status });
  return { status, headers, body };
}
