// node:http wrapped by Gatehouse's node:http adapter. BENCH_GATEHOUSE_LOG=1 keeps Gatehouse's default
// logger (pino JSON lines on stderr, which run.ts sends to a file), to price the line it writes for
// every refused origin; otherwise the logger is off, as the peers log nothing.

import { createServer } from 'node:http';
import { withGatehouse } from '../../src/adapters/node-http.ts';
import { nodePostsHandler } from '../postsRoutes.ts';
import { announceNote, listenAndAnnounce, serverArgs } from '../serverProcess.ts';
import { gatehouseCors } from '../workload.ts';

const { port, list } = serverArgs();
const logged = process.env.BENCH_GATEHOUSE_LOG === '1';
if (logged) announceNote('default logger: one JSON line per refusal, to a file');
listenAndAnnounce(createServer(withGatehouse(nodePostsHandler, { cors: gatehouseCors(list), logger: logged ? undefined : false })), port);
