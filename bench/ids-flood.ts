// The flooder of `npm run bench:ids` (phase c), in its own process so that its busy loop does not
// delay the measuring side: from ONE source address it opens WebSocket upgrades as fast as it can
// (concurrency-bounded) and, as a connected station, pipelines frames as fast as its socket drains,
// for BENCH_FLOOD_MS. It sends its counts to the orchestrator and exits.
//
// Environment: BENCH_URL, BENCH_SOURCE, BENCH_FLOOD_MS, BENCH_STATION, BENCH_PASSWORD,
// BENCH_FLOOD_KIND (both | connections | frames).
import { RawClient } from '../src/sim/raw-client.js';

const url = process.env.BENCH_URL!;
const source = process.env.BENCH_SOURCE!;
const ms = Number(process.env.BENCH_FLOOD_MS);
const station = process.env.BENCH_STATION!;
const password = process.env.BENCH_PASSWORD!;
const CONCURRENCY = 64;
const until = Date.now() + ms;

const counts = { attempts: 0, statuses: {} as Record<string, number>, frames: 0, frameConnections: 0 };

async function connectionFlood(): Promise<void> {
  for (let n = 0; Date.now() < until; n++) {
    counts.attempts++;
    let status = '101';
    try {
      const c = await RawClient.connect(`${url}/FLOOD-${process.pid}-${n}`, { localAddress: source, handshakeTimeoutMs: 5000 });
      c.ws.terminate();
    } catch (err) {
      status = String((err as { status?: number }).status ?? 'network');
    }
    counts.statuses[status] = (counts.statuses[status] ?? 0) + 1;
  }
}

async function frameFlood(): Promise<void> {
  const frame = JSON.stringify([2, 'x', 'Heartbeat', {}]);
  while (Date.now() < until) {
    let c: RawClient;
    try {
      c = await RawClient.connect(`${url}/${station}`, { user: station, password, localAddress: source, handshakeTimeoutMs: 5000 });
    } catch {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    counts.frameConnections++;
    while (c.isOpen && Date.now() < until) {
      // as fast as the socket drains: the kernel's buffer is the only brake
      if (c.ws.bufferedAmount < 1 << 20) {
        for (let i = 0; i < 200; i++) c.send(frame.replace('"x"', `"${counts.frames++}"`));
      }
      await new Promise((r) => setImmediate(r));
    }
    c.ws.terminate();
  }
}

const kind = process.env.BENCH_FLOOD_KIND ?? 'both';
await Promise.all([
  ...(kind === 'frames' ? [] : Array.from({ length: CONCURRENCY }, connectionFlood)),
  ...(kind === 'connections' ? [] : [frameFlood()]),
]);
process.send?.({ type: 'flood', ...counts, ms }, () => process.exit(0));
