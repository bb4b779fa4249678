// A raw HTTP client that can connect from another loopback address: the servers listen on 127.0.0.1,
// and a request bound to 127.0.0.2 (`localAddress`) reaches them from a peer that is not a trusted
// proxy, with exactly the same header lines. Also sends WebSocket handshakes and reports the status.

import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';

export const TRUSTED_PEER = '127.0.0.1';
export const UNTRUSTED_PEER = '127.0.0.2';

export { sendFrom } from '../helpers/httpClient.ts';

export interface HandshakeResult {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Sends a WebSocket opening handshake (RFC 6455 §4.1) and reports the answer; 101 means upgraded. */
export function handshakeFrom(from: string, baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<HandshakeResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(baseUrl + path, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64'), ...headers },
      agent: false,
      localAddress: from,
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body: '' });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout on the handshake of ${path}`)));
    req.on('error', reject);
    req.end();
  });
}
