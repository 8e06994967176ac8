/**
 * Fan-out screens, in their own process (forked by fanout.bench.ts, which talks to it over IPC):
 *   node --import tsx tests/bench/fanout.client.ts URL N light|real
 * - light: N `LightClient`s (lightClient.ts: Engine.IO / Socket.IO spoken by hand over `ws`, header-only decode);
 * - real:  N real socket.io-clients (WebSocket transport), the cross-check.
 *
 * IPC, parent → child:  {record: afterSeq}  keep every frame with seq > afterSeq (its seq and its lag: arrival wall time
 *                       − the frame's own time; same machine, same clock, simulator at speed 1);
 *                       {collect: toSeq}    report what was kept up to toSeq;
 *                       {drop: true}        drop every connection without a goodbye (a restart);
 *                       {storm: true}       reconnect all N at once, report when each has its snapshot;
 *                       {exit: true}
 * child → parent:       {ready, failed} once all N have their snapshot (connected in steps of CONNECT_STEP),
 *                       {report}, {dropped}, {stormDone}.
 */
import { io as connect } from 'socket.io-client';
import { decodeHeader } from '@models/frame.codec.ts';
import { LightClient } from './lightClient.ts';

const [url, nText, kind] = process.argv.slice(2) as [string, string, 'light' | 'real'];
const n = Number(nText);
const CONNECT_STEP = 250;

interface Screen {
  drop(): void;
  close(): void;
}

interface Kept {
  seqs: number[];
  lags: number[];
}

let afterSeq = Infinity;
const send = (m: unknown) => process.send!(m);

/** One screen; `onSnapshot` once live, `onFrame` per frame, `onFail` if it never gets live or ends with an error. */
function open(kept: Kept, onSnapshot: () => void, onFail: (why: string) => void): Screen {
  const frame = (seq: number, tsMs: number, arrived: number) => {
    if (seq <= afterSeq) return;
    kept.seqs.push(seq);
    kept.lags.push(arrived - tsMs);
  };
  if (kind === 'light') {
    const c = new LightClient(url, {
      onSnapshot,
      onFrame: (_c, seq, tsMs, arrived) => frame(seq, tsMs, arrived),
      onClose: (_c, error) => error !== null && onFail(error),
    });
    return { drop: () => c.drop(), close: () => c.close() };
  }
  const s = connect(url, { transports: ['websocket'], reconnection: false, timeout: 120_000, forceNew: true });
  s.once('district:snapshot', onSnapshot);
  s.on('metrics:frame', (f: ArrayBuffer | Uint8Array) => {
    const arrived = Date.now();
    const h = decodeHeader(f instanceof Uint8Array ? f : new Uint8Array(f));
    frame(h.seq, h.tsMs, arrived);
  });
  s.once('connect_error', (err) => onFail(err.message));
  s.on('disconnect', (reason) => reason !== 'io client disconnect' && reason !== 'transport close' && onFail(reason));
  return { drop: () => s.io.engine.close(), close: () => s.close() };
}

let screens: Screen[] = [];
let kept: Kept[] = [];
/** Screens that were live and then ended with an error (the server dropped them). */
let lost = 0;

/** Open `count` screens at once; resolves with the failures and each one's time to its snapshot (ms). */
function openAll(count: number): Promise<{ ms: number[]; failed: string[]; failedAt: number[] }> {
  const t0 = performance.now();
  const ms: number[] = [];
  const failed: string[] = [];
  const failedAt: number[] = [];
  return new Promise((resolve) => {
    const done = () => ms.length + failed.length === count && resolve({ ms, failed, failedAt });
    for (let i = 0; i < count; i++) {
      const at = screens.length;
      const k: Kept = { seqs: [], lags: [] };
      let settled = false;
      kept.push(k);
      screens.push(
        open(
          k,
          () => {
            if (settled) return;
            settled = true;
            ms.push(performance.now() - t0);
            done();
          },
          (why) => {
            if (settled) {
              lost++;
              return;
            }
            settled = true;
            failed.push(why);
            failedAt.push(at);
            done();
          },
        ),
      );
    }
  });
}

/** Set-up, not measured: open N in steps of CONNECT_STEP; a refused or reset connect is retried (as a screen would) up to 3 times. */
async function start(): Promise<void> {
  let failed: string[] = [];
  let retried = 0;
  for (let i = 0; i < n; i += CONNECT_STEP) {
    let want = Math.min(CONNECT_STEP, n - i);
    for (let attempt = 0; attempt < 4 && want > 0; attempt++) {
      if (attempt > 0) {
        retried += want;
        await new Promise((r) => setTimeout(r, 500));
      }
      const got = await openAll(want);
      // forget the failed ones (then open as many again)
      for (const at of got.failedAt.sort((a, b) => b - a)) {
        screens.splice(at, 1)[0]!.drop();
        kept.splice(at, 1);
      }
      failed = got.failed;
      want = failed.length;
    }
    if (failed.length > 0) break;
  }
  send({ ready: true, failed: failed.length, retried, why: failed.slice(0, 3) });
}

process.on('message', (m: { record?: number; collect?: number; drop?: boolean; storm?: boolean; exit?: boolean }) => {
  if (m.record !== undefined) {
    afterSeq = m.record;
  } else if (m.collect !== undefined) {
    const to = m.collect;
    const lags: number[] = [];
    const seqs: number[] = [];
    let received = 0;
    for (const k of kept)
      for (let i = 0; i < k.seqs.length; i++)
        if (k.seqs[i]! <= to) {
          received++;
          lags.push(k.lags[i]!);
          seqs.push(k.seqs[i]!);
        }
    afterSeq = Infinity;
    for (const k of kept) k.seqs.length = k.lags.length = 0;
    send({ report: { lags, seqs, received, clients: screens.length, lost } });
  } else if (m.drop) {
    for (const s of screens) s.drop();
    screens = [];
    kept = [];
    send({ dropped: true });
  } else if (m.storm) {
    void openAll(n).then(({ ms, failed }) => send({ stormDone: { ms, failed: failed.length, why: failed.slice(0, 3) } }));
  } else if (m.exit) {
    for (const s of screens) s.close();
    setTimeout(() => process.exit(0), 200);
  }
});

void start();
