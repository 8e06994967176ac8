/**
 * `npm run soak [-- --minutes 10 --clients 300]`: a long night on the wall, compressed. The real entry point
 * (server/src/main.ts) runs in a child process, so its RSS and heap are its own; this process is the load:
 *
 *   screens   a few hundred socket.io-clients, a tenth resident for the whole run, the rest joining and leaving in
 *             waves (some say goodbye, some vanish without one and are left to the server's ping timeout)
 *   ingest    a steady stream over HTTP and over the /ingest namespace, one batch in twenty deliberately invalid
 *   reads     /api/v1/history, /api/v1/history/district and socket history:minute at a modest rate
 *
 * Every few seconds it samples /metrics (RSS, heap, event-loop delay max, sessions, counters), /healthz and the size
 * of DATA_DIR/history.sqlite*. After the load it checks that every session is released, stops the server with
 * SIGTERM, and restarts it on the same DATA_DIR with a retention cut in the middle of the run to see retention prune.
 *
 * It prints the verdicts (RSS and heap flat within 10 %, no event-loop stall over 100 ms, database bounded by
 * retention, frames per client, ingest and read outcomes) and writes var/bench/soak.json and var/bench/soak.md.
 * Nothing is asserted: the machine is shared and the figures are for reading.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@models/events.ts';
import { INGEST_NAMESPACE } from '@models/events.ts';
import type { Ack, HistoryResponse, StateResponse } from '@models/api.ts';
import type { District } from '@models/district.ts';
import type { IngestAccepted, Reading } from '@models/telemetry.ts';
import { REPO_ROOT } from '../../server/src/config.ts';
import { exitedWithin, startChild, type Child } from '../integration/child.helpers.ts';
import { databaseBytes, takeSample, type Sample } from './soak.metrics.ts';
import { fmt, log, stats, type Stats } from './stats.ts';

// ---------------------------------------------------------------------------------------------------------------
// options

interface Options {
  minutes: number;
  clients: number;
  /** Seconds between samples. */
  sampleS: number;
  /** Minutes of warm-up before the baseline is taken (default: a fifth of the run, 1 to 5 minutes). */
  warmupMinutes: number;
  /** Retention the server runs with during the load (HISTORY_DAYS). */
  historyDays: number;
  /** Seconds between churn waves. */
  waveS: number;
}

function parseArgs(argv: readonly string[]): Options {
  const get = (name: string): number | undefined => {
    const i = argv.indexOf(`--${name}`);
    const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
    return n;
  };
  const minutes = get('minutes') ?? 10;
  return {
    minutes,
    clients: Math.round(get('clients') ?? 300),
    sampleS: get('sample-s') ?? 5,
    warmupMinutes: get('warmup') ?? Math.min(5, Math.max(1, minutes / 5)),
    historyDays: get('history-days') ?? 0.02,
    waveS: get('wave-s') ?? 30,
  };
}

const TOKEN = 'soak-ingest-token-0123456789abcdef';
const OUT_DIR = path.join(REPO_ROOT, 'var', 'bench');
const MINUTE_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = (b: number) => b / 1024 / 1024;

// ---------------------------------------------------------------------------------------------------------------
// screens: socket.io-clients that join, watch frames and leave

type Leave = 'goodbye' | 'vanish';

class Screen {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  connectedAt = 0;
  leftAt = 0;
  frames = 0;
  lastFrameAt = 0;
  maxGapMs = 0;
  snapshot = false;
  connectError: string | null = null;
  /** Why the server or the transport ended the session when we did not ask for it. */
  unexpectedDisconnect: string | null = null;
  private leaving = false;

