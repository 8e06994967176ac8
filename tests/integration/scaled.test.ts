/**
 * The scaled set-up with real processes: one district engine (ROLE=engine) and two gateways (ROLE=gateway), each the
 * real entry point server/src/main.ts, joined by a real redis-server started here on a free port. Screens are real
 * socket.io-clients; ingest is real HTTP. Skipped, saying so, when /usr/bin/redis-server is not installed (.ci/run
 * installs it); every other test runs without Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import type { District } from '@models/district.ts';
import { decodeHeader, frameColumns, isIngest, quantise } from '@models/frame.codec.ts';
import { exitedWithin, freePort, startChild, type Child } from './child.helpers.ts';
import { occupancyReading, postTelemetry, TOKEN } from './ingest.helpers.ts';

const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
const haveRedis = fs.existsSync(REDIS_SERVER);
if (!haveRedis) console.warn(`SKIPPED tests/integration/scaled.test.ts: ${REDIS_SERVER} not found (apt-get install redis-server; .ci/run does)`);

const TICK_MS = 200;

interface Screen {
  socket: Socket;
  frames: Array<{ seq: number; tsMs: number; bytes: Uint8Array }>;
  snapshots: number;
}

function screen(url: string): Screen {
  const s: Screen = { socket: io(url, { transports: ['websocket'], reconnection: false }), frames: [], snapshots: 0 };
  s.socket.on('metrics:frame', (f: ArrayBuffer) => {
    const bytes = new Uint8Array(f);
    const h = decodeHeader(bytes);
    s.frames.push({ seq: h.seq, tsMs: h.tsMs, bytes });
  });
  s.socket.on('district:snapshot', () => s.snapshots++);
  return s;
}

const last = (s: Screen) => s.frames.at(-1);
/** The byte a frame carries for a value (the live state holds frame values as float32). */
const q = (v: number) => quantise(Math.fround(v));

