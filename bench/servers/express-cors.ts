// Express 5 with the `cors` package. Given an array, cors tests every entry in turn on every request
// (isOriginAllowed: a linear scan, strings compared with ===, RegExp entries tested).

import { createServer } from 'node:http';
import cors from 'cors';
import express from 'express';
import { addExpressPostsRoute } from '../postsRoutes.ts';
import { listenAndAnnounce, serverArgs } from '../serverProcess.ts';
import { peerOrigins, POLICY } from '../workload.ts';

const { port, list } = serverArgs();
const app = express();
app.use(
  cors({
    origin: peerOrigins(list),
    credentials: POLICY.credentials,
    methods: POLICY.methods,
    allowedHeaders: POLICY.allowHeaders,
    exposedHeaders: POLICY.exposeHeaders,
    maxAge: POLICY.maxAge,
  }),
);
listenAndAnnounce(createServer(addExpressPostsRoute(app)), port);