  constructor(
    url: string,
    readonly resident: boolean,
    websocketOnly: boolean,
    private readonly tally: Tally,
  ) {
    this.socket = connect(url, { transports: websocketOnly ? ['websocket'] : ['polling', 'websocket'], reconnection: false, forceNew: true });
    tally.connectsAttempted++;
    this.socket.on('connect', () => {
      this.connectedAt = performance.now();
      tally.connects++;
    });
    this.socket.on('connect_error', (err) => {
      this.connectError = err.message;
      tally.connectErrors[err.message] = (tally.connectErrors[err.message] ?? 0) + 1;
    });
    this.socket.on('district:snapshot', () => {
      this.snapshot = true;
      this.lastFrameAt = performance.now();
    });
    this.socket.on('metrics:frame', () => {
      const now = performance.now();
      if (this.lastFrameAt > 0) this.maxGapMs = Math.max(this.maxGapMs, now - this.lastFrameAt);
      this.lastFrameAt = now;
      this.frames++;
    });
    this.socket.on('disconnect', (reason) => {
      if (this.leftAt === 0) this.leftAt = performance.now();
      tally.disconnects++;
      if (!this.leaving) {
        this.unexpectedDisconnect = reason;
        tally.unexpectedDisconnects[reason] = (tally.unexpectedDisconnects[reason] ?? 0) + 1;
      }
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Leave with a goodbye (a disconnect packet), or vanish: stop reading the TCP socket so the server must time the session out. */
  leave(how: Leave): Leave {
    this.leaving = true;
    if (this.leftAt === 0) this.leftAt = performance.now();
    const transport = this.socket.io.engine?.transport as unknown as { name?: string; ws?: { _socket?: { pause(): void; destroy(): void } } } | undefined;
    const tcp = transport?.name === 'websocket' ? transport.ws?._socket : undefined;
    if (how === 'vanish' && tcp) {
      // Nothing more is read or answered (no pong); the server's ping timeout ends the session. Destroyed later.
      tcp.pause();
      this.vanished = tcp;
      return 'vanish';
    }
    this.socket.close();
    return 'goodbye';
  }

  vanished: { destroy(): void } | null = null;

  /** Frames a screen connected this long should have had (one per tick after the snapshot). */
  expectedFrames(tickMs: number, endMs: number): number {
    if (this.connectedAt === 0) return 0;
    return Math.floor(((this.leftAt || endMs) - this.connectedAt) / tickMs);
  }
}

interface Tally {
  connectsAttempted: number;
  connects: number;
  connectErrors: Record<string, number>;
  disconnects: number;
  leftGoodbye: number;
  leftVanished: number;
  unexpectedDisconnects: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------------------------
// ingest and reads

interface Outcomes {
  /** By HTTP status or socket ack outcome. */
  counts: Record<string, number>;
  latencyMs: number[];
}
const outcomes = (): Outcomes => ({ counts: {}, latencyMs: [] });
const count = (o: Outcomes, key: string, ms: number) => {
  o.counts[key] = (o.counts[key] ?? 0) + 1;
  o.latencyMs.push(ms);
};

interface Ids {
  occupancy: string[];
  compute: string[];
  suppliers: StateResponse['suppliers'];
  companies: string[];
}

/** A batch of `n` readings at the current time; `invalid` names an unknown building so the whole batch is refused. */
function makeBatch(ids: Ids, n: number, seq: number, invalid: boolean): { readings: Reading[] } {
  const ts = new Date().toISOString();
  const readings: Reading[] = [];
  for (let i = 0; i < n; i++) {
    const k = (seq * n + i) % (ids.occupancy.length + ids.compute.length);
    const wave = 0.5 + 0.4 * Math.sin((seq + i) / 17);
    if (k < ids.occupancy.length) readings.push({ kind: 'building', buildingId: ids.occupancy[k]!, ts, occupancy: Number(wave.toFixed(3)) });
    else readings.push({ kind: 'building', buildingId: ids.compute[k - ids.occupancy.length]!, ts, computeLoad: Number((1 - wave).toFixed(3)) });
  }
  if (seq % 10 === 0 && ids.suppliers.length > 0) {
    const p = ids.suppliers[seq % ids.suppliers.length]!;
    const allocated = p.capacityPflops * 0.8;
    readings.push({ kind: 'supplier', supplierId: p.supplierId, ts, capacityPflops: p.capacityPflops, allocatedPflops: allocated, usedPflops: allocated * (0.5 + 0.4 * Math.sin(seq / 7)) });
  }
  if (seq % 10 === 5 && ids.companies.length > 0) readings.push({ kind: 'company', companyId: ids.companies[seq % ids.companies.length]!, ts, headcount: 100 + (seq % 50) });
  if (invalid) readings.push({ kind: 'building', buildingId: 'no-such-building-soak', ts, occupancy: 0.5 });
  return { readings };
}

// ---------------------------------------------------------------------------------------------------------------
// the run

interface Windowed {
  warmupEnd: Stats;
  end: Stats;
  /** end median ÷ warm-up-end median. */
  ratio: number;
  /** end minimum ÷ warm-up-end minimum: for the heap, the floor after collections, which is what a leak raises. */
  floorRatio: number;
  /** Least-squares slope after warm-up, per minute (bytes). */
  slopePerMinute: number;
  /**
   * The fitted line's value at the end ÷ its value at warm-up end, over every sample after warm-up: the verdict, since
   * a sawtooth (the heap between collections) moves a one-minute window's median or minimum by more than 10 %.
   */
  fittedRatio: number;
}

/** Least-squares line through the points: [slope, intercept]. */
function fit(points: Array<[number, number]>): [number, number] {
  if (points.length < 2) return [NaN, NaN];
  const n = points.length;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  const b = den === 0 ? NaN : num / den;
  return [b, my - b * mx];
}
const slope = (points: Array<[number, number]>) => fit(points)[0];

function windowed(samples: Sample[], pick: (s: Sample) => number, warmupS: number, endS: number, windowS: number): Windowed {
  const inWin = (a: number, b: number) => samples.filter((s) => s.t > a && s.t <= b).map(pick);
  const warm = stats(inWin(warmupS - windowS, warmupS));
  const end = stats(inWin(endS - windowS, endS));
  const after = samples.filter((s) => s.t >= warmupS).map((s) => [s.t / 60, pick(s)] as [number, number]);
  const [b, a] = fit(after);
  return { warmupEnd: warm, end, ratio: end.median / warm.median, floorRatio: end.min / warm.min, slopePerMinute: b, fittedRatio: (a + (b * endS) / 60) / (a + (b * warmupS) / 60) };
}

async function main(): Promise<void> {
  const opt = parseArgs(process.argv.slice(2));
  const runMs = opt.minutes * MINUTE_MS;
  const warmupS = opt.warmupMinutes * 60;
  if (warmupS >= opt.minutes * 60 - 30) throw new Error('the warm-up must end at least 30 s before the run does (--warmup, --minutes)');
  // an hour of simulated time in the run
  const simSpeed = Math.min(3600, 60 / opt.minutes);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-soak-'));
  const env = {
    DATA_DIR: dataDir,
    SIM_SPEED: String(simSpeed),
    HISTORY_DAYS: String(opt.historyDays),
    INGEST_TOKEN: TOKEN,
    INGEST_RATE_LIMIT: '1000000',
    // every screen comes from 127.0.0.1; vanished ones hold their session until the ping timeout
    MAX_SESSIONS_PER_ADDRESS: String(opt.clients * 2 + 50),
    MAX_SESSIONS: String(opt.clients * 2 + 100),
    LOG_LEVEL: 'warn',
  };
  log(`soak: ${opt.minutes} min, ${opt.clients} screens, SIM_SPEED ${fmt(simSpeed)} (an hour of simulated time), HISTORY_DAYS ${opt.historyDays}, data in ${dataDir}`);
  const child = await startChild(env);
  const url = child.url;
  log(`server pid ${child.proc.pid} on ${url}`);

  const district = (await (await fetch(`${url}/api/v1/district`)).json()) as District;
  const state = (await (await fetch(`${url}/api/v1/state`)).json()) as StateResponse;
  const ids: Ids = {
    occupancy: district.buildings.filter((b) => b.capacityPeople > 0).map((b) => b.id),
    compute: state.buildings.filter((b) => b.metrics.computeLoad.value !== null).map((b) => b.id),
    suppliers: state.suppliers,
    companies: district.companies.map((c) => c.id),
  };
  const historyBuilding = ids.occupancy[0]!;
  // The two transports speak for different buildings, pools and companies (every other one), as two devices would:
  // both stamp readings with the current millisecond, and one building given two values for one ts is a conflict the
  // server rightly refuses (409), which would be the generator's fault, not the server's.
  const half = (parity: number): Ids => {
    const pick = <T>(xs: T[]) => xs.filter((_, i) => i % 2 === parity);
    return { occupancy: pick(ids.occupancy), compute: pick(ids.compute), suppliers: pick(ids.suppliers), companies: pick(ids.companies) };
  };
  const httpIds = half(0);
  const socketIds = half(1);
  const tickMs = 1000; // TICK_MS default; the child is started without it

  const parentLag = monitorEventLoopDelay({ resolution: 10 });
  parentLag.enable();
  const t0 = performance.now();
  const wallT0 = Date.now();
  const parentCpu0 = process.cpuUsage();
  const elapsedS = () => (performance.now() - t0) / 1000;
  let running = true;
  const tasks: Array<Promise<void>> = [];
  const every = (ms: number, fn: () => Promise<void> | void) =>
    tasks.push(
      (async () => {
        while (running) {
          const start = performance.now();
          try {
            await fn();
          } catch (err) {
            log(`task failed: ${(err as Error).message}`);
          }
          await sleep(Math.max(0, ms - (performance.now() - start)));
        }
      })(),
    );

  // -- samples
  const samples: Sample[] = [];
  const parentLagMaxMs: number[] = [];
  const sampleErrors: string[] = [];
  every(opt.sampleS * 1000, async () => {
    try {
      const s = await takeSample(url, dataDir, elapsedS());
      samples.push(s);
      parentLagMaxMs.push(parentLag.max / 1e6);
      parentLag.reset();
    } catch (err) {
      sampleErrors.push(`${fmt(elapsedS())} s: ${(err as Error).message}`);
    }
  });
  let lastProgress = 0;
  every(5_000, () => {
    const s = samples.at(-1);
    if (!s || elapsedS() - lastProgress < 60) return;
    lastProgress = elapsedS();
    log(`${fmt(s.t / 60)} min: RSS ${fmt(MiB(s.rssBytes))} MiB, heap ${fmt(MiB(s.heapUsedBytes))} MiB, lag max ${fmt(s.lagMaxS * 1000)} ms, screens ${s.screens}, sessions ${s.sessions}, db ${fmt(MiB(s.databaseBytesOnDisk))} MiB`);
  });

  // -- screens
  const tally: Tally = { connectsAttempted: 0, connects: 0, connectErrors: {}, disconnects: 0, leftGoodbye: 0, leftVanished: 0, unexpectedDisconnects: {} };
  const screens: Screen[] = [];
  let seq = 0;
  const open = (resident: boolean) => {
    const s = new Screen(url, resident, seq++ % 4 === 0, tally);
    screens.push(s);
    return s;
  };
  const residents = Math.max(5, Math.round(opt.clients / 10));
  const churners = opt.clients - residents;
  // ramp up over 20 s so the handshakes are a crowd, not a stampede
  for (let i = 0; i < opt.clients; i++) {
    open(i < residents);
    if (i % 15 === 14) await sleep(1000);
  }
  const waves: Array<{ t: number; left: number; joined: number }> = [];
  every(opt.waveS * 1000, async () => {
    if (elapsedS() < opt.waveS) return;
    const live = screens.filter((s) => !s.resident && s.leftAt === 0 && s.connected);
    const leaving = live.sort(() => Math.random() - 0.5).slice(0, Math.round(churners / 3));
    // leave and join spread over 5 s
    for (let i = 0; i < leaving.length; i++) {
      const how = leaving[i]!.leave(i % 5 === 0 ? 'vanish' : 'goodbye');
      if (how === 'vanish') tally.leftVanished++;
      else tally.leftGoodbye++;
      if (i % 20 === 19) await sleep(250);
    }
    for (let i = 0; i < leaving.length; i++) {
      open(false);
      if (i % 20 === 19) await sleep(250);
    }
    waves.push({ t: elapsedS(), left: leaving.length, joined: leaving.length });
  });
  // vanished screens: drop their TCP socket a minute later (the server should have timed them out by then)
  every(10_000, () => {
    const now = performance.now();
    for (const s of screens) if (s.vanished && now - s.leftAt > 60_000) [s.vanished.destroy(), (s.vanished = null)];
  });

  // -- ingest: HTTP and the /ingest namespace, a batch a second each
  const ingestHttp = outcomes();
  const ingestSocket = outcomes();
  let invalidSent = 0;
  let readingsSent = 0;
  // Readings sent that repeat an earlier one exactly (same JSON), which the server may rightly store once. Both
  // transports stamp readings with the current millisecond, so the same building can get two different readings with
  // one ts; only the last few seconds need remembering.
  const recent = new Map<string, number>();
  let exactRepeats = 0;
  const sentValid = (batch: { readings: Reading[] }) => {
    const now = Date.now();
    for (const r of batch.readings) {
      const key = JSON.stringify(r);
      if (recent.has(key)) exactRepeats++;
      recent.set(key, now);
    }
    readingsSent += batch.readings.length;
    if (recent.size > 20_000) for (const [k, at] of recent) if (now - at > 10_000) recent.delete(k);
  };
  let httpSeq = 0;
  every(1000, async () => {
    const invalid = ++httpSeq % 20 === 0;
    const batch = makeBatch(httpIds, 40, httpSeq, invalid);
    if (invalid) invalidSent++;
    else sentValid(batch);
    const start = performance.now();
    try {
      const res = await fetch(`${url}/api/v1/telemetry`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(batch) });
      await res.arrayBuffer();
      count(ingestHttp, String(res.status), performance.now() - start);
    } catch (err) {
      count(ingestHttp, `error: ${(err as Error).message}`, performance.now() - start);
    }
  });
  const device = connect(`${url}${INGEST_NAMESPACE}`, { auth: { token: TOKEN }, transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => [device.once('connect', resolve), device.once('connect_error', reject)]);
  let socketSeq = 1_000_000;
  every(1000, async () => {
    if (!device.connected) return void count(ingestSocket, 'not connected', 0);
    const invalid = ++socketSeq % 20 === 0;
    const batch = makeBatch(socketIds, 40, socketSeq, invalid);
    if (invalid) invalidSent++;
    else sentValid(batch);
    const start = performance.now();
    const ack = await new Promise<Ack<IngestAccepted> | 'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), 10_000);
      device.emit('telemetry:batch', batch, (res: Ack<IngestAccepted>) => [clearTimeout(timer), resolve(res)]);
    });
    count(ingestSocket, ack === 'timeout' ? 'timeout' : ack.ok ? 'ok' : ack.retryAfterS !== undefined ? 'rate limited' : 'refused', performance.now() - start);
  });

  // -- reads: one building's series, the whole district at a minute (HTTP), and replay frames over the socket
  const readHistory = outcomes();
  const readDistrict = outcomes();
  const readMinute = outcomes();
  const pastMinute = () => new Date(wallT0 + Math.random() * (Date.now() - wallT0)).toISOString();
  const get = async (o: Outcomes, path: string) => {
    const start = performance.now();
    try {
      const res = await fetch(`${url}${path}`);
      await res.arrayBuffer();
      count(o, String(res.status), performance.now() - start);
    } catch (err) {
      count(o, `error: ${(err as Error).message}`, performance.now() - start);
    }
  };
  let readSeq = 0;
  every(1000, async () => {
    const b = [...ids.occupancy, ...ids.compute][readSeq % (ids.occupancy.length + ids.compute.length)]!;
    const metric = ids.occupancy.includes(b) ? 'occupancy' : 'computeLoad';
    // four reads in five over the last half hour, one over the last day
    const span = ++readSeq % 5 === 0 ? 86_400_000 : 30 * MINUTE_MS;
    const q = new URLSearchParams({ building: b, metric, from: new Date(Date.now() - span).toISOString(), to: new Date().toISOString() });
    await get(readHistory, `/api/v1/history?${q}`);
  });
  every(5000, () => get(readDistrict, `/api/v1/history/district?at=${encodeURIComponent(pastMinute())}`));
  every(1000, async () => {
    const from = screens.filter((s) => s.resident && s.connected);
    if (from.length === 0) return;
    const s = from[readSeq % from.length]!;
    const start = performance.now();
    const res = await new Promise<Ack<ArrayBuffer | Uint8Array> | 'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), 10_000);
      s.socket.emit('history:minute', { at: pastMinute() }, (r) => [clearTimeout(timer), resolve(r)]);
    });
    count(readMinute, res === 'timeout' ? 'timeout' : res.ok ? 'ok' : /too many|busy|rate/i.test(res.error) ? 'refused (busy)' : `error: ${res.error}`, performance.now() - start);
  });

