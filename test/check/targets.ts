// Real servers on loopback for the auditor's tests: Gatehouse through the node adapter, express apps
// with the `cors` package or a hand-written CORS middleware, and misbehaving servers (one that never
// answers, one that streams forever, one that redirects). Each is closed by the test that starts it.

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import cors from 'cors';
import express, { type RequestHandler } from 'express';
import { withGatehouse } from '../../src/adapters/node-http.ts';
import type { Finding } from '../../src/check/analysis.ts';
import type { CorsSettings } from '../../src/cors/settings.ts';
import { closeServer, listen } from '../helpers/servers.ts';

export const APP = 'https://app.example.com';
export const API_PATH = '/api/posts/';

export interface Target {
  readonly url: string;
  /** Requests the server received, in order (method, Origin and the other headers). */
  readonly received: IncomingMessage['headers'][];
  close(): Promise<void>;
}

async function serve(server: Server, received: IncomingMessage['headers'][]): Promise<Target> {
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}${API_PATH}`, received, close: () => closeServer(server) };
}

function recording(handler: (req: IncomingMessage, res: ServerResponse) => void, received: IncomingMessage['headers'][]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    received.push({ ...req.headers, ':method': req.method });
    handler(req, res);
  };
}

/** The demo answer: a JSON body with the user's data. */
const answer = (_req: IncomingMessage, res: ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"user":"alice","balance":100}');
};

/** Gatehouse's node adapter with these CORS settings (start-up warnings silenced). */
export function gatehouseTarget(settings: CorsSettings): Promise<Target> {
  const received: IncomingMessage['headers'][] = [];
  return serve(createServer(recording(withGatehouse(answer, { cors: settings, logger: false }), received)), received);
}

/** An express 5 app with the given CORS middleware in front of one JSON route. */
export function expressTarget(middleware: RequestHandler): Promise<Target> {
  const received: IncomingMessage['headers'][] = [];
  const app = express();
  app.set('env', 'test');
  app.use((req, _res, next) => {
    received.push({ ...req.headers, ':method': req.method });
    next();
  });
  app.use(middleware);
  app.get(API_PATH, (_req, res) => {
    res.json({ user: 'alice', balance: 100 });
  });
  return serve(createServer(app), received);
}

export const corsMiddleware = cors;

/** A hand-written allowlist that sets Access-Control-Allow-Origin but forgets Vary: Origin. */
export const allowlistWithoutVary: RequestHandler = (req, res, next) => {
  if (req.headers.origin === APP) res.set({ 'Access-Control-Allow-Origin': APP, 'Access-Control-Allow-Credentials': 'true' });
  next();
};

/** A plain node server with a handler written for the test. */
export function nodeTarget(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Target> {
  const received: IncomingMessage['headers'][] = [];
  return serve(createServer(recording(handler, received)), received);
}

/** Accepts connections and never answers: every request on it can only time out. */
export async function silentTarget(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${API_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then closed). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const port = await listen(server);
  await closeServer(server);
  return `http://127.0.0.1:${port}${API_PATH}`;
}

/** The findings as `id severity` strings, sorted, for comparing with a table row. */
export function summary(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.id} ${f.severity}`).sort();
}

/** The evidence proves the finding: the request carried the origin, the response granted it. */
export function assertProves(finding: Finding): void {
  const { request, response } = finding.evidence;
  assert.equal(request.headers.origin, finding.origin, `${finding.id}: the evidence request carries the finding's origin`);
  const acao = response.headers['access-control-allow-origin'];
  switch (finding.id) {
    case 'origin-wildcard':
    case 'wildcard-with-credentials':
      assert.equal(acao, '*', finding.id);
      break;
    case 'expected-origin-refused':
      assert.notEqual(acao, finding.origin, finding.id);
      break;
    case 'vary-origin-missing':
      assert.doesNotMatch(response.headers.vary ?? '', /origin/i, finding.id);
      break;
    default:
      assert.ok(acao === finding.origin || acao === '*', `${finding.id}: Access-Control-Allow-Origin ${String(acao)} grants ${String(finding.origin)}`);
  }
  if (finding.credentials) assert.equal(response.headers['access-control-allow-credentials'], 'true', finding.id);
  assert.ok(finding.fix.gatehouse.length > 0 && finding.fix.django.length > 0, `${finding.id}: a fix in both vocabularies`);
}
