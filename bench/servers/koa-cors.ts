// Koa 3 with @koa/cors. @koa/cors takes no list: `origin` is a string or a function of the context,
// so a list is the user's own predicate. This one is the usual `allowed.includes(origin)` (a linear
// scan; RegExp lists: `some(regex.test)`), see peerOriginPredicate.

import { createServer } from 'node:http';
import cors from '@koa/cors';
import Koa from 'koa';
import { koaPostsMiddleware } from '../postsRoutes.ts';
import { listenAndAnnounce, serverArgs } from '../serverProcess.ts';
import { peerOriginPredicate, POLICY } from '../workload.ts';

const { port, list } = serverArgs();
const allowed = peerOriginPredicate(list);
const app = new Koa();
app.use(
  cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return allowed(origin) ? origin : '';
    },
    credentials: POLICY.credentials,
    allowMethods: POLICY.methods,
    allowHeaders: POLICY.allowHeaders,
    exposeHeaders: POLICY.exposeHeaders,
    maxAge: POLICY.maxAge,
  }),
);
app.use(koaPostsMiddleware);
listenAndAnnounce(createServer(app.callback()), port);
