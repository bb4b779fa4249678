// Express 5 without CORS.

import { createServer } from 'node:http';
import express from 'express';
import { addExpressPostsRoute } from '../postsRoutes.ts';
import { listenAndAnnounce, serverArgs } from '../serverProcess.ts';

const { port } = serverArgs();
listenAndAnnounce(createServer(addExpressPostsRoute(express())), port);
