// node:http without CORS: the floor every node:http variant is compared against.

import { createServer } from 'node:http';
import { nodePostsHandler } from '../postsRoutes.ts';
import { listenAndAnnounce, serverArgs } from '../serverProcess.ts';

const { port } = serverArgs();
listenAndAnnounce(createServer(nodePostsHandler), port);
