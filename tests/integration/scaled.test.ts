/**
 * The scaled set-up with real processes: one district engine (ROLE=engine) and two gateways (ROLE=gateway), each the
 * real entry point server/src/main.ts, joined by a real redis-server started here on a free port. Screens are real
 * socket.io-clients; ingest is real HTTP. Skipped, saying so, when /usr/bin/redis-server is not installed (.ci/run
 * installs it); every other test runs without Redis.
 *
 * Two runs of the same set-up: history in SQLite (the engine's DATA_DIR), with the ingest limits shared across the
 * gateways (clients on other loopback addresses, 127.0.0.2 …, so each has budgets of its own); and, when
 * TEST_POSTGRES_URL is set (.ci/run sets it), history in PostgreSQL (HISTORY_URL on a database made for the run and
 * dropped after it) for the engine and both gateways, where the failure tests check the acknowledged readings in
 * PostgreSQL.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { District } from '@models/district.ts';
import { decodeHeader, frameColumns, isIngest, quantise } from '@models/frame.codec.ts';
import { exitedWithin, haveRedisServer, REDIS_SERVER, ChildGroup, type Child, type ScaledSetUp } from './child.helpers.ts';
import { occupancyReading, postTelemetry, TOKEN } from './ingest.helpers.ts';
import { createTestDatabase, type TestDatabase } from './pg.helpers.ts';

const haveRedis = haveRedisServer();
if (!haveRedis) console.warn(`SKIPPED tests/integration/scaled.test.ts: ${REDIS_SERVER} not found (apt-get install redis-server; .ci/run does)`);
const PG_URL = process.env.TEST_POSTGRES_URL;

const TICK_MS = 200;
/** The engine's lease: a standby takes over within it (and a restarted engine waits out its predecessor's). */
const LEASE_MS = 1500;
/** Far above what 127.0.0.1 spends here (a few batches and the retries while Redis restarts), small enough to use up. */
const RATE_LIMIT = 100;
const AUTH_FAILURES = 5;

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

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

