/**
 * Fan-out clients, in their own process: N real socket.io-clients (WebSocket transport) connect to URL; once all are
 * connected (and have their snapshot) each records, for every `metrics:frame` in the next WINDOW_MS, its sequence
 * number and its delivery lag (arrival wall time − the frame's own time, which with the simulator at speed 1 is the
 * tick's wall time; same machine, same clock). Only the 24-byte header is decoded. Prints one JSON line.
 * Usage: node --import tsx tests/bench/fanout.client.ts URL N WINDOW_MS
 */
import { io as connect, type Socket } from 'socket.io-client';

const [url, nText, windowText] = process.argv.slice(2);
const n = Number(nText);
const windowMs = Number(windowText);
const lags: number[] = [];
const seqsPerClient: Array<Set<number>> = [];
let recording = false;
let ready = 0;

const sockets: Socket[] = Array.from({ length: n }, (_, k) => {
  const seen = new Set<number>();
  seqsPerClient.push(seen);
  const s = connect(url!, { transports: ['websocket'], reconnection: false, timeout: 120_000, forceNew: true });
  s.once('district:snapshot', () => {
    if (++ready === n) start();
  });
  s.on('metrics:frame', (f: ArrayBuffer | Uint8Array) => {
    if (!recording) return;
    const now = Date.now();
    const bytes = f instanceof Uint8Array ? f : new Uint8Array(f);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    seen.add(view.getUint32(8, true));
    lags.push(now - view.getFloat64(12, true));
  });
  void k;
  return s;
});

function start(): void {
  process.stderr.write(`[fanout client] ${n} connected\n`);
  recording = true;
  setTimeout(() => {
    recording = false;
    let min = Infinity;
    let max = -Infinity;
    for (const set of seqsPerClient) for (const q of set) [min, max] = [Math.min(min, q), Math.max(max, q)];
    const expected = Number.isFinite(min) ? max - min + 1 : 0;
    const received = seqsPerClient.reduce((sum, set) => sum + set.size, 0);
    process.stdout.write(`${JSON.stringify({ lags, expectedPerClient: expected, received, clients: n })}\n`);
    for (const s of sockets) s.close();
    process.exit(0);
  }, windowMs);
}
