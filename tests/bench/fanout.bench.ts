/**
 * Fan-out (issue 9, section 12): screens in child processes (fanout.client.ts) receive frames of the 10,000-building
 * district from one real server (createApp, the gateway in this process, tick 1 s).
 * - Clients: 100 real socket.io-clients (the cross-check row) and 100 / 1,000 / 2,000 / 5,000 light protocol-level
 *   clients (lightClient.ts: Engine.IO / Socket.IO over `ws` by hand, header-only decode; checked against a real
 *   socket.io-client in tests/integration/fanout.light.test.ts), LIGHT_PER_PROCESS per child process, on the same
 *   2 cores as the server.
 * - Per case, over WINDOW_TICKS ticks: delivery lag p50 / p99 / max from the frame's own time, frames dropped (the
 *   window's ticks × screens − frames received within GRACE_MS after its last tick: a volatile frame a slow screen
 *   skipped, or one that never came), server CPU per client (this process's CPU over the window ÷ clients; nothing else
 *   runs here meanwhile), server RSS per client (after a full GC, connected − before connecting, ÷ clients), the
 *   event-loop delay max, the load average.
 * - Then a reconnect storm: every connection dropped without a goodbye, and once the server has let them all go, all
 *   reconnect at once: time until every one has its snapshot, event-loop delay max, snapshots encoded.
 * - Before/after in the same run: the gateway's pre-encoded fan-out (ours) beside Socket.IO's own volatile broadcast
 *   (`Gateway.fanout = 'broadcast'`, what it did before) for the light cases in BASELINE_COUNTS.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createApp, type App } from '../../server/src/app.ts';
import { REPO_ROOT, testOptions } from '../../server/src/config.ts';
import type { FanoutMode } from '../../server/src/gateway/gateway.ts';
import { log, row, stats, type Row } from './stats.ts';

type Kind = 'light' | 'real';
export const FANOUT_CASES: Array<{ kind: Kind; n: number }> = [
  { kind: 'real', n: 100 },
  { kind: 'light', n: 100 },
  { kind: 'light', n: 1000 },
  { kind: 'light', n: 2000 },
  { kind: 'light', n: 5000 },
];
const BASELINE_COUNTS = new Set([1000, 2000, 5000]);
const PER_PROCESS: Record<Kind, number> = { light: 1000, real: 500 };
const WINDOW_TICKS = 10;
const GRACE_MS = 5000;
const TICK_MS = 1000;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

interface Measured {
  kind: Kind;
  mode: FanoutMode;
  n: number;
  processes: number;
  lag: { p50: number; p99: number; max: number; samples: number };
  /** Per tick of the window: its p99 and max lag and the screens it reached (a bad tick — a GC, the minute write, the OS
   * giving the cores to other processes — shows here apart from the steady state). */
  perTick: Array<{ seq: number; p50: number; p99: number; max: number; received: number }>;
  /** The median over the window's ticks of each tick's p99. */
  tickP99Median: number;
  ticks: number;
  expected: number;
  received: number;
  dropped: number;
  /** Frames the gateway itself skipped for a busy screen in the window (pre-encoded mode only; Socket.IO does not count its own). */
  serverSkipped: number;
  lost: number;
  connectFailed: number;
  cpuPctPerClient: number;
  cpuPctTotal: number;
  /** Of that, kernel time (socket writes to the loopback). */
  cpuSystemShare: number;
  /** The gateway's tick (the fan-out loop), per tick: CPU (process) and wall ms, medians. */
  tickCpuMs: number;
  tickWallMs: number;
  rssKBPerClient: number;
  heapKBPerClient: number;
  loopDelayMaxMs: number;
  loadavg1: number;
  storm: { allMs: number; p50Ms: number; failed: number; loopDelayMaxMs: number; snapshotsEncoded: number };
}

