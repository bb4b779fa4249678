// The demo JSON API that `gatehouse serve` puts behind the engine: posts on a built-in data set, kept
// in memory. The full server (storage, users, tokens) replaces it in a later step.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { problemJson, PROBLEM_CONTENT_TYPE } from '../problem.ts';

export interface Post {
  id: number;
  title: string;
  body: string;
  author: string;
  createdAt: string;
}

const MAX_BODY_BYTES = 1024 * 1024;

export const SEED_POSTS: readonly Omit<Post, 'id'>[] = [
  { title: 'Welcome to Gatehouse', body: 'This API is readable only from the origins you allow.', author: 'admin', createdAt: '2026-01-01T00:00:00.000Z' },
  { title: 'CORS binds browsers', body: 'curl is stopped by authentication, not by CORS.', author: 'admin', createdAt: '2026-01-02T00:00:00.000Z' },
  { title: 'Preflights', body: 'PUT, PATCH and DELETE with JSON are preflighted; Gatehouse answers them.', author: 'admin', createdAt: '2026-01-03T00:00:00.000Z' },
];

class HttpProblem extends Error {
  constructor(readonly status: number, readonly code: string, readonly title: string, readonly detail?: string) {
    super(title);
  }
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendProblem(res: ServerResponse, problem: HttpProblem, extra: Record<string, string> = {}): void {
  const text = problemJson(problem.code, problem.status, problem.title, problem.detail);
  res.writeHead(problem.status, { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported Media Type', 'Send the body as application/json.');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, 'body-too-large', 'Content Too Large', `The body may be at most ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk);
  }
  let data: unknown;
  try {
    data = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpProblem(400, 'malformed-json', 'Bad Request', 'The body is not valid JSON.');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HttpProblem(400, 'invalid-body', 'Bad Request', 'The body must be a JSON object.');
  }
  return data as Record<string, unknown>;
}

const FIELDS = ['title', 'body'] as const;

function validatePost(data: Record<string, unknown>, partial: boolean): Partial<Pick<Post, 'title' | 'body'>> {
  const unknown = Object.keys(data).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new HttpProblem(400, 'invalid-body', 'Bad Request', `Unknown field(s): ${unknown.join(', ')}.`);
  const out: Partial<Pick<Post, 'title' | 'body'>> = {};
  for (const field of FIELDS) {
    const value = data[field];
    if (value === undefined) {
      if (!partial) throw new HttpProblem(400, 'invalid-body', 'Bad Request', `The field "${field}" is required.`);
      continue;
    }
    if (typeof value !== 'string' || value.length === 0 || value.length > 10_000) {
      throw new HttpProblem(400, 'invalid-body', 'Bad Request', `The field "${field}" must be a non-empty string of at most 10000 characters.`);
    }
    out[field] = value;
  }
  return out;
}

export function createDemoApi(seed: readonly Omit<Post, 'id'>[] = SEED_POSTS) {
  const posts = new Map<number, Post>();
  let nextId = 1;
  for (const post of seed) posts.set(nextId, { id: nextId++, ...post });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    if (path === '/healthz') return send(res, 200, { status: 'ok' });
    if (path === '/api/posts/' || path === '/api/posts') {
      if (method === 'GET' || method === 'HEAD') return send(res, 200, { count: posts.size, results: [...posts.values()] });
      if (method === 'POST') {
        const fields = validatePost(await readJson(req), false);
        const post: Post = { id: nextId++, title: fields.title!, body: fields.body!, author: 'anonymous', createdAt: new Date().toISOString() };
        posts.set(post.id, post);
        return send(res, 201, post);
      }
      throw Object.assign(new HttpProblem(405, 'method-not-allowed', 'Method Not Allowed'), { allow: 'GET, HEAD, POST, OPTIONS' });
    }
    const match = /^\/api\/posts\/(\d{1,9})\/?$/.exec(path);
    if (match === null) throw new HttpProblem(404, 'not-found', 'Not Found', `No resource at ${path}.`);
    const id = Number(match[1]);
    const post = posts.get(id);
    if (post === undefined) throw new HttpProblem(404, 'not-found', 'Not Found', `No post with id ${id}.`);
    switch (method) {
      case 'GET':
      case 'HEAD':
        return send(res, 200, post);
      case 'PUT':
      case 'PATCH': {
        const fields = validatePost(await readJson(req), method === 'PATCH');
        Object.assign(post, fields);
        return send(res, 200, post);
      }
      case 'DELETE':
        posts.delete(id);
        return send(res, 204);
      default:
        throw Object.assign(new HttpProblem(405, 'method-not-allowed', 'Method Not Allowed'), { allow: 'GET, HEAD, PUT, PATCH, DELETE, OPTIONS' });
    }
  }

  return async function demoApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await route(req, res);
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      const allow = (error as HttpProblem & { allow?: string }).allow;
      sendProblem(res, error, allow ? { Allow: allow } : {});
    }
  };
}
