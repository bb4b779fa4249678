// Authentication suite: node:http wrapped by Gatehouse's node:http adapter (withGatehouse), configured
// for the algorithm in BENCH_AUTH_ALG (see bench/authGatehouseOptions.ts).

import { createServer } from 'node:http';
import { withGatehouse } from '../../src/adapters/node-http.ts';
import { gatehouseAuthOptions } from '../authGatehouseOptions.ts';
import { authServerArgs } from '../authWorkload.ts';
import { nodePostsHandler } from '../postsRoutes.ts';
import { listenAndAnnounce, serverArgs } from '../serverProcess.ts';

const { port } = serverArgs();
const { fixture, alg } = authServerArgs();
listenAndAnnounce(createServer(withGatehouse(nodePostsHandler, gatehouseAuthOptions(fixture, alg))), port);