describe.skipIf(!haveRedis)('scaled set-up: one engine, two gateways, Redis (real processes)', () => {
  const dirs: string[] = [];
  const procs: ChildProcess[] = [];
  const screens: Screen[] = [];
  let redisPort = 0;
  let redis: ChildProcess;
  let engine: Child;
  let gatewayA: Child;
  let gatewayB: Child;
  let dataDir = '';
  let district: District;
  let building = '';
  let buildingIndex = 0;
  let env: Record<string, string>;
  /** ts of every reading a gateway acknowledged with 2xx. */
  const acknowledged: number[] = [];

  async function startRedis(): Promise<ChildProcess> {
    const p = spawn(REDIS_SERVER, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dataDir], { stdio: 'ignore' });
    procs.push(p);
    for (;;) {
      // ready when it accepts a PING
      const ok = await new Promise<boolean>((resolve) => {
        const sock = net.connect(redisPort, '127.0.0.1');
        sock.once('connect', () => sock.write('PING\r\n'));
        sock.once('data', (d: Buffer) => {
          sock.destroy();
          resolve(String(d).startsWith('+PONG'));
        });
        sock.once('error', () => resolve(false));
      });
      if (ok) return p;
      if (p.exitCode !== null) throw new Error(`redis-server exited with ${p.exitCode}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function start(role: 'engine' | 'gateway'): Promise<Child> {
    const child = await startChild({ ...env, ROLE: role });
    procs.push(child.proc);
    return child;
  }

  async function kill(p: ChildProcess): Promise<void> {
    p.kill('SIGKILL');
    await exitedWithin(p, 10_000);
  }

  async function ingest(url: string, value: number, tsMs: number): Promise<Response> {
    const res = await postTelemetry(url, { readings: [occupancyReading(building, value, tsMs)] });
    if (res.ok) acknowledged.push(tsMs);
    return res;
  }

  /** The occupancy a frame shows for the test building, if it came from a real reading. */
  const ingestedOccupancy = (bytes: Uint8Array): number | null => {
    const { count } = decodeHeader(bytes);
    const c = frameColumns(bytes, count);
    return isIngest(c.sources, buildingIndex, 0) ? c.occupancyQ[buildingIndex]! : null;
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-scaled-'));
    dirs.push(dataDir);
    redisPort = await freePort();
    redis = await startRedis();
    // Gateways read history from the engine's DATA_DIR (one machine); every process gets the same settings.
    env = { REDIS_URL: `redis://127.0.0.1:${redisPort}`, DATA_DIR: dataDir, INGEST_TOKEN: TOKEN, TICK_MS: String(TICK_MS), LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_S: '2' };
    engine = await start('engine');
    [gatewayA, gatewayB] = await Promise.all([start('gateway'), start('gateway')]);
    district = (await (await fetch(`${gatewayA.url}/api/v1/district`)).json()) as District;
    buildingIndex = district.buildings.findIndex((b) => b.capacityPeople > 0);
    building = district.buildings[buildingIndex]!.id;
  }, 120_000);

  afterAll(async () => {
    for (const s of screens) s.socket.close();
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(procs.map((p) => exitedWithin(p, 10_000)));
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('should give every screen each tick exactly once, the same frame whichever gateway it is on', async () => {
    const a = screen(gatewayA.url);
    const b = screen(gatewayB.url);
    screens.push(a, b);
    await expect.poll(() => Math.min(a.frames.length, b.frames.length), { timeout: 30_000 }).toBeGreaterThanOrEqual(8);
    for (const s of [a, b]) {
      expect(s.snapshots).toBe(1);
      // once each, in order: no tick twice (two gateways each fanning out to everyone would double them)
      const seqs = s.frames.map((f) => f.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    }
    const onB = new Map(b.frames.map((f) => [f.seq, f.bytes]));
    const common = a.frames.filter((f) => onB.has(f.seq));
    expect(common.length).toBeGreaterThanOrEqual(5);
    for (const f of common) expect(Buffer.from(f.bytes).equals(Buffer.from(onB.get(f.seq)!))).toBe(true);
  });

  it('should bring a reading accepted by gateway A to a screen on gateway B in the next tick', async () => {
    const b = screens[1]!;
    const res = await ingest(gatewayA.url, 0.42, Date.now() - 1000);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: 1, stored: 1, applied: 1 });
    // The engine applied it before the 2xx: the tick after the engine's seq now carries it.
    const { seq: engineSeq } = (await (await fetch(`${engine.url}/healthz`)).json()) as { seq: number };
    await expect.poll(() => b.frames.find((f) => ingestedOccupancy(f.bytes) === q(0.42))?.seq, { timeout: 20_000 }).toBeDefined();
    const first = b.frames.find((f) => ingestedOccupancy(f.bytes) === q(0.42))!;
    expect(first.seq).toBeLessThanOrEqual(engineSeq + 1);

    // A streaming device on the /ingest namespace of gateway B gets its ack only once the engine has stored the batch.
    const device = io(`${gatewayB.url}/ingest`, { transports: ['websocket'], reconnection: false, auth: { token: TOKEN } });
    try {
      const tsMs = Date.now() - 950;
      const ack = await device.timeout(20_000).emitWithAck('telemetry:batch', { readings: [occupancyReading(building, 0.45, tsMs)] });
      expect(ack).toEqual({ ok: true, data: { received: 1, stored: 1, applied: 1 } });
      acknowledged.push(tsMs);
      await expect.poll(() => ingestedOccupancy(last(b)!.bytes), { timeout: 20_000 }).toBe(q(0.45));
    } finally {
      device.close();
    }
  });

  it('should lose no acknowledged reading when Redis restarts, refuse ingest while it is down, and resume frames', async () => {
    const b = screens[1]!;
    expect((await ingest(gatewayB.url, 0.5, Date.now() - 900)).status).toBe(200);
    await kill(redis);
    const down = await postTelemetry(gatewayB.url, { readings: [occupancyReading(building, 0.6, Date.now() - 800)] });
    expect(down.status).toBe(503);
    expect(((await down.json()) as { error: string }).error).toMatch(/send it again/);
    const frozenAt = last(b)!.tsMs;

    redis = await startRedis(); // empty: nothing was saved
    await expect.poll(() => last(b)!.tsMs, { timeout: 30_000 }).toBeGreaterThan(frozenAt);
    // Ingest works again once the gateway's forwarder is back on Redis.
    await expect.poll(async () => (await ingest(gatewayB.url, 0.55, Date.now() - 700 + acknowledged.length)).status, { timeout: 20_000, interval: 250 }).toBe(200);
    await expect.poll(() => ingestedOccupancy(last(b)!.bytes), { timeout: 20_000 }).toBe(q(0.55));

    const db = new Database(path.join(dataDir, 'history.sqlite'), { readonly: true });
    try {
      for (const ts of acknowledged) expect(db.prepare('SELECT count(*) AS n FROM reading WHERE ts_ms = ?').get(ts)).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });

  it('should keep the last picture while the engine is down and resume when it is back', async () => {
    const a = screens[0]!;
    await kill(engine.proc);
    const lastBefore = last(a)!;
    // A screen connecting now gets the last picture (its time says how old it is: the client marks it stale).
    const late = screen(gatewayB.url);
    screens.push(late);
    const snapshot = await new Promise<Uint8Array>((resolve) => late.socket.once('district:snapshot', (s: ArrayBuffer) => resolve(new Uint8Array(s))));
    expect(snapshot.byteLength).toBeGreaterThan(0);
    // No new frame while the engine is down: ten ticks' time without one.
    const count = a.frames.length;
    await new Promise((r) => setTimeout(r, 10 * TICK_MS));
    expect(a.frames.length - count).toBeLessThanOrEqual(1); // one may have been in flight at the kill
    expect(late.frames).toEqual([]);

    engine = await start('engine');
    await expect.poll(() => last(a)!.tsMs, { timeout: 30_000 }).toBeGreaterThan(lastBefore.tsMs);
    await expect.poll(() => late.frames.length, { timeout: 30_000 }).toBeGreaterThan(0);
    // The restarted engine restored the newest acknowledged reading from history.
    expect(ingestedOccupancy(last(a)!.bytes)).toBe(q(0.55));
  });

  it('should leave screens on the other gateway unaffected when one is killed, and a reconnect there resumes within 5 s', async () => {
    const [a, b] = screens as [Screen, Screen];
    await kill(gatewayA.proc);
    const killedAt = Date.now();
    // The screen that was on A moves to the next gateway of its list, as a balancer would send it.
    await new Promise<void>((resolve) => (a.socket.connected ? a.socket.once('disconnect', () => resolve()) : resolve()));
    const moved = screen(gatewayB.url);
    screens.push(moved);
    await expect.poll(() => moved.frames.length, { timeout: 5_000, interval: 50 }).toBeGreaterThan(0);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(moved.snapshots).toBe(1);
    // B's own screen kept going.
    const n = b.frames.length;
    await expect.poll(() => b.frames.length, { timeout: 10_000 }).toBeGreaterThan(n + 2);
    expect(b.socket.connected).toBe(true);
  });
});