  // -- run
  await sleep(Math.max(0, runMs - (performance.now() - t0)));
  running = false;
  const endS = elapsedS();
  const endMs = performance.now();
  await Promise.all(tasks);
  log(`load stopped at ${fmt(endS / 60)} min; closing every screen`);
  const lastLoaded = samples.at(-1);

  // -- every session released? (vanished screens: their TCP sockets go now)
  for (const s of screens) {
    if (s.vanished) [s.vanished.destroy(), (s.vanished = null)];
    else if (s.leftAt === 0) s.leave('goodbye');
    else s.socket.close();
  }
  device.close();
  let released: Sample | null = null;
  const releaseStart = performance.now();
  while (performance.now() - releaseStart < 60_000) {
    const s = await takeSample(url, dataDir, elapsedS());
    released = s;
    if (s.sessions === 0 && s.screens === 0) break;
    await sleep(1000);
  }
  const releaseS = (performance.now() - releaseStart) / 1000;

  // -- history before the restart: one building's minutes over the whole run
  const seriesQuery = new URLSearchParams({ building: historyBuilding, metric: 'occupancy', from: new Date(wallT0 - MINUTE_MS).toISOString(), to: new Date(Date.now() + MINUTE_MS).toISOString() });
  const series = async (u: string) => ((await (await fetch(`${u}/api/v1/history?${seriesQuery}`)).json()) as HistoryResponse).points;
  const pointsBefore = await series(url);
  const dbBeforeStop = databaseBytes(dataDir);

