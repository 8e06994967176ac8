/**
 * History reads (issues 6 and 8): any range in a bounded number of points, several buildings at once, cluster and pool
 * series, the capacity finder, and read budgets (per socket, per address, and the reader pool's bound).
 * A real server on port 0, a real SQLite file, the simulator off so the only history is what the test ingests
 * (plus the pools the sampler writes every minute).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, CapacityResponse, ClusterHistoryResponse, ErrorResponse, HistoryResponse, PoolHistoryResponse } from '@models/api.ts';
import type { Building } from '@models/district.ts';
import type { Reading } from '@models/telemetry.ts';
import { HistoryReader, ReadersBusyError } from '../../server/src/history/history.reader.ts';
import { iso, liveClient, postTelemetry, startServer, type LiveClient, type Running } from './ingest.helpers.ts';

const MIN = 60_000;
// The server's clock runs 120× faster than the wall, so the sampler writes a minute of pools every half second.
const SPEED = 120;
const realStart = Date.now();
const now = () => realStart + (Date.now() - realStart) * SPEED;
const base = Math.floor(realStart / MIN) * MIN - 3 * 86_400_000; // three days ago, within the 7-day retention

let server: Running;
let a: Building;
let b: Building;
let c: Building;
const sockets: LiveClient[] = [];

const get = async <T>(path: string, url = server.url) => {
  const res = await fetch(`${url}${path}`);
  return { status: res.status, headers: res.headers, body: (await res.json()) as T & ErrorResponse };
};
const occ = (building: Building, value: number, tsMs: number): Reading => ({ kind: 'building', buildingId: building.id, ts: iso(tsMs), occupancy: value });

beforeAll(async () => {
  server = await startServer({ now, tickMs: 100, simulator: { mode: 'off', seed: 1, speed: 1 } });
  const { buildings } = server.app.district;
  const withCapacity = buildings.filter((x) => x.capacityPeople >= 100);
  a = withCapacity[0]!;
  b = withCapacity.find((x) => x.clusterId === a.clusterId && x.id !== a.id)!;
  c = withCapacity.find((x) => x.clusterId !== a.clusterId)!;
  const readings: Reading[] = [];
  for (let m = 0; m < 60; m++) readings.push(occ(a, 0.2, base + m * MIN), occ(b, 0.6, base + m * MIN + 30_000));
  // c: ten minutes at 0.1 … 1.0, so its 90th percentile is 0.9.
  for (let k = 1; k <= 10; k++) readings.push(occ(c, k / 10, base + 2 * 86_400_000 + k * MIN));
  const res = await postTelemetry(server.url, { readings });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

describe('GET /api/v1/history, downsampled', () => {
  it('should answer several buildings at once in buckets that fit the points asked for', async () => {
    const { status, body } = await get<HistoryResponse>(`/api/v1/history?building=${a.id},${b.id}&metric=occupancy&from=${iso(base)}&to=${iso(base + 59 * MIN)}&points=6`);
    expect(status).toBe(200);
    expect(body.bucketMinutes).toBe(10);
    expect(body.resolution).toBe('bucket');
    expect(body.series.map((s) => s.building)).toEqual([a.id, b.id]);
    expect(body.series[0]!.points).toEqual(Array.from({ length: 6 }, (_, k) => ({ ts: iso(base + k * 10 * MIN), value: expect.closeTo(0.2, 9), source: 'ingest' })));
    expect(body.series[1]!.points.map((p) => p.value)).toEqual(Array.from({ length: 6 }, () => expect.closeTo(0.6, 9)));
    // The single-building fields describe the first building.
    expect(body.building).toBe(a.id);
    expect(body.points).toEqual(body.series[0]!.points);
  });

  it('should answer any range, up to the longest, in at most 1,000 points per building', async () => {
    const from = base - 200 * 86_400_000;
    const { status, body } = await get<HistoryResponse>(`/api/v1/history?building=${a.id}&metric=occupancy&from=${iso(from)}&to=${iso(base + 86_400_000)}`);
    expect(status).toBe(200);
    expect(body.bucketMinutes).toBe(Math.ceil((201 * 1440 + 1) / 1000));
    expect(body.points.length).toBeGreaterThan(0);
    expect(body.points.length).toBeLessThanOrEqual(1000);
    // The 60 minutes of readings fall in one or two buckets, each a mean of 0.2.
    for (const p of body.points) expect(p.value).toBeCloseTo(0.2, 9);
  });
});

describe('GET /api/v1/history/cluster', () => {
  it('should weight occupancy by design capacity', async () => {
    const { status, body } = await get<ClusterHistoryResponse>(`/api/v1/history/cluster?cluster=${a.clusterId}&metric=occupancy&from=${iso(base)}&to=${iso(base + 59 * MIN)}&points=2`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ cluster: a.clusterId, metric: 'occupancy', weighting: 'capacityPeople', bucketMinutes: 30 });
    const expected = (0.2 * a.capacityPeople + 0.6 * b.capacityPeople) / (a.capacityPeople + b.capacityPeople);
    expect(body.points).toEqual([
      { ts: iso(base), value: expect.closeTo(expected, 9), source: 'ingest' },
      { ts: iso(base + 30 * MIN), value: expect.closeTo(expected, 9), source: 'ingest' },
    ]);
    expect(body.buildings).toBe(server.app.district.buildings.filter((x) => x.clusterId === a.clusterId && x.capacityPeople > 0).length);
  });

  it('should weight compute by allocation, and name a bad cluster', async () => {
    const { body } = await get<ClusterHistoryResponse>(`/api/v1/history/cluster?cluster=${a.clusterId}&metric=computeLoad&from=${iso(base)}&to=${iso(base + MIN)}`);
    expect(body.weighting).toBe('allocatedPflops');
    const bad = await get<ClusterHistoryResponse>(`/api/v1/history/cluster?cluster=atlantis&metric=occupancy&from=${iso(base)}&to=${iso(base + MIN)}`);
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([{ path: 'cluster', message: expect.stringContaining('unknown cluster "atlantis"') }]);
  });
});

describe('GET /api/v1/capacity', () => {
  it('should list buildings whose p90 of the last 7 days leaves room for the team, with free compute per pool', async () => {
    const { status, body } = await get<CapacityResponse>(`/api/v1/capacity?team=1&clusters=${c.clusterId}`);
    expect(status).toBe(200);
    const peak = Math.round(0.9 * c.capacityPeople);
    expect(body.team).toBe(1);
    expect(body.basis).toEqual({ percentile: 90, days: 7 });
    expect(body.buildings).toEqual([{ id: c.id, capacityPeople: c.capacityPeople, peakPeople: peak, freePeople: c.capacityPeople - peak, source: 'ingest' }]);
    // The simulator is off and no pool was ingested: no pool has a value to report.
    expect(body.pools).toEqual([]);
    expect(Date.parse(body.generatedAt)).toBeGreaterThan(0);

    const all = await get<CapacityResponse>(`/api/v1/capacity?team=1`);
    expect(all.body.buildings.map((x) => x.id).sort()).toEqual([a.id, b.id, c.id].sort());
    const free = all.body.buildings.map((x) => x.freePeople);
    expect(free).toEqual([...free].sort((x, y) => y - x));
    const tooBig = await get<CapacityResponse>(`/api/v1/capacity?team=${c.capacityPeople - peak + 1}&clusters=${c.clusterId}`);
    expect(tooBig.body.buildings).toEqual([]);
  });

  it('should name a bad team or cluster', async () => {
    for (const [q, path] of [['', 'team'], ['team=0', 'team'], ['team=2.5', 'team'], ['team=3&clusters=atlantis', 'clusters']] as const) {
      const { status, body } = await get<CapacityResponse>(`/api/v1/capacity?${q}`);
      expect(status, q).toBe(400);
      expect(body.issues?.map((i) => i.path), q).toEqual([path]);
    }
  });
});

describe('GET /api/v1/history/pool', () => {
  it('should return a supplier pool minute by minute as the sampler wrote it, and free compute per pool', async () => {
    const simulated = await startServer({ now, tickMs: 100 });
    try {
      const server = simulated; // this test's server, with the simulator on
      const supplier = server.app.district.suppliers[0]!;
      const from = iso(realStart);
      await expect.poll(async () => (await get<PoolHistoryResponse>(`/api/v1/history/pool?supplier=${supplier.id}&from=${from}&to=${iso(now())}`, server.url)).body.points?.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      const { body } = await get<PoolHistoryResponse>(`/api/v1/history/pool?supplier=${supplier.id}&from=${from}&to=${iso(now())}`, server.url);
      expect(body.bucketMinutes).toBe(1);
      for (const p of body.points) expect(p).toMatchObject({ capacityPflops: supplier.capacityPflops, source: 'simulated' });
      const bad = await get<PoolHistoryResponse>(`/api/v1/history/pool?supplier=nobody&from=${from}`, server.url);
      expect(bad.status).toBe(400);
      expect(bad.body.issues?.map((i) => i.path).sort()).toEqual(['to']);
      const capacity = await get<CapacityResponse>('/api/v1/capacity?team=5', server.url);
      expect(capacity.body.pools).toHaveLength(9);
      for (const p of capacity.body.pools) {
        const live = server.app.state.pools.get(p.supplierId)!;
        expect(p).toEqual({ supplierId: p.supplierId, capacityPflops: live.capacityPflops, freePflops: expect.closeTo(live.capacityPflops - live.allocatedPflops, 6), source: live.source });
      }
    } finally {
      await simulated.close();
    }
  });
});

describe('read budgets', () => {
  it('should refuse history:minute beyond a socket budget with when to retry, and keep serving others', async () => {
    const limited = await startServer({ historyReads: { perSecond: 0.01, burst: 3 } });
    try {
      const s = liveClient(limited.url);
      sockets.push(s);
      const ask = () => new Promise<Ack<ArrayBuffer | Uint8Array>>((resolve) => s.emit('history:minute', { at: iso(Date.now()) }, resolve));
      const acks = await Promise.all(Array.from({ length: 6 }, ask));
      expect(acks.filter((x) => x.ok)).toHaveLength(3);
      const refused = acks.filter((x) => !x.ok);
      expect(refused).toHaveLength(3);
      for (const r of refused) expect(r).toMatchObject({ ok: false, error: expect.stringContaining('too many history reads from this socket'), retryAfterS: expect.any(Number) });
      // Another socket has its own budget.
      const other = liveClient(limited.url);
      sockets.push(other);
      const ack = await new Promise<Ack<ArrayBuffer | Uint8Array>>((resolve) => other.emit('history:minute', { at: iso(Date.now()) }, resolve));
      expect(ack.ok).toBe(true);
    } finally {
      await limited.close();
    }
  });

  it('should refuse HTTP history reads beyond an address budget with 429 and Retry-After', async () => {
    const limited = await startServer({ historyReads: { perSecond: 0.01, burst: 2 } });
    try {
      const q = `/api/v1/history/district?at=${iso(Date.now())}`;
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await fetch(`${limited.url}${q}`)).status);
      expect(statuses.slice(0, 8)).toEqual(Array(8).fill(200)); // 4 × the socket burst per address
      const refused = await get<ErrorResponse>(q, limited.url);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.body.error).toContain('too many history reads from this address');
    } finally {
      await limited.close();
    }
  });

  it('should count HTTP and socket reads from one address in one budget', async () => {
    const limited = await startServer({ historyReads: { perSecond: 0.01, burst: 2 } });
    try {
      const q = `/api/v1/history/district?at=${iso(Date.now())}`;
      for (let i = 0; i < 8; i++) expect((await fetch(`${limited.url}${q}`)).status).toBe(200);
      const s = liveClient(limited.url);
      sockets.push(s);
      const ack = await new Promise<Ack<ArrayBuffer | Uint8Array>>((resolve) => s.emit('history:minute', { at: iso(Date.now()) }, resolve));
      expect(ack).toMatchObject({ ok: false, error: expect.stringContaining('from this address'), retryAfterS: expect.any(Number) });
    } finally {
      await limited.close();
    }
  });

  it('should refuse a read at once when the reader pool is full, and answer those it took', async () => {
    const reader = new HistoryReader(server.app.history!.file, { threads: 1, maxQueued: 2 });
    try {
      const taken = [reader.run('districtMinute', { minute: base / MIN }), reader.run('districtMinute', { minute: base / MIN })];
      await expect(reader.run('districtMinute', { minute: base / MIN })).rejects.toBeInstanceOf(ReadersBusyError);
      const answered = await Promise.all(taken);
      expect(answered[0]!.buildings.length).toBeGreaterThan(0);
      expect(reader.load).toBe(0);
      await expect(reader.run('districtMinute', { minute: base / MIN })).resolves.toMatchObject({ pools: expect.any(Array) });
    } finally {
      await reader.close();
    }
  });
});
