// A raw HTTP client for tests: sends exactly the header lines given (an array sends a line per value).

import { request as httpRequest, type IncomingMessage } from 'node:http';

export interface RawResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Record<string, string>;
  /** Lower-case names; every line of a repeated header, in order. */
  readonly headerLines: Record<string, string[]>;
  readonly body: string;
}

export function send(baseUrl: string, method: string, path: string, headers: Record<string, string | string[]> = {}, body?: string | Buffer): Promise<RawResponse> {
  return sendFrom(undefined, baseUrl, method, path, headers, body);
}

/** send(), connecting from the loopback address `from` (127.0.0.2: a peer that is not a trusted proxy). */
export function sendFrom(from: string | undefined, baseUrl: string, method: string, path: string, headers: Record<string, string | string[]> = {}, body?: string | Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(baseUrl + path, { method, headers, agent: false, ...(from === undefined ? {} : { localAddress: from }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out: Record<string, string> = {};
        const lines: Record<string, string[]> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i]!.toLowerCase();
          const value = res.rawHeaders[i + 1]!;
          out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
          (lines[name] ??= []).push(value);
        }
        resolve({ status: res.statusCode ?? 0, headers: out, headerLines: lines, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout on ${method} ${path}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends the request target exactly as given: send() goes through the WHATWG URL parser, which would
 * already have removed `..` and `%2e%2e` segments before the server saw them.
 */
export function sendRaw(port: number, method: string, target: string, headers: Record<string, string | string[]> = {}): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
