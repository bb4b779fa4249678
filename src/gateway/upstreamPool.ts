// The connection pool to the upstream: undici's Pool, except that it does not keep a connection open
// that was made for a request whose client had already gone.
//
// undici makes such connections: a request aborted while its answer is awaited is put back in the
// queue when its socket closes (the close carries an informational error), a new connection is opened
// for it, and only then is the request found aborted and dropped (nodejs/undici#5845). That connection
// then sits idle for keepAliveTimeout (4 s). An upstream with one process per connection, as
// gunicorn's sync workers are, has a worker blocked reading a request that never comes: with two
// workers, two clients that hang up stall the upstream for 4 s (seen in bench/gateway as 4 s stalls
// after every wrk run).
//
// A Pool hands each of its Clients one request at a time (a Client with a request is busy until it
// drains), so each Client here remembers the exchange it was last given; a connection its connector
// opens while that exchange is abandoned is closed as soon as undici has dropped the request, so the
// upstream sees a connection that closes at once instead of one that idles for seconds.

import type { Duplex } from 'node:stream';
import { Client, Pool, type buildConnector, type Dispatcher } from 'undici';
import type { ResolvedUpstream } from '../config/gatewaySchema.ts';

/** What the connector asks of the exchange a connection would be for. */
export interface UpstreamExchange {
  /** True once the client went away before the exchange finished. */
  readonly abandoned: boolean;
}

/** Where dispatch options carry their exchange (a symbol, so undici never reads it as an option). */
export const EXCHANGE_OF = Symbol('gatehouse.gateway.exchange-of');

export type UpstreamDispatchOptions = Dispatcher.DispatchOptions & { [EXCHANGE_OF]?: UpstreamExchange };

class ExchangeAwareClient extends Client {
  exchange: UpstreamExchange | undefined;

  override dispatch(options: UpstreamDispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.exchange = options[EXCHANGE_OF];
    return super.dispatch(options, handler);
  }
}

/**
 * Closes a connection opened for an abandoned exchange once undici has dropped the exchange's request
 * (it does so right after connecting, before the next turn of the event loop), unless the Client was
 * given another request meanwhile. Failing the connect instead would take undici's connect-error path
 * for a request it is about to drop; a normal close of an idle connection is its everyday path.
 */
function closeIfStillAbandoned(client: ExchangeAwareClient, exchange: UpstreamExchange, socket: Duplex): void {
  if (client.exchange === exchange && !socket.destroyed) socket.destroy();
}

function createClient(origin: URL, options: object): Dispatcher {
  // Pool passes the connector it built from `connect` (timeout included) as options.connect.
  const connect = (options as { connect: buildConnector.connector }).connect;
  const client: ExchangeAwareClient = new ExchangeAwareClient(origin, {
    ...(options as Client.Options),
    connect: (params, callback) => {
      const exchange = client.exchange;
      if (exchange?.abandoned !== true) {
        connect(params, callback);
        return;
      }
      connect(params, (...result) => {
        callback(...result);
        const socket = result[1];
        if (socket !== null) setImmediate(closeIfStillAbandoned, client, exchange, socket);
      });
    },
  });
  return client;
}

export function createUpstreamPool(upstream: ResolvedUpstream): Pool {
  return new Pool(upstream.origin, {
    connections: upstream.connections,
    connect: { timeout: upstream.connectTimeoutMs },
    headersTimeout: upstream.headersTimeoutMs,
    bodyTimeout: upstream.bodyTimeoutMs,
    factory: createClient,
  });
}