  // -- SIGTERM
  const stopStart = performance.now();
  child.proc.kill('SIGTERM');
  const exit = await exitedWithin(child.proc, 30_000);
  const stopS = (performance.now() - stopStart) / 1000;
  if (!exit) child.proc.kill('SIGKILL');
  const dbAfterStop = databaseBytes(dataDir);

  // -- retention: restart on the same data with the cut in the middle of the run; the start-up pass prunes
  const cutMs = wallT0 + (Date.now() - wallT0) / 2;
  const retentionDays = (Date.now() - cutMs) / 86_400_000;
  const restarted: Child = await startChild({ ...env, HISTORY_DAYS: String(retentionDays) });
  let pointsAfter = await series(restarted.url);
  const pruneStart = performance.now();
  while (pointsAfter.some((p) => Date.parse(p.ts) < cutMs - MINUTE_MS) && performance.now() - pruneStart < 30_000) {
    await sleep(500);
    pointsAfter = await series(restarted.url);
  }
  const dbAfterPrune = databaseBytes(dataDir);
  restarted.proc.kill('SIGTERM');
  await exitedWithin(restarted.proc, 30_000);
  parentLag.disable();

  // ---------------------------------------------------------------------------------------------------------------
  // report
  const loaded = samples.filter((s) => s.t <= endS);
  const afterWarm = loaded.filter((s) => s.t >= warmupS);
  const windowS = Math.min(60, (endS - warmupS) / 2);
  const rss = windowed(loaded, (s) => s.rssBytes, warmupS, endS, windowS);
  const heap = windowed(loaded, (s) => s.heapUsedBytes, warmupS, endS, windowS);
  // what RSS holds besides the JS heap: V8's reserved heap, and SQLite's page cache (cache_size 64 MiB) that fills as the database grows
  const heapTotal = windowed(loaded, (s) => s.heapTotalBytes, warmupS, endS, windowS);
  const dbWindow = windowed(loaded, (s) => s.databaseBytesOnDisk, warmupS, endS, windowS);
  const lagAfterWarm = Math.max(...afterWarm.map((s) => s.lagMaxS)) * 1000;
  const lagAll = Math.max(...loaded.map((s) => s.lagMaxS)) * 1000;
  const stallsOver100 = afterWarm.filter((s) => s.lagMaxS > 0.1).length;
  const residentScreens = screens.filter((s) => s.resident && s.connectedAt > 0);
  const gapMax = Math.max(...residentScreens.map((s) => s.maxGapMs));
  const framesRatio = screens
    .filter((s) => s.expectedFrames(tickMs, endMs) >= 10)
    .map((s) => Math.min(s.frames, s.expectedFrames(tickMs, endMs) + 1) / s.expectedFrames(tickMs, endMs));
  const residentRatio = residentScreens.map((s) => s.frames / s.expectedFrames(tickMs, endMs));
  const db = loaded.map((s) => ({ t: s.t, bytes: s.databaseBytesOnDisk }));
  const dbGrowthPerMin = slope(loaded.filter((s) => s.t >= 60).map((s) => [s.t / 60, s.databaseBytesOnDisk]));
  // Retention runs at start-up and then hourly, so rows live up to HISTORY_DAYS plus an hour.
  const retentionMinutes = opt.historyDays * 1440;
  const projectedBound = dbGrowthPerMin * (retentionMinutes + 60);
  const prunedOld = pointsAfter.filter((p) => Date.parse(p.ts) < cutMs - MINUTE_MS).length;
  const first = loaded[0];
  // counters from the sample taken after the load stopped, so every batch and read sent is in them
  const last = released ?? lastLoaded;
  const cpuShare = (a: Sample | undefined, b: Sample | undefined) => (a && b && b.t > a.t ? (b.cpuSeconds - a.cpuSeconds) / (b.t - a.t) : NaN);
  // scrapes after warm-up whose delay max was over 100 ms, with what the machine and the server were doing then
  const stalls = afterWarm
    .map((s) => ({ s, prev: loaded[loaded.indexOf(s) - 1] }))
    .filter(({ s }) => s.lagMaxS > 0.1)
    .map(({ s, prev }) => ({ t: s.t, lagMaxMs: s.lagMaxS * 1000, loadProcessLagMaxMs: parentLagMaxMs[samples.indexOf(s)] ?? NaN, serverCpuShare: cpuShare(prev, s), loadavg1: s.loadavg1, ticksOver100ms: s.tickMaxBucketOver100ms - (prev?.tickMaxBucketOver100ms ?? 0), historyWritesOver100ms: s.historyWritesOver100ms - (prev?.historyWritesOver100ms ?? 0), historyWritesOver1s: s.historyWritesOver1s - (prev?.historyWritesOver1s ?? 0) }));
  const parentCpu = process.cpuUsage(parentCpu0);
  const server = {
    ticks: (last?.ticks ?? NaN) - (first?.ticks ?? 0),
    ticksOver100ms: last?.tickMaxBucketOver100ms ?? NaN,
    historyWritesOver100ms: last?.historyWritesOver100ms ?? NaN,
    framesBroadcast: last?.framesBroadcast ?? NaN,
    frameDeliveries: last?.frameDeliveries ?? NaN,
    ingestAccepted: last?.ingestAccepted ?? NaN,
    ingestRefused: last?.ingestRefused ?? NaN,
    readingsStored: last?.readingsStored ?? NaN,
    readingsDuplicate: last?.readingsDuplicate ?? NaN,
    sessionsRefused: last?.sessionsRefused ?? NaN,
    historyWriteErrors: last?.historyWriteErrors ?? NaN,
    /** Server CPU over the load, as a share of one core; and the load process's. */
    cpuShare: cpuShare(first, lastLoaded),
    loadProcessCpuShare: (parentCpu.user + parentCpu.system) / 1e6 / endS,
    loadavg1: stats(loaded.map((s) => s.loadavg1)),
    maxScreens: Math.max(...loaded.map((s) => s.screens)),
    maxSessions: Math.max(...loaded.map((s) => s.sessions)),
    healthNotOk: loaded.filter((s) => s.health !== 'ok').map((s) => ({ t: s.t, health: s.health, reasons: s.healthReasons })),
  };
  const verdicts = {
    rssFlat: rss.fittedRatio <= 1.1,
    heapFlat: heap.fittedRatio <= 1.1,
    noStallOver100ms: lagAfterWarm <= 100,
    databaseBounded: prunedOld === 0 && pointsAfter.length < pointsBefore.length,
    sessionsReleased: released?.sessions === 0 && released.screens === 0,
    cleanShutdown: exit?.code === 0,
  };

