// The ready server in-process on a fresh database of either dialect, and a JSON client for it.

import { after, before, type TestContext } from 'node:test';
import type { LoadedConfig } from '../../src/config/load.ts';
import type { DialectName } from '../../src/store/database.ts';
import { serve, type RunningServer } from '../../src/server/serve.ts';
import { send, type RawResponse } from './httpClient.ts';
import { createTestDatabase, type TestDatabase } from './storeDatabases.ts';

export const ADMIN_PASSWORD = 'admin-password-for-tests';
export const ORIGIN = 'https://app.example.com';

export interface ApiResponse extends RawResponse {
  /** The parsed body, when it is JSON. */
  readonly json: any;
}

export interface ApiCall {
  token?: string;
  body?: unknown;
  /** A raw body, sent as is (malformed JSON, huge bodies). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export async function call(baseUrl: string, method: string, path: string, options: ApiCall = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | Buffer | undefined = options.raw;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const response = await send(baseUrl, method, path, headers, body);
  let json: unknown;
  try {
    json = response.body === '' ? undefined : JSON.parse(response.body);
  } catch {
    json = undefined;
  }
  return { ...response, json };
}

export interface SuiteServer {
  /** The running server, or undefined after skipping (PostgreSQL unreachable outside CI). */
  get(t: TestContext): RunningServer | undefined;
  call(method: string, path: string, options?: ApiCall): Promise<ApiResponse>;
  login(username?: string, password?: string): Promise<{ access: string; refresh: string }>;
}

/** Registers before/after hooks: one server on a fresh database for the enclosing describe(). */
export function useServer(dialect: DialectName, label: string, config: Partial<LoadedConfig> = {}, env: Record<string, string> = {}): SuiteServer {
  let database: TestDatabase | undefined;
  let running: RunningServer | undefined;
  let unavailable: string | undefined;
  before(async () => {
    try {
      database = await createTestDatabase(dialect, label);
    } catch (error) {
      unavailable = (error as Error).message;
      return;
    }
    running = await serve({
      config: { cors: { allowedOrigins: [ORIGIN], allowCredentials: true }, sources: [], ...config, database: { url: database.url } },
      port: 0,
      logger: false,
      env: { GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD, NODE_ENV: 'test', ...env },
    });
  });
  after(async () => {
    await running?.close();
    await database?.drop();
  });
  const suite: SuiteServer = {
    get(t) {
      if (unavailable !== undefined) {
        if (process.env.CI === 'true') throw new Error(`PostgreSQL is required under CI: ${unavailable}`);
        t.skip(unavailable);
        return undefined;
      }
      return running!;
    },
    call: (method, path, options) => call(running!.url, method, path, options),
    async login(username = 'admin', password = ADMIN_PASSWORD) {
      const r = await suite.call('POST', '/api/token/', { body: { username, password } });
      if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.body}`);
      return r.json;
    },
  };
  return suite;
}
