// Koa 3 without CORS.

import { createServer } from 'node:http';
import Koa from 'koa';
import { koaPostsMiddleware } from '../postsRoutes.ts';
import { listenAndAnnounce, serverArgs } from '../serverProcess.ts';

const { port } = serverArgs();
const app = new Koa();
app.use(koaPostsMiddleware);
listenAndAnnounce(createServer(app.callback()), port);