  const report = {
    when: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadavg: os.loadavg(), node: process.version, totalMemBytes: os.totalmem() },
    options: { ...opt, simSpeed, tickMs, env: { ...env, INGEST_TOKEN: '(set)' } },
    simulatedMinutes: (endS / 60) * simSpeed,
    verdicts,
    memory: { rss, heap, heapTotal, database: dbWindow, windowS },
    eventLoop: {
      maxStallAfterWarmupMs: lagAfterWarm,
      maxStallIncludingWarmupMs: lagAll,
      samplesOver100msAfterWarmup: stallsOver100,
      lagP99AfterWarmupMs: stats(afterWarm.map((s) => s.lagP99S * 1000)),
      residentFrameGapMaxMs: gapMax,
      parentLagMaxMs: Math.max(...parentLagMaxMs),
      /** The load process's own event-loop delay max per sample interval, aligned with `samples`. */
      loadProcessLagMaxMsBySample: parentLagMaxMs,
      stalls,
    },
    database: { growthBytesPerMinute: dbGrowthPerMin, projectedBoundBytes: projectedBound, retentionMinutes, overTime: db, beforeStop: dbBeforeStop, afterStop: dbAfterStop, afterPrune: dbAfterPrune },
    retention: { cutAt: new Date(cutMs).toISOString(), retentionDays, minutesBefore: pointsBefore.length, minutesAfter: pointsAfter.length, olderThanCutLeft: prunedOld, pruneWaitS: (performance.now() - pruneStart) / 1000 },
    screens: {
      total: screens.length,
      residents: residentScreens.length,
      tally,
      waves,
      framesPerExpected: stats(framesRatio),
      residentFramesPerExpected: stats(residentRatio),
      withoutSnapshot: screens.filter((s) => s.connectedAt > 0 && !s.snapshot).length,
      releaseS,
      afterRelease: { sessions: released?.sessions, screens: released?.screens },
    },
    ingest: { http: { counts: ingestHttp.counts, latencyMs: stats(ingestHttp.latencyMs) }, socket: { counts: ingestSocket.counts, latencyMs: stats(ingestSocket.latencyMs) }, invalidSent, readingsSent, exactRepeats },
    reads: {
      history: { counts: readHistory.counts, latencyMs: stats(readHistory.latencyMs) },
      district: { counts: readDistrict.counts, latencyMs: stats(readDistrict.latencyMs) },
      minuteSocket: { counts: readMinute.counts, latencyMs: stats(readMinute.latencyMs) },
    },
    server,
    shutdown: { exit, seconds: stopS },
    sampleErrors,
    childStderrTail: child.stderr().slice(-4000),
    samples,
  };

  const md = markdown(report);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  fs.writeFileSync(path.join(OUT_DIR, 'soak.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(OUT_DIR, 'soak.md'), md);
  process.stdout.write(`${md}\n`);
  log(`wrote ${path.relative(REPO_ROOT, path.join(OUT_DIR, 'soak.json'))} and soak.md`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}

type DbFiles = ReturnType<typeof databaseBytes>;
type Report = {
  options: Options & { simSpeed: number };
  simulatedMinutes: number;
  verdicts: Record<string, boolean>;
  memory: { rss: Windowed; heap: Windowed; heapTotal: Windowed; database: Windowed; windowS: number };
  eventLoop: {
    maxStallAfterWarmupMs: number;
    maxStallIncludingWarmupMs: number;
    samplesOver100msAfterWarmup: number;
    lagP99AfterWarmupMs: Stats;
    residentFrameGapMaxMs: number;
    parentLagMaxMs: number;
    stalls: Array<{ t: number; lagMaxMs: number; loadProcessLagMaxMs: number; serverCpuShare: number; loadavg1: number; ticksOver100ms: number; historyWritesOver100ms: number; historyWritesOver1s: number }>;
  };
  database: { growthBytesPerMinute: number; projectedBoundBytes: number; retentionMinutes: number; beforeStop: DbFiles; afterStop: DbFiles; afterPrune: DbFiles; overTime: Array<{ t: number; bytes: number }> };
  retention: { cutAt: string; minutesBefore: number; minutesAfter: number; olderThanCutLeft: number };
  screens: { total: number; residents: number; tally: Tally; waves: unknown[]; framesPerExpected: Stats; residentFramesPerExpected: Stats; withoutSnapshot: number; releaseS: number; afterRelease: { sessions?: number; screens?: number } };
  ingest: { http: { counts: Record<string, number>; latencyMs: Stats }; socket: { counts: Record<string, number>; latencyMs: Stats }; invalidSent: number; readingsSent: number; exactRepeats: number };
  reads: Record<'history' | 'district' | 'minuteSocket', { counts: Record<string, number>; latencyMs: Stats }>;
  server: { ticks: number; ticksOver100ms: number; historyWritesOver100ms: number; cpuShare: number; loadProcessCpuShare: number; loadavg1: Stats; ingestAccepted: number; ingestRefused: number; readingsStored: number; readingsDuplicate: number; sessionsRefused: number; historyWriteErrors: number; maxScreens: number; maxSessions: number; healthNotOk: unknown[] };
  shutdown: { exit: { code: number | null; signal: string | null } | null; seconds: number };
};

function markdown(r: Report): string {
  const ok = (b: boolean) => (b ? '✓' : '✗');
  const counts = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([k, v]) => `${k}: ${v.toLocaleString('en-US')}`)
      .join(', ') || '–';
  const mib = (b: number) => `${fmt(MiB(b))} MiB`;
  const signed = (b: number) => `${b < 0 ? '−' : '+'}${mib(Math.abs(b))}`;
  const files = (d: DbFiles) => `${mib(d.files['history.sqlite'] ?? 0)} + WAL ${mib(d.files['history.sqlite-wal'] ?? 0)}`;
  const { rss, heap } = r.memory;
  const dbSeries = r.database.overTime.filter((_, i, a) => i % Math.max(1, Math.ceil(a.length / 6)) === 0 || i === a.length - 1);
  const rows: Array<[string, string, string]> = [
    [
      'server RSS, warm-up end → end: line fitted to every sample after warm-up; medians of the last ' + fmt(r.memory.windowS) + ' s of each',
      `fitted ×${rss.fittedRatio.toFixed(3)} (${fmt(MiB(rss.slopePerMinute))} MiB/min); medians ${mib(rss.warmupEnd.median)} → ${mib(rss.end.median)} (×${rss.ratio.toFixed(3)})`,
      `≤ ×1.10 ${ok(r.verdicts.rssFlat!)}`,
    ],
    [
      'server heap used, same',
      `fitted ×${heap.fittedRatio.toFixed(3)} (${fmt(MiB(heap.slopePerMinute))} MiB/min); medians ${mib(heap.warmupEnd.median)} → ${mib(heap.end.median)} (×${heap.ratio.toFixed(3)}); window minima ${mib(heap.warmupEnd.min)} → ${mib(heap.end.min)}`,
      `≤ ×1.10 ${ok(r.verdicts.heapFlat!)}`,
    ],
    [
      'RSS growth beside V8 heap reserved and database growth (SQLite caches up to 64 MiB of its pages), window medians',
      `RSS ${signed(rss.end.median - rss.warmupEnd.median)}; heap total ${signed(r.memory.heapTotal.end.median - r.memory.heapTotal.warmupEnd.median)}; database ${signed(r.memory.database.end.median - r.memory.database.warmupEnd.median)}`,
      '',
    ],
    ['max event-loop stall after warm-up (prom-client delay max per scrape)', `${fmt(r.eventLoop.maxStallAfterWarmupMs)} ms (${r.eventLoop.samplesOver100msAfterWarmup} scrapes over 100 ms; p99 median ${fmt(r.eventLoop.lagP99AfterWarmupMs.median)} ms)`, `≤ 100 ms ${ok(r.verdicts.noStallOver100ms!)}`],
    ['max event-loop stall including warm-up', `${fmt(r.eventLoop.maxStallIncludingWarmupMs)} ms`, ''],
    [
      `scrapes over 100 ms after warm-up (${r.eventLoop.stalls.filter((x) => x.loadProcessLagMaxMs > 100).length} of ${r.eventLoop.stalls.length} with the load process also stalled over 100 ms), the 10 worst: when, server stall, load process stall, server CPU (share of a core) in the interval, machine load average`,
      [...r.eventLoop.stalls]
        .sort((a, b) => b.lagMaxMs - a.lagMaxMs)
        .slice(0, 10)
        .map((x) => `${fmt(x.t / 60)} min ${fmt(x.lagMaxMs)} ms (load process ${fmt(x.loadProcessLagMaxMs)} ms, cpu ${fmt(x.serverCpuShare)}, load ${fmt(x.loadavg1)}${x.ticksOver100ms ? `, ${x.ticksOver100ms} slow ticks` : ''}${x.historyWritesOver100ms ? `, ${x.historyWritesOver100ms} history writes over 100 ms` : ''}${x.historyWritesOver1s ? ` (${x.historyWritesOver1s} over 1 s)` : ''})`)
        .join(' · ') || 'none',
      '',
    ],
    ['server CPU over the load (share of one core); load process; machine load average (2 cores)', `${fmt(r.server.cpuShare)}; ${fmt(r.server.loadProcessCpuShare)}; median ${fmt(r.server.loadavg1.median)}, max ${fmt(r.server.loadavg1.max)}`, ''],
    ['longest frame gap at a resident screen (load process lag max ' + fmt(r.eventLoop.parentLagMaxMs) + ' ms)', `${fmt(r.eventLoop.residentFrameGapMaxMs)} ms`, ''],
    ['ticks slower than 100 ms; history writes slower than 100 ms', `${r.server.ticksOver100ms} of ${r.server.ticks.toLocaleString('en-US')}; ${r.server.historyWritesOver100ms}`, ''],
    ['database on disk over time', dbSeries.map((d) => `${fmt(d.t / 60)} min ${mib(d.bytes)}`).join(' · '), ''],
    ['database growth; bound at HISTORY_DAYS + 1 h (retention runs at start and hourly)', `${fmt(r.database.growthBytesPerMinute / 1024)} KiB/min → ≤ ${mib(r.database.projectedBoundBytes)} at ${fmt(r.database.retentionMinutes)} min retention`, ''],
    ['retention after restart (cut at mid-run)', `${r.retention.minutesBefore} → ${r.retention.minutesAfter} minutes of one building, ${r.retention.olderThanCutLeft} older than the cut left; files ${files(r.database.beforeStop)} at the end of the load, ${files(r.database.afterStop)} after SIGTERM (WAL checkpointed), ${files(r.database.afterPrune)} after the prune (freed pages are reused, not returned)`, `pruned ${ok(r.verdicts.databaseBounded!)}`],
    ['frames received ÷ expected, per screen (≥ 10 s connected)', `median ${fmt(r.screens.framesPerExpected.median)}, min ${fmt(r.screens.framesPerExpected.min)} over ${r.screens.framesPerExpected.n} screens; residents median ${fmt(r.screens.residentFramesPerExpected.median)}, min ${fmt(r.screens.residentFramesPerExpected.min)}`, ''],
    ['screens: connects / disconnects', `${r.screens.tally.connects.toLocaleString('en-US')} of ${r.screens.tally.connectsAttempted.toLocaleString('en-US')} / ${r.screens.tally.disconnects.toLocaleString('en-US')} (left with goodbye ${r.screens.tally.leftGoodbye}, vanished ${r.screens.tally.leftVanished}; peak ${r.server.maxScreens} screens, ${r.server.maxSessions} sessions)`, ''],
    ['connect errors; unexpected disconnects; screens without snapshot', `${counts(r.screens.tally.connectErrors)}; ${counts(r.screens.tally.unexpectedDisconnects)}; ${r.screens.withoutSnapshot}`, ''],
    ['sessions after every screen left', `${r.screens.afterRelease.sessions} sessions, ${r.screens.afterRelease.screens} screens after ${fmt(r.screens.releaseS)} s`, `0 ${ok(r.verdicts.sessionsReleased!)}`],
    ['ingest HTTP (status: batches)', `${counts(r.ingest.http.counts)}; median ${fmt(r.ingest.http.latencyMs.median)} ms, p95 ${fmt(r.ingest.http.latencyMs.p95)} ms`, ''],
    ['ingest /ingest socket (ack: batches)', `${counts(r.ingest.socket.counts)}; median ${fmt(r.ingest.socket.latencyMs.median)} ms, p95 ${fmt(r.ingest.socket.latencyMs.p95)} ms`, ''],
    ['ingest as the server counts it', `${r.server.ingestAccepted.toLocaleString('en-US')} batches accepted, ${r.server.ingestRefused} refused (${r.ingest.invalidSent} sent invalid); ${r.server.readingsStored.toLocaleString('en-US')} readings stored of ${r.ingest.readingsSent.toLocaleString('en-US')} sent valid, ${r.server.readingsDuplicate} called duplicate (${r.ingest.exactRepeats} sent were exact repeats)`, ''],
    [
      'readings dropped that were not repeats (sent valid − exact repeats − stored)',
      `${(r.ingest.readingsSent - r.ingest.exactRepeats - r.server.readingsStored).toLocaleString('en-US')}`,
      `0 ${ok(r.ingest.readingsSent - r.ingest.exactRepeats - r.server.readingsStored === 0)}`,
    ],
    ['reads: /api/v1/history', `${counts(r.reads.history.counts)}; median ${fmt(r.reads.history.latencyMs.median)} ms, p95 ${fmt(r.reads.history.latencyMs.p95)} ms`, ''],
    ['reads: /api/v1/history/district', `${counts(r.reads.district.counts)}; median ${fmt(r.reads.district.latencyMs.median)} ms, p95 ${fmt(r.reads.district.latencyMs.p95)} ms`, ''],
    ['reads: socket history:minute', `${counts(r.reads.minuteSocket.counts)}; median ${fmt(r.reads.minuteSocket.latencyMs.median)} ms, p95 ${fmt(r.reads.minuteSocket.latencyMs.p95)} ms`, ''],
    ['health not ok; history write errors; sessions refused', `${r.server.healthNotOk.length} samples; ${r.server.historyWriteErrors}; ${r.server.sessionsRefused}`, ''],
    ['SIGTERM with the load gone', `exit ${r.shutdown.exit ? (r.shutdown.exit.code ?? r.shutdown.exit.signal) : 'none in 30 s'} after ${fmt(r.shutdown.seconds)} s`, `exit 0 ${ok(r.verdicts.cleanShutdown!)}`],
  ];
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `## Soak: ${fmt(r.options.minutes)} min, ${r.options.clients} screens, ${fmt(r.simulatedMinutes)} simulated minutes (SIM_SPEED ${fmt(r.options.simSpeed)}), HISTORY_DAYS ${r.options.historyDays}`,
    '',
    '| measure | figure | budget |',
    '| --- | --- | --- |',
    ...rows.map(([a, b, c]) => `| ${esc(a)} | ${esc(b)} | ${esc(c)} |`),
    '',
  ].join('\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