const q = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = performance.now();
  while (!check()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`fan-out: timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Messages from every child, one of each kind per child. */
function gather<T>(children: ChildProcess[], key: string): Promise<T[]> {
  return Promise.all(
    children.map(
      (c) =>
        new Promise<T>((resolve, reject) => {
          const onMessage = (m: Record<string, unknown>) => {
            if (!(key in m)) return;
            c.off('message', onMessage);
            c.off('exit', onExit);
            resolve((key === 'ready' ? m : m[key]) as T);
          };
          const onExit = (code: number | null) => reject(new Error(`fan-out client process exited ${code} before "${key}"`));
          c.on('message', onMessage);
          c.once('exit', onExit);
        }),
    ),
  );
}

async function measure(app: App, url: string, kind: Kind, n: number, mode: FanoutMode): Promise<Measured> {
  app.gateway.fanout = mode;
  await until('the previous case’s sessions to close', () => app.gateway.clients() === 0, 60_000);
  const processes = Math.ceil(n / PER_PROCESS[kind]);
  gc();
  const mem0 = process.memoryUsage();
  const children = Array.from({ length: processes }, (_, p) =>
    fork(path.join(REPO_ROOT, 'tests', 'bench', 'fanout.client.ts'), [url, String(Math.min(PER_PROCESS[kind], n - p * PER_PROCESS[kind])), kind], {
      cwd: REPO_ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  try {
    const ready = await gather<{ failed: number; why: string[] }>(children, 'ready');
    const connectFailed = ready.reduce((s, r) => s + r.failed, 0);
    if (connectFailed > 0) log(`fan-out: ${connectFailed} of ${n} could not connect: ${ready.flatMap((r) => r.why).slice(0, 3).join('; ')}`);
    await until('every screen on the server', () => app.gateway.screens() >= n - connectFailed, 60_000);
    gc();
    const mem1 = process.memoryUsage();

    // the window: from the next tick, WINDOW_TICKS ticks
    const seq0 = app.engine.seq;
    for (const c of children) c.send({ record: seq0 });
    // the gateway's own part of each tick (fan-out of the frame and the rest it sends), timed in place
    const tickCpu: number[] = [];
    const tickWall: number[] = [];
    const tick = app.gateway.tick;
    app.gateway.tick = function (this: typeof app.gateway, m) {
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      tick.call(this, m);
      tickWall.push(performance.now() - w0);
      const d = process.cpuUsage(c0);
      tickCpu.push((d.user + d.system) / 1000);
    };
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const skipped0 = app.gateway.framesSkipped;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await until('the window', () => app.engine.seq >= seq0 + WINDOW_TICKS, WINDOW_TICKS * TICK_MS * 10);
    const cpu = process.cpuUsage(cpu0);
    const wallS = (performance.now() - t0) / 1000;
    app.gateway.tick = tick;
    const serverSkipped = app.gateway.framesSkipped - skipped0;
    loop.disable();
    const loopDelayMaxMs = loop.max / 1e6;
    const loadavg1 = os.loadavg()[0]!;
    const seq1 = app.engine.seq;
    await sleep(GRACE_MS);
    for (const c of children) c.send({ collect: seq1 });
    const reports = await gather<{ lags: number[]; seqs: number[]; received: number; clients: number; lost: number }>(children, 'report');
    const bySeq = new Map<number, number[]>();
    for (const r of reports) r.seqs.forEach((sq, i) => (bySeq.get(sq) ?? bySeq.set(sq, []).get(sq)!).push(r.lags[i]!));
    const perTick = [...bySeq.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([seq, l]) => {
        l.sort((a, b) => a - b);
        return { seq, p50: q(l, 0.5), p99: q(l, 0.99), max: l.at(-1)!, received: l.length };
      });

    const lags = reports.flatMap((r) => r.lags).sort((a, b) => a - b);
    const clients = reports.reduce((s, r) => s + r.clients, 0);
    const ticks = seq1 - seq0;
    const expected = ticks * clients;
    const received = reports.reduce((s, r) => s + r.received, 0);
    const cpuS = (cpu.user + cpu.system) / 1e6;

    // reconnect storm: drop everyone, wait until the server has let them go, then all reconnect at once
    for (const c of children) c.send({ drop: true });
    await gather(children, 'dropped');
    await until('the server to release every session', () => app.gateway.clients() === 0, 60_000);
    const enc0 = app.gateway.snapshotsEncoded;
    const stormLoop = monitorEventLoopDelay({ resolution: 10 });
    stormLoop.enable();
    const s0 = performance.now();
    for (const c of children) c.send({ storm: true });
    const storms = await gather<{ ms: number[]; failed: number }>(children, 'stormDone');
    const stormAllMs = performance.now() - s0;
    stormLoop.disable();
    const stormMs = storms.flatMap((s) => s.ms).sort((a, b) => a - b);

    return {
      kind,
      mode,
      n,
      processes,
      lag: { p50: q(lags, 0.5), p99: q(lags, 0.99), max: lags.at(-1) ?? NaN, samples: lags.length },
      perTick,
      tickP99Median: stats(perTick.map((t) => t.p99)).median,
      ticks,
      expected,
      received,
      dropped: expected > 0 ? 1 - received / expected : NaN,
      serverSkipped,
      lost: reports.reduce((s, r) => s + r.lost, 0),
      connectFailed,
      cpuPctPerClient: (cpuS / wallS / clients) * 100,
      cpuPctTotal: (cpuS / wallS) * 100,
      cpuSystemShare: cpu.system / (cpu.user + cpu.system),
      tickCpuMs: stats(tickCpu).median,
      tickWallMs: stats(tickWall).median,
      rssKBPerClient: (mem1.rss - mem0.rss) / clients / 1024,
      heapKBPerClient: (mem1.heapUsed + mem1.external - mem0.heapUsed - mem0.external) / clients / 1024,
      loopDelayMaxMs,
      loadavg1,
      storm: {
        allMs: stormAllMs,
        p50Ms: q(stormMs, 0.5),
        failed: storms.reduce((s, r) => s + r.failed, 0),
        loopDelayMaxMs: stormLoop.max / 1e6,
        snapshotsEncoded: app.gateway.snapshotsEncoded - enc0,
      },
    };
  } finally {
    for (const c of children) if (c.connected) c.send({ exit: true });
    await Promise.all(children.map((c) => (c.exitCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)))));
  }
}

const f0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');
const pct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.001 ? 3 : 1)} %`;
const who = (kind: Kind, n: number, processes: number) =>
  `${n.toLocaleString('en-US')} ${kind === 'light' ? 'light protocol-level clients (ws)' : 'socket.io-clients'} in ${processes} process${processes > 1 ? 'es' : ''}`;
const describe = (m: Measured) =>
  `p50 ${f0(m.lag.p50)} / p99 ${f0(m.lag.p99)} / max ${f0(m.lag.max)} ms (a tick's p99: median ${f0(m.tickP99Median)}, worst ${f0(Math.max(...m.perTick.map((t) => t.p99)))}); dropped ${pct(m.dropped)} of ${m.expected.toLocaleString('en-US')}${m.mode === 'preencoded' ? ` (${m.serverSkipped} skipped by the gateway)` : ''}; server CPU ${m.cpuPctTotal.toFixed(0)} % of a core (${m.cpuPctPerClient.toFixed(4)} % per client, ${(m.cpuSystemShare * 100).toFixed(0)} % kernel), fan-out ${m.tickCpuMs.toFixed(0)} ms CPU / ${m.tickWallMs.toFixed(0)} ms wall a tick; memory ${m.heapKBPerClient.toFixed(0)} kB heap+buffers (RSS ${m.rssKBPerClient.toFixed(0)} kB) per client; loop delay max ${f0(m.loopDelayMaxMs)} ms`;

export async function fanoutBench(c: { label: string; datasetDir: string }, cases = FANOUT_CASES): Promise<{ rows: Row[]; raw: unknown }> {
  const rows: Row[] = [];
  const raw: Measured[] = [];
  const maxN = Math.max(...cases.map((k) => k.n));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-fanout-'));
  const base = testOptions();
  // every screen comes from 127.0.0.1 (as in soak.ts): the per-address and total session caps are raised for the bench
  const app = await createApp(
    testOptions({ dataDir: dir, datasetDir: c.datasetDir, tickMs: TICK_MS, limits: { ...base.limits, maxSessionsPerAddress: maxN * 2 + 50, maxSessions: maxN * 2 + 100 } }),
  );
  const url = await app.listen();
  try {
    for (const { kind, n } of cases) {
      const modes: FanoutMode[] = kind === 'light' && BASELINE_COUNTS.has(n) ? ['broadcast', 'preencoded'] : ['preencoded'];
      const got: Partial<Record<FanoutMode, Measured>> = {};
      for (const mode of modes) {
        log(`fan-out: ${who(kind, n, Math.ceil(n / PER_PROCESS[kind]))}, ${mode}, ${c.label}, load ${os.loadavg()[0]!.toFixed(1)}`);
        const m = await measure(app, url, kind, n, mode);
        log(`fan-out: ${describe(m)}; storm ${f0(m.storm.allMs)} ms`);
        raw.push(m);
        got[mode] = m;
      }
      const ours = got.preencoded!;
      const naive = got.broadcast;
      rows.push(
        row({
          section: 12,
          measure: `fan-out: frame delivery lag p50 (p95 col = p99), ${n.toLocaleString('en-US')} ${kind === 'light' ? 'light clients' : 'socket.io-clients'}`,
          scope: c.label,
          unit: 'ms',
          ours: ours.lag.p50,
          oursP95: ours.lag.p99,
          ...(naive && { naive: naive.lag.p50, naiveP95: naive.lag.p99, baseline: `Socket.IO volatile broadcast: ${describe(naive)}` }),
          budget: n <= 1000 ? 'p99 ≤ 100 ms' : n === 5000 ? 'no drops' : undefined,
          withinBudget: n <= 1000 ? ours.lag.p99 <= 100 : n === 5000 ? ours.dropped === 0 : undefined,
          note: `${describe(ours)}; ${who(kind, n, ours.processes)} on the same 2 cores; load average ${ours.loadavg1.toFixed(1)}${ours.lost + ours.connectFailed > 0 ? `; ${ours.connectFailed} failed to connect, ${ours.lost} lost` : ''}`,
        }),
        row({
          section: 12,
          measure: `reconnect storm: ${n.toLocaleString('en-US')} ${kind === 'light' ? 'light clients' : 'socket.io-clients'} at once until all have a snapshot`,
          scope: c.label,
          unit: 'ms',
          ours: ours.storm.allMs,
          ...(naive && { naive: naive.storm.allMs, baseline: 'same storm with the broadcast fan-out running' }),
          note: `p50 ${f0(ours.storm.p50Ms)} ms; ${ours.storm.snapshotsEncoded} snapshot encodes; loop delay max ${f0(ours.storm.loopDelayMaxMs)} ms; ${ours.storm.failed} failed`,
        }),
      );
    }
  } finally {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { rows, raw: { machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`, cases: raw } };
}