/** POST /api/v1/telemetry from another loopback address (a second client, as the gateways see it). */
function postFrom(from: string, url: string, init: { token: string; body?: unknown; contentType?: string }): Promise<Answer> {
  const u = new URL('/api/v1/telemetry', url);
  const body = init.body === undefined ? '' : JSON.stringify(init.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST', localAddress: from, headers: { authorization: `Bearer ${init.token}`, 'content-type': init.contentType ?? 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined, body: text }));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

/** An /ingest device connecting from another loopback address: its socket once connected, or the refusal. */
function deviceFrom(from: string, url: string, token: string): Promise<Socket | (Error & { data?: { status: number; retryAfterS?: number } })> {
  // localAddress reaches the WebSocket (engine.io-client passes it on in Node); it is not in the client's types.
  const opts = { transports: ['websocket'], reconnection: false, auth: { token }, localAddress: from } as Partial<ManagerOptions & SocketOptions>;
  const device = io(`${url}/ingest`, opts);
  return new Promise((resolve) => {
    device.once('connect', () => resolve(device));
    device.once('connect_error', (err) => {
      device.close();
      resolve(err);
    });
  });
}

const errorOf = (a: Answer) => (JSON.parse(a.body) as { error: string }).error;

/** The whole set-up and its tests, on one history backend. */
function scaledSuite(backend: 'sqlite' | 'postgres', opts: { limits: boolean }) {
  const group = new ChildGroup();
  const screens: Screen[] = [];
  let set: ScaledSetUp;
  let redis: ChildProcess;
  let engine: Child;
  let gatewayA: Child;
  let gatewayB: Child;
  let district: District;
  let building = '';
  let buildingIndex = 0;
  /** Every reading a gateway acknowledged with 2xx. */
  const acknowledged: Array<{ tsMs: number; value: number }> = [];
  /** PostgreSQL: the database made for this run (HISTORY_URL of every process). */
  let db: TestDatabase | null = null;
  /** A reading time after every reading stored so far (two readings of one building at one time would be a 409). */
  const freshTs = () => Math.max(Date.now() - 1000, ...acknowledged.map((r) => r.tsMs + 1));

  const start = (role: 'engine' | 'gateway') => group.role(set.env, role);

  async function kill(p: ChildProcess): Promise<void> {
    p.kill('SIGKILL');
    await exitedWithin(p, 10_000);
  }

  async function ingest(url: string, value: number, tsMs: number): Promise<Response> {
    const res = await postTelemetry(url, { readings: [occupancyReading(building, value, tsMs)] });
    if (res.ok) acknowledged.push({ tsMs, value });
    return res;
  }

  /** The occupancy a frame shows for the test building, if it came from a real reading. */
  const ingestedOccupancy = (bytes: Uint8Array): number | null => {
    const { count } = decodeHeader(bytes);
    const c = frameColumns(bytes, count);
    return isIngest(c.sources, buildingIndex, 0) ? c.occupancyQ[buildingIndex]! : null;
  };

  beforeAll(async () => {
    // Gateways read history from the engine's DATA_DIR (one machine), or all from PostgreSQL; every process gets the
    // same settings.
    const env: Record<string, string> = { INGEST_TOKEN: TOKEN, TICK_MS: String(TICK_MS), ENGINE_LEASE_MS: String(LEASE_MS), INGEST_RATE_LIMIT: String(RATE_LIMIT), AUTH_FAILURES_PER_MINUTE: String(AUTH_FAILURES) };
    if (backend === 'postgres') {
      db = await createTestDatabase(PG_URL!, 'wbt_scaled');
      env.HISTORY_URL = db.url;
    }
    set = await group.scaled('wbt-scaled-', env);
    ({ redis, engine, gatewayA, gatewayB, district } = set);
    buildingIndex = district.buildings.findIndex((b) => b.capacityPeople > 0);
    building = district.buildings[buildingIndex]!.id;
  }, 120_000);

  afterAll(async () => {
    for (const s of screens) s.socket.close();
    await group.stopAll();
    await db?.drop();
  });

  /** Each acknowledged reading, as the engine's history holds it: [ts, value] for every row of that ts (one each). */
  async function storedReadings(): Promise<Array<[number, number]>> {
    const sql = 'SELECT r.ts_ms AS ts, r.value AS value FROM reading r JOIN entity e ON e.id = r.entity WHERE e.key = $1 ORDER BY r.ts_ms';
    let rows: Array<{ ts: number | string; value: number }>;
    if (backend === 'postgres') {
      rows = (await db!.query(sql, [building])) as typeof rows;
    } else {
      const db = new Database(path.join(set.dataDir, 'history.sqlite'), { readonly: true });
      try {
        rows = db.prepare(sql.replace('$1', '?')).all(building) as typeof rows;
      } finally {
        db.close();
      }
    }
    const wanted = new Set(acknowledged.map((r) => r.tsMs));
    return rows.map((r): [number, number] => [Number(r.ts), r.value]).filter(([ts]) => wanted.has(ts));
  }

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
      acknowledged.push({ tsMs, value: 0.45 });
      await expect.poll(() => ingestedOccupancy(last(b)!.bytes), { timeout: 20_000 }).toBe(q(0.45));
    } finally {
      device.close();
    }
  });

  // The shared ingest limits need no history backend: tested once, on the SQLite run.
  if (opts.limits) {
    it('should hold one ingest budget per client across gateways: spent on A, refused on B with the message and Retry-After of one process', async () => {
      const client = '127.0.0.2';
      // Spend all but one of the budget on gateway A with requests that are counted and then refused before the body is
      // read (415: the budget is taken once the token is accepted), so nothing reaches the engine.
      const spent: number[] = [];
      for (let i = 0; i < RATE_LIMIT - 1; i += 10) {
        const n = Math.min(10, RATE_LIMIT - 1 - i);
        spent.push(...(await Promise.all(Array.from({ length: n }, () => postFrom(client, gatewayA.url, { token: TOKEN, contentType: 'text/plain' })))).map((a) => a.status));
      }
      expect(spent).toEqual(Array<number>(RATE_LIMIT - 1).fill(415));
      // The last one of the budget, on gateway B, is stored.
      const tsMs = freshTs();
      const lastOne = await postFrom(client, gatewayB.url, { token: TOKEN, body: { readings: [occupancyReading(building, 0.47, tsMs)] } });
      expect(lastOne.status).toBe(200);
      acknowledged.push({ tsMs, value: 0.47 });

      for (const gw of [gatewayB, gatewayA]) {
        const over = await postFrom(client, gw.url, { token: TOKEN, body: { readings: [occupancyReading(building, 0.48, freshTs())] } });
        expect(over.status).toBe(429);
        const retryAfterS = Number(over.retryAfter);
        expect(retryAfterS).toBeGreaterThanOrEqual(1);
        expect(retryAfterS).toBeLessThanOrEqual(60);
        // word for word what one process says (security/ingestLimits.ts; tests/integration/ingest.limits.test.ts)
        expect(errorOf(over)).toBe(`too many ingest batches: at most ${RATE_LIMIT} per minute per client (HTTP requests and /ingest batches count together); retry in ${retryAfterS} s`);
      }
      // A streaming device on the same address shares the budget on B's /ingest namespace too.
      const device = await deviceFrom(client, gatewayB.url, TOKEN);
      if (device instanceof Error) throw device; // its token is right and the address is not locked out
      try {
        const ack = (await device.timeout(20_000).emitWithAck('telemetry:batch', { readings: [occupancyReading(building, 0.49, freshTs())] })) as { ok: boolean; error?: string; retryAfterS?: number };
        expect(ack).toMatchObject({ ok: false, retryAfterS: expect.any(Number) });
        expect(ack.error).toBe(`too many ingest batches: at most ${RATE_LIMIT} per minute per client (HTTP requests and /ingest batches count together); retry in ${ack.retryAfterS} s`);
      } finally {
        device.close();
      }
      // Another client (127.0.0.1, every other test here) has its own budget.
      expect((await ingest(gatewayB.url, 0.46, freshTs())).status).toBe(200);
    });

    it('should lock an address out on every gateway once it has sent too many wrong tokens to one', async () => {
      const guesser = '127.0.0.3';
      const statuses: number[] = [];
      for (let i = 0; i <= AUTH_FAILURES; i++) statuses.push((await postFrom(guesser, gatewayA.url, { token: `guess-${i}-0123456789abcdef` })).status);
      expect(statuses).toEqual([...Array<number>(AUTH_FAILURES).fill(401), 429]);
      // The right token from that address is not even checked on gateway B, over HTTP …
      const locked = await postFrom(guesser, gatewayB.url, { token: TOKEN, body: { readings: [occupancyReading(building, 0.3, freshTs())] } });
      expect(locked.status).toBe(429);
      const retryAfterS = Number(locked.retryAfter);
      expect(retryAfterS).toBeGreaterThanOrEqual(1);
      expect(errorOf(locked)).toBe(`too many wrong ingest tokens from ${guesser}: at most ${AUTH_FAILURES} per minute; retry in ${retryAfterS} s`);
      // … nor on its /ingest namespace.
      const refused = await deviceFrom(guesser, gatewayB.url, TOKEN);
      if (!(refused instanceof Error)) {
        refused.close();
        throw new Error('the /ingest handshake from a locked-out address was accepted');
      }
      expect(refused.data).toMatchObject({ status: 429, retryAfterS: expect.any(Number) });
      expect(refused.message).toMatch(new RegExp(`too many wrong ingest tokens from ${guesser.replaceAll('.', '\\.')}: at most ${AUTH_FAILURES} per minute`));
    });
  }

  it('should lose no acknowledged reading when Redis restarts, refuse ingest while it is down, and resume frames (the engine standing by while it cannot hold its lease)', async () => {
    const b = screens[1]!;
    expect((await ingest(gatewayB.url, 0.5, Date.now() - 900)).status).toBe(200);
    const guesser = '127.0.0.4';
    if (opts.limits) {
      // An address locked out through gateway B while Redis is up …
      for (let i = 0; i < AUTH_FAILURES; i++) expect((await postFrom(guesser, gatewayB.url, { token: `guess-${i}-0123456789abcdef` })).status).toBe(401);
      expect((await postFrom(guesser, gatewayB.url, { token: TOKEN })).status).toBe(429);
    }
    await kill(redis);
    const down = await postTelemetry(gatewayB.url, { readings: [occupancyReading(building, 0.6, Date.now() - 800)] });
    expect(down.status).toBe(503);
    expect(((await down.json()) as { error: string }).error).toMatch(/send it again/);
    if (opts.limits) {
      // … stays locked out there while Redis is down (the gateway's own count; the limits do not fail open), and says so.
      const locked = await postFrom(guesser, gatewayB.url, { token: TOKEN, body: { readings: [] } });
      expect(locked.status).toBe(429);
      expect(errorOf(locked)).toMatch(new RegExp(`too many wrong ingest tokens from ${guesser.replaceAll('.', '\\.')}: at most ${AUTH_FAILURES} per minute`));
      await expect.poll(() => gatewayB.stdout(), { timeout: 10_000 }).toContain('ingest limits: Redis unreachable');
    }
    const frozenAt = last(b)!.tsMs;
    // Down for longer than the engine's lease: it cannot confirm that it is the one writer, so it stops and stands by
    // (scale/engine.lease.ts); with Redis back it takes the lease again and carries on, its readings restored.
    await expect.poll(() => engine.stdout(), { timeout: 15_000 }).toContain('standing by again');

    redis = await set.startRedis(); // empty: nothing was saved
    await expect.poll(() => last(b)!.tsMs, { timeout: 30_000 }).toBeGreaterThan(frozenAt);
    // Ingest works again once the gateway's forwarder is back on Redis.
    await expect.poll(async () => (await ingest(gatewayB.url, 0.55, Date.now() - 700 + acknowledged.length)).status, { timeout: 20_000, interval: 250 }).toBe(200);
    await expect.poll(() => ingestedOccupancy(last(b)!.bytes), { timeout: 20_000 }).toBe(q(0.55));

    // Every acknowledged reading is in the engine's history (SQLite file or PostgreSQL), once, with its value.
    expect(acknowledged.length).toBeGreaterThanOrEqual(4);
    expect(await storedReadings()).toEqual([...acknowledged].sort((x, y) => x.tsMs - y.tsMs).map((r) => [r.tsMs, r.value]));
    if (backend === 'postgres') expect(fs.existsSync(path.join(set.dataDir, 'history.sqlite'))).toBe(false);
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

  it('should fail over to a standby engine when the engine is killed: frames resume within seconds, the readings restored', async () => {
    const a = screens[0]!;
    const health = async (c: Child) => (await (await fetch(`${c.url}/healthz`)).json()) as { standby: boolean; seq: number };
    const standby = await start('engine');
    expect((await health(standby)).standby).toBe(true);
    expect((await health(engine)).standby).toBe(false);
    const standbySeq = (await health(standby)).seq;
    // one writer: a standby runs no simulator, so screens still get one run's ticks, each once, in order
    const from = a.frames.length;
    await new Promise((r) => setTimeout(r, 10 * TICK_MS));
    const seqs = a.frames.slice(from).map((f) => f.seq);
    expect(seqs.length).toBeGreaterThan(3);
    expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!), `seqs ${seqs.join(',')}`).toBe(true);
    expect((await health(standby)).seq, 'a standby does not tick').toBe(standbySeq);

    const lastBefore = last(a)!;
    await kill(engine.proc);
    const killedAt = Date.now();
    await expect.poll(() => last(a)!.tsMs, { timeout: 30_000, interval: 50 }).toBeGreaterThan(lastBefore.tsMs);
    const tookOver = Date.now() - killedAt;
    console.log(`failover (${backend}): frames again ${tookOver} ms after the engine was killed (ENGINE_LEASE_MS ${LEASE_MS})`);
    // the lease, a renewal period of fencing, the standby's poll, the restore and a tick; far less on a quiet machine
    expect(tookOver).toBeLessThan(LEASE_MS + 8_000);
    expect((await health(standby)).standby).toBe(false);
    // the standby restored the newest acknowledged reading from history when it took over
    expect(ingestedOccupancy(last(a)!.bytes)).toBe(q(0.55));
    engine = standby;
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
}

describe.skipIf(!haveRedis)('scaled set-up: one engine, two gateways, Redis (real processes), history in SQLite, shared ingest limits', () => scaledSuite('sqlite', { limits: true }));

describe.skipIf(!haveRedis || !PG_URL)(
  PG_URL
    ? 'scaled set-up: one engine, two gateways, Redis (real processes), history in PostgreSQL (HISTORY_URL)'
    : 'scaled set-up with history in PostgreSQL (SKIPPED: TEST_POSTGRES_URL is not set; export TEST_POSTGRES_URL="$(scripts/ci-postgres.sh)")',
  () => scaledSuite('postgres', { limits: false }),
);
