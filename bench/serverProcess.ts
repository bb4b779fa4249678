// The contract between bench/run.ts and a server variant in bench/servers/: the variant reads its
// port and allowlist from the environment (or argv: `<port> <list>`), listens on 127.0.0.1 and
// prints `READY <port>`. A variant that cannot run (a missing package, say) prints
// `UNAVAILABLE <why>` instead and exits; run.ts then lists it under "Not measured".

import type { Server } from 'node:http';
import { isListId, type ListId } from './workload.ts';

export interface ServerArgs {
  readonly port: number;
  readonly list: ListId;
}

/** Reads the arguments of a server variant, and makes SIGTERM (how run.ts stops it) end it at once. */
export function serverArgs(): ServerArgs {
  process.once('SIGTERM', () => process.exit(0));
  const port = Number(process.env.BENCH_PORT ?? process.argv[2]);
  const list = process.env.BENCH_LIST ?? process.argv[3] ?? '3';
  if (!Number.isInteger(port) || port <= 0 || port > 65535) fail('set BENCH_PORT (or pass the port as the first argument)');
  if (!isListId(list)) fail(`unknown allowlist "${list}"`);
  return { port, list };
}

export const HOST = '127.0.0.1';

/** Starts a node:http server on HOST and announces it. */
export function listenAndAnnounce(server: Server, port: number): void {
  server.keepAliveTimeout = 60_000;
  server.once('error', (error) => fail(`cannot listen on ${HOST}:${port}: ${error.message}`));
  server.listen(port, HOST, () => announceReady(port));
}

export function announceReady(port: number): void {
  process.stdout.write(`READY ${port}\n`);
}

/** A line run.ts shows next to the variant's numbers, e.g. how Gatehouse was mounted. */
export function announceNote(note: string): void {
  process.stdout.write(`NOTE ${note}\n`);
}

function fail(message: string): never {
  process.stderr.write(`bench server: ${message}\n`);
  process.exit(2);
}
