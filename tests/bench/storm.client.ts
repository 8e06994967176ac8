/**
 * A reconnect storm, in its own process so the server's event loop is measured alone: N socket.io-clients connect
 * to URL at once, each waits for its `district:snapshot`; prints one JSON line {ms: [time to snapshot per client],
 * bytes, failed} on stdout. Usage: node --import tsx tests/bench/storm.client.ts URL N
 */
import { io as connect } from 'socket.io-client';

const [url, nText] = process.argv.slice(2);
const n = Number(nText);
const t0 = performance.now();
const ms: number[] = [];
let bytes = 0;
let failed = 0;
const sockets = Array.from({ length: n }, () => {
  const s = connect(url!, { transports: ['websocket'], reconnection: false, timeout: 60_000, forceNew: true });
  s.once('district:snapshot', (snap: ArrayBuffer | Uint8Array | object) => {
    ms.push(performance.now() - t0);
    bytes = snap instanceof ArrayBuffer ? snap.byteLength : ArrayBuffer.isView(snap) ? snap.byteLength : JSON.stringify(snap).length;
    done();
  });
  s.once('connect_error', () => {
    failed++;
    done();
  });
  return s;
});
function done(): void {
  if (ms.length + failed < n) return;
  process.stdout.write(`${JSON.stringify({ ms, bytes, failed })}\n`);
  for (const s of sockets) s.close();
  process.exit(0);
}
