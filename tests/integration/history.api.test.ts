import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, DistrictMinuteResponse, ErrorResponse, HistoryResponse } from '@models/api.ts';
import { decodeFrame, FRAME_KIND, quantise } from '@models/frame.codec.ts';
import { iso, liveClient, occupancyReading, postTelemetry, startServer, type LiveClient, type Running } from './ingest.helpers.ts';

// The server's clock runs 120× faster than the wall, so a minute of history is written every half second.
const SPEED = 120;
const realStart = Date.now();
const now = () => realStart + (Date.now() - realStart) * SPEED;
const MIN = 60_000;

let server: Running;
let buildingId: string;
let otherId: string;
const sockets: LiveClient[] = [];
const past = Math.floor(realStart / MIN) * MIN - 10 * MIN;

beforeAll(async () => {
  server = await startServer({ now, tickMs: 100 });
  const withCapacity = server.app.district.buildings.filter((b) => b.capacityPeople > 0);
  buildingId = withCapacity[0]!.id;
  otherId = withCapacity[1]!.id;
  const res = await postTelemetry(server.url, {
    readings: [
      occupancyReading(buildingId, 0.2, past + 5_000),
      occupancyReading(buildingId, 0.4, past + 35_000),
      occupancyReading(buildingId, 0.6, past + MIN + 1_000),
      occupancyReading(buildingId, 0.8, past + 3 * MIN),
    ],
  });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

const get = async <T>(path: string) => {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: (await res.json()) as T };
};
const series = (q: string) => get<HistoryResponse & ErrorResponse>(`/api/v1/history?${q}`);

describe('GET /api/v1/history', () => {
  it('should name every missing parameter', async () => {
    const { status, body } = await series('');
    expect(status).toBe(400);
    expect(body.issues?.map((i) => i.path).sort()).toEqual(['building', 'from', 'metric', 'to']);
    expect(body.issues?.find((i) => i.path === 'metric')?.message).toMatch(/required.*occupancy, computeLoad/);
    expect(body.error).toMatch(/building/);
  });

  it('should name each bad parameter', async () => {
    const cases: Array<[string, string]> = [
      [`building=nowhere&metric=occupancy&from=${iso(past)}&to=${iso(past + MIN)}`, 'building'],
      [`building=${buildingId}&metric=temperature&from=${iso(past)}&to=${iso(past + MIN)}`, 'metric'],
      [`building=${buildingId}&metric=occupancy&from=yesterday&to=${iso(past + MIN)}`, 'from'],
      [`building=${buildingId}&metric=occupancy&from=${iso(past)}&to=2026-11-28T10:00:00`, 'to'],
      [`building=${buildingId}&metric=occupancy&from=${iso(past + MIN)}&to=${iso(past)}`, 'to'],
      [`building=${buildingId}&metric=occupancy&from=${iso(past - 400 * 86_400_000)}&to=${iso(past)}`, 'to'],
      [`building=${buildingId},nowhere&metric=occupancy&from=${iso(past)}&to=${iso(past + MIN)}`, 'building'],
      [`building=${buildingId}&metric=occupancy&from=${iso(past)}&to=${iso(past + MIN)}&points=5000`, 'points'],
      [`building=${buildingId}&metric=occupancy&from=${iso(past)}&to=${iso(past + MIN)}&points=many`, 'points'],
      [`building=${buildingId}&building=${otherId}&metric=occupancy&from=${iso(past)}&to=${iso(past + MIN)}`, 'building'],
    ];
    for (const [q, param] of cases) {
      const { status, body } = await series(q);
      expect(status, q).toBe(400);
      expect(body.issues?.map((i) => i.path), q).toEqual([param]);
    }
  });

  it('should return ingested readings minute by minute, averaged within a minute', async () => {
    const from = iso(past - 5 * MIN);
    const to = iso(past + 5 * MIN);
    const { status, body } = await series(`building=${buildingId}&metric=occupancy&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      building: buildingId,
      metric: 'occupancy',
      from,
      to,
      resolution: 'minute',
      bucketMinutes: 1,
      points: [
        { ts: iso(past), value: expect.closeTo(0.3, 5), source: 'ingest' },
        { ts: iso(past + MIN), value: expect.closeTo(0.6, 5), source: 'ingest' },
        { ts: iso(past + 3 * MIN), value: expect.closeTo(0.8, 5), source: 'ingest' },
      ],
      series: [{ building: buildingId, points: body.points }],
    });
  });

  it('should also hold a minute of the simulated values of every building, written once a minute', async () => {
    const start = iso(realStart);
    await expect
      .poll(async () => (await series(`building=${otherId}&metric=occupancy&from=${start}&to=${iso(now())}`)).body.points.length, { timeout: 5000 })
      .toBeGreaterThanOrEqual(2);
    const { body } = await series(`building=${otherId}&metric=occupancy&from=${start}&to=${iso(now())}`);
    for (const p of body.points) expect(p.source).toBe('simulated');
    const minutes = body.points.map((p) => Date.parse(p.ts));
    expect(new Set(minutes).size).toBe(minutes.length);
  });
});

describe('the district at a past minute', () => {
  it('should refuse a missing or bad time', async () => {
    for (const q of ['', '?at=noon']) {
      const { status, body } = await get<ErrorResponse>(`/api/v1/history/district${q}`);
      expect(status).toBe(400);
      expect(body.issues?.map((i) => i.path)).toEqual(['at']);
    }
  });

  it('should return every building with a value that minute, as JSON', async () => {
    const { status, body } = await get<DistrictMinuteResponse>(`/api/v1/history/district?at=${iso(past + 20_000)}`);
    expect(status).toBe(200);
    expect(body.minute).toBe(iso(past));
    expect(body.datasetVersion).toBe(server.app.district.version);
    expect(body.buildings).toEqual([{ id: buildingId, metrics: { occupancy: { value: expect.closeTo(0.3, 5), source: 'ingest' } } }]);

    const minute = Math.floor(now() / MIN) * MIN + MIN;
    await expect.poll(async () => (await get<DistrictMinuteResponse>(`/api/v1/history/district?at=${iso(minute)}`)).body.buildings.length, { timeout: 5000 }).toBeGreaterThan(100);
    const whole = (await get<DistrictMinuteResponse>(`/api/v1/history/district?at=${iso(minute)}`)).body;
    expect(whole.pools).toHaveLength(9);
    expect(whole.buildings.every((b) => b.metrics.occupancy?.source === 'simulated' || b.metrics.occupancy === undefined)).toBe(true);
  });

  it('should answer history:minute with a replay frame', async () => {
    const s = liveClient(server.url);
    sockets.push(s);
    const ask = (at: string) => new Promise<Ack<ArrayBuffer | Uint8Array>>((resolve) => s.emit('history:minute', { at }, resolve));
    const bad = await ask('not a time');
    expect(bad).toMatchObject({ ok: false, issues: [{ path: 'at' }] });

    const ack = await ask(iso(past + 59_000));
    if (!ack.ok) throw new Error(ack.error);
    const frame = decodeFrame(new Uint8Array(ack.data as ArrayBuffer));
    expect(frame.kind).toBe(FRAME_KIND.replay);
    expect(frame.tsMs).toBe(past);
    expect(frame.count).toBe(server.app.district.buildings.length);
    const i = server.app.state.index.get(buildingId)!;
    expect(Math.round(frame.occupancy[i]! * 250)).toBe(quantise(0.3));
    expect(frame.occupancyIngest[i]).toBe(true);
    expect(frame.occupancy.filter((v) => !Number.isNaN(v))).toHaveLength(1);
  });
});
