// A gateway in a process of its own, for measuring its memory (streaming.test.ts) and its speed
// (bench/gateway): `node --import tsx test/gateway/gatewayProcess.ts UPSTREAM_URL [SETTINGS_JSON]`.
// SETTINGS_JSON is `{ "cors": {...}, "upstream": {...} }` (the upstream's url comes from the first
// argument). It runs listenGateway (what `gatehouse serve --upstream` runs) on 127.0.0.1 (port
// GATEWAY_PORT, default a free one), prints `READY <port>` once listening, and exits when its stdin
// closes, so a crashed parent leaves nothing behind.

import { createGatehouse } from '../../src/gatehouse.ts';
import { listenGateway } from '../../src/gateway/listenGateway.ts';

const [upstreamUrl, settingsJson] = process.argv.slice(2);
if (upstreamUrl === undefined) {
  process.stderr.write('usage: gatewayProcess.ts UPSTREAM_URL [SETTINGS_JSON]\n');
  process.exit(2);
}
const settings = (settingsJson === undefined ? {} : JSON.parse(settingsJson)) as { cors?: object; upstream?: object };
const gatehouse = createGatehouse({ cors: settings.cors ?? {}, logger: false });
const running = await listenGateway({ gatehouse, upstream: { ...settings.upstream, url: upstreamUrl }, port: Number(process.env.GATEWAY_PORT ?? 0) });
running.server.keepAliveTimeout = 65_000;
process.stdout.write(`READY ${new URL(running.url).port}\n`);
const stop = () => void running.close().then(() => process.exit(0));
process.stdin.resume();
process.stdin.on('end', stop);
process.on('SIGTERM', stop);
