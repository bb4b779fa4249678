// /api/posts/: the demo resource. The permission table gives each method's rule (default:
// authenticated users read, owner or admin writes); object rules apply to single posts, to lists
// (filtered) and to creates, and a post the caller may not read answers 404.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../access/requestPrincipal.ts';
import { requestPath } from '../../adapters/requestPath.ts';
import { checkCreate, checkObject, filterObjects } from '../../permissions/permissionCheck.ts';
import type { Rule } from '../../permissions/rule.ts';
import { POST_ORDERINGS, type Post } from '../../store/posts.ts';
import { HttpProblem, notFound, permissionProblem } from '../httpProblem.ts';
import { parseInput, queryInt, text } from '../requestBody.ts';
import { clientView } from '../clientView.ts';
import { localUserId, ownerView } from '../localUser.ts';
import type { PostEvents } from '../liveFeed.ts';
import type { ServerContext } from '../serverContext.ts';

const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;
/** Lists under an object rule are filtered in memory: at most this many posts are looked at. */
const MAX_OBJECT_SCAN = 10_000;

const createSchema = z.strictObject({ title: text(200), body: text(10_000) });
const updateSchema = z.strictObject({ title: text(200), body: text(10_000) });
const patchSchema = z.strictObject({ title: text(200).optional(), body: text(10_000).optional() });
const listSchema = z.object({
  page: queryInt(1_000_000).optional(),
  page_size: queryInt(MAX_PAGE_SIZE).optional(),
  owner: queryInt(2 ** 31 - 1).optional(),
  search: z.string().max(200, { error: 'must be at most 200 characters' }).optional(),
  ordering: z.enum(POST_ORDERINGS, { error: `must be one of ${POST_ORDERINGS.join(', ')}` }).optional(),
});

export function postJson(post: Post) {
  return { id: post.id, title: post.title, body: post.body, owner: post.owner, owner_username: post.ownerUsername, created_at: post.createdAt.toISOString(), updated_at: post.updatedAt.toISOString() };
}

/** A path id: digits only, so `/api/posts/1abc` is a 404 like any unknown post. */
function postId(request: FastifyRequest): number {
  const raw = (request.params as { id: string }).id;
  if (!/^\d{1,9}$/.test(raw)) throw notFound();
  return Number(raw);
}

export function postRoutes(app: FastifyInstance, ctx: ServerContext, events: PostEvents): void {
  const access = ctx.gatehouse.access!;
  const realm = access.realm;
  const contextOf = (request: FastifyRequest) => {
    const path = requestPath(request.url);
    return { rule: access.ruleFor(request.method, path), ctx: { principal: ownerView(principalOf(request.raw), ctx), method: request.method, path } };
  };
  /** The post of the path, after its object check: a missing post and a hidden one are the same 404. */
  const load = async (request: FastifyRequest, rule: Rule, permission: ReturnType<typeof contextOf>['ctx']): Promise<Post> => {
    const post = await ctx.posts.get(postId(request));
    if (post === undefined) throw notFound();
    if (rule.usesObject) {
      const decision = checkObject(rule, permission, post);
      if (!decision.allowed) throw permissionProblem(decision, realm);
    }
    return post;
  };

  app.get('/api/posts/', async (request) => {
    const query = parseInput(listSchema, request.query);
    const pageSize = query.page_size ?? DEFAULT_PAGE_SIZE;
    const page = query.page ?? 1;
    const filters = { ...(query.owner === undefined ? {} : { owner: query.owner }), ...(query.search === undefined ? {} : { search: query.search }), ...(query.ordering === undefined ? {} : { ordering: query.ordering }) };
    const { rule, ctx: permission } = contextOf(request);
    let count: number;
    let posts: Post[];
    if (rule.usesObject) {
      const scanned = await ctx.posts.list({ ...filters, limit: MAX_OBJECT_SCAN, offset: 0 });
      const visible = filterObjects(rule, permission, scanned.posts);
      count = visible.length;
      posts = visible.slice((page - 1) * pageSize, page * pageSize);
    } else {
      ({ count, posts } = await ctx.posts.list({ ...filters, limit: pageSize, offset: (page - 1) * pageSize }));
    }
    if (posts.length === 0 && page > 1) throw new HttpProblem(404, 'not-found', 'Not Found', `Page ${page} is past the last page.`);
    const client = clientView(request);
    const link = (n: number) => {
      const url = new URL(request.url, `${client.secure ? 'https' : 'http'}://${client.host ?? 'localhost'}`);
      url.searchParams.set('page', String(n));
      return url.toString();
    };
    return { count, next: page * pageSize < count ? link(page + 1) : null, previous: page > 1 ? link(page - 1) : null, results: posts.map(postJson) };
  });

  app.post('/api/posts/', async (request, reply) => {
    const input = parseInput(createSchema, request.body);
    const { rule, ctx: permission } = contextOf(request);
    const ownerId = localUserId(permission.principal, ctx);
    const owner = ownerId === undefined ? undefined : await ctx.users.get(ownerId);
    if (owner === undefined || !owner.isActive) {
      throw new HttpProblem(403, 'permission-denied', 'Forbidden', 'Only an active user of this server can own posts: authenticate as one, or with an API key owned by one.');
    }
    if (rule.usesObject) {
      const decision = checkCreate(rule, permission, { owner: owner.id, ...input });
      if (!decision.allowed) throw permissionProblem(decision, realm);
    }
    const post = await ctx.posts.create({ ownerId: owner.id, title: input.title, body: input.body });
    events.announce({ type: 'post.created', post });
    return reply.code(201).header('Location', `/api/posts/${post.id}`).send(postJson(post));
  });

  app.get('/api/posts/:id', async (request) => {
    const { rule, ctx: permission } = contextOf(request);
    return postJson(await load(request, rule, permission));
  });

  const update = (schema: typeof updateSchema | typeof patchSchema) => async (request: FastifyRequest) => {
    const { rule, ctx: permission } = contextOf(request);
    const post = await load(request, rule, permission);
    const changes = parseInput(schema, request.body);
    const updated = await ctx.posts.update(post.id, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
    if (updated === undefined) throw notFound();
    events.announce({ type: 'post.updated', post: updated });
    return postJson(updated);
  };
  app.put('/api/posts/:id', update(updateSchema));
  app.patch('/api/posts/:id', update(patchSchema));

  app.delete('/api/posts/:id', async (request, reply) => {
    const { rule, ctx: permission } = contextOf(request);
    const post = await load(request, rule, permission);
    if (!(await ctx.posts.delete(post.id))) throw notFound();
    events.announce({ type: 'post.deleted', post });
    return reply.code(204).send();
  });
}
