// The WebSocket feed of post changes: the handshake is checked like a request (Origin against the
// allowlist, then authentication and the permission table), and an allowed client hears changes.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { ORIGIN, useServer } from '../helpers/serverApi.ts';

/** Messages as they arrive, kept until asked for: the server speaks first, before `open` resolves here. */
class Inbox {
  private readonly queue: unknown[] = [];
  private waiting: ((message: unknown) => void) | undefined;
  constructor(ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (this.waiting) {
        this.waiting(message);
        this.waiting = undefined;
      } else this.queue.push(message);
    });
  }
  next(): Promise<any> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift());
    return new Promise((resolve) => (this.waiting = resolve));
  }
}

/** The handshake's outcome: 'open' (with the socket) or the refusal's status. */
function connect(url: string, headers: Record<string, string>): Promise<{ status: number; ws?: WebSocket; inbox?: Inbox; body?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + '/api/ws', { headers });
    const inbox = new Inbox(ws);
    ws.once('open', () => resolve({ status: 101, ws, inbox }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

describe('live feed', () => {
  const server = useServer('sqlite', 'feed');

  test('an allowed origin with a token connects and hears a new post', async (t) => {
    const running = server.get(t);
    if (!running) return;
    const token = (await running.devToken())!.token;
    const opened = await connect(running.url, { origin: ORIGIN, authorization: `Bearer ${token}` });
    assert.equal(opened.status, 101);
    const ws = opened.ws!;
    try {
      assert.deepEqual(await opened.inbox!.next(), { type: 'hello', subject: '1' });
      const created = await server.call('POST', '/api/posts/', { token, body: { title: 'live', body: 'b' } });
      const event = await opened.inbox!.next();
      assert.equal(event.type, 'post.created');
      assert.equal(event.post.id, created.json.id);
    } finally {
      ws.close();
    }
  });

  test('refused handshakes: another origin 403, no credentials 401, another path 404', async (t) => {
    const running = server.get(t);
    if (!running) return;
    const token = (await running.devToken())!.token;
    const evil = await connect(running.url, { origin: 'https://evil.example', authorization: `Bearer ${token}` });
    assert.equal(evil.status, 403);
    assert.match(evil.body!, /"status":403/);
    const anonymous = await connect(running.url, { origin: ORIGIN });
    assert.equal(anonymous.status, 401);
    const other = await new Promise<number>((resolve) => {
      const ws = new WebSocket(running.url.replace(/^http/, 'ws') + '/api/other', { headers: { origin: ORIGIN } });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => resolve(-1));
    });
    assert.equal(other, 404);
  });
});
