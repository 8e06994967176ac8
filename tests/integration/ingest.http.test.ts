import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorResponse, HistoryResponse } from '@models/api.ts';
import { decodeFrame, FRAME_KIND, quantise } from '@models/frame.codec.ts';
import type { IngestAccepted } from '@models/telemetry.ts';
import { getState, ingestedIn, ingestRows, iso, liveClient, occupancyReading, postTelemetry, rowCount, startServer, TOKEN, type LiveClient, type Running } from './ingest.helpers.ts';

let server: Running;
let url: string;
let buildingId: string;
let otherBuildingId: string;
let supplierId: string;
let companyId: string;
const sockets: LiveClient[] = [];

beforeAll(async () => {
  server = await startServer();
  url = server.url;
  const { district } = server.app;
  const withCapacity = district.buildings.filter((b) => b.capacityPeople > 0);
  buildingId = withCapacity[0]!.id;
  otherBuildingId = withCapacity[1]!.id;
  supplierId = district.suppliers[0]!.id;
  companyId = district.companies[0]!.id;
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

async function expectRefused(res: Response, status: number, issuePaths: string[] = []): Promise<ErrorResponse> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await res.json()) as ErrorResponse;
  expect(body.error).toEqual(expect.any(String));
  for (const p of issuePaths) expect(body.issues?.map((i) => i.path)).toContain(p);
  for (const i of body.issues ?? []) expect(i.message).toEqual(expect.any(String));
  return body;
}

async function expectNothingWritten(): Promise<void> {
  expect(ingestRows(server.app)).toBe(0);
  expect(ingestedIn(await getState(url))).toEqual([]);
}

describe('POST /api/v1/telemetry refuses a bad batch with 400, a list of problems, and writes nothing', () => {
  const now = () => Date.now();
  const building = (fields: Record<string, unknown>) => ({ kind: 'building', buildingId, ts: iso(now()), ...fields });
  const cases: Array<[string, () => unknown, string[]]> = [
    ['an unknown building', () => ({ readings: [occupancyReading('no-such-building', 0.4)] }), ['readings.0.buildingId']],
    ['an unknown supplier', () => ({ readings: [{ kind: 'supplier', supplierId: 'no-such-supplier', ts: iso(now()), capacityPflops: 10, allocatedPflops: 5, usedPflops: 1 }] }), ['readings.0.supplierId']],
    ['an unknown company', () => ({ readings: [{ kind: 'company', companyId: 'no-such-company', ts: iso(now()), headcount: 3 }] }), ['readings.0.companyId']],
    ['a company moving into an unknown building', () => ({ readings: [{ kind: 'company', companyId, ts: iso(now()), buildingId: 'no-such-building' }] }), ['readings.0.buildingId']],
    ['a wrong type', () => ({ readings: [building({ occupancy: '0.4' })] }), ['readings.0.occupancy']],
    ['a null value', () => ({ readings: [building({ computeLoad: null })] }), ['readings.0.computeLoad']],
    ['a ratio above 1', () => ({ readings: [building({ occupancy: 1.2 })] }), ['readings.0.occupancy']],
    ['a ratio below 0', () => ({ readings: [building({ computeLoad: -0.1 })] }), ['readings.0.computeLoad']],
    ['a negative people count', () => ({ readings: [building({ peopleCount: -3 })] }), ['readings.0.peopleCount']],
    ['a fractional people count', () => ({ readings: [building({ peopleCount: 2.5 })] }), ['readings.0.peopleCount']],
    ['both occupancy and people count', () => ({ readings: [building({ occupancy: 0.5, peopleCount: 10 })] }), ['readings.0.peopleCount']],
    ['a building reading without a metric', () => ({ readings: [building({})] }), ['readings.0']],
    ['a timestamp without a zone', () => ({ readings: [building({ occupancy: 0.4, ts: '2026-11-28T10:00:00' })] }), ['readings.0.ts']],
    ['a timestamp that is not ISO-8601', () => ({ readings: [building({ occupancy: 0.4, ts: 'yesterday at ten' })] }), ['readings.0.ts']],
    ['a timestamp in the future beyond the skew', () => ({ readings: [building({ occupancy: 0.4, ts: iso(now() + 10 * 60_000) })] }), ['readings.0.ts']],
    ['an unknown field', () => ({ readings: [building({ occupancy: 0.4, temperature: 21 })] }), ['readings.0']],
    ['an unknown kind', () => ({ readings: [{ kind: 'weather', ts: iso(now()) }] }), ['readings.0.kind']],
    ['a pool using more than it has allocated', () => ({ readings: [{ kind: 'supplier', supplierId, ts: iso(now()), capacityPflops: 10, allocatedPflops: 5, usedPflops: 6 }] }), ['readings.0.usedPflops']],
    ['a pool allocating more than its capacity', () => ({ readings: [{ kind: 'supplier', supplierId, ts: iso(now()), capacityPflops: 10, allocatedPflops: 11, usedPflops: 1 }] }), ['readings.0.allocatedPflops']],
    ['an empty batch', () => ({ readings: [] }), ['readings']],
    ['a body without readings', () => ({ reading: [] }), ['readings']],
    ['a body that is not an object', () => [occupancyReading('x', 0.4)], ['']],
    ['one bad reading among good ones (all or nothing)', () => ({ readings: [occupancyReading(buildingId, 0.4), occupancyReading(otherBuildingId, 7)] }), ['readings.1.occupancy']],
  ];

  for (const [what, body, paths] of cases) {
    it(`should refuse ${what}`, async () => {
      await expectRefused(await postTelemetry(url, body()), 400, paths);
      await expectNothingWritten();
    });
  }

  it('should refuse an infinite value (1e999 parses to Infinity)', async () => {
    const raw = `{"readings":[{"kind":"building","buildingId":"${buildingId}","ts":"${iso(Date.now())}","occupancy":1e999}]}`;
    await expectRefused(await postTelemetry(url, null, { raw }), 400, ['readings.0.occupancy']);
    await expectNothingWritten();
  });

  it('should refuse NaN and any other malformed JSON with a clear message', async () => {
    const raw = `{"readings":[{"kind":"building","buildingId":"${buildingId}","ts":"${iso(Date.now())}","occupancy":NaN}]}`;
    const body = await expectRefused(await postTelemetry(url, null, { raw }), 400);
    expect(body.error).toMatch(/not valid JSON/);
    expect((await expectRefused(await postTelemetry(url, null, { raw: '{"readings": [' }), 400)).error).toMatch(/not valid JSON/);
    expect((await expectRefused(await postTelemetry(url, null, { raw: '' }), 400)).error).toMatch(/empty/);
    await expectNothingWritten();
  });

  it('should broadcast nothing from a refused batch', async () => {
    await postTelemetry(url, { readings: [occupancyReading(buildingId, 0.4), occupancyReading('nope', 0.4)] });
    const s = liveClient(url);
    sockets.push(s);
    const frame = await new Promise<Uint8Array>((resolve) => s.once('metrics:frame', (f) => resolve(new Uint8Array(f as ArrayBuffer))));
    const decoded = decodeFrame(frame);
    expect(decoded.occupancyIngest.some(Boolean) || decoded.computeIngest.some(Boolean)).toBe(false);
    s.close();
  });
});

describe('POST /api/v1/telemetry refuses requests it cannot take', () => {
  it('should answer 401 without a token, with a wrong token, or with another scheme', async () => {
    const batch = { readings: [occupancyReading(buildingId, 0.4)] };
    const missing = await postTelemetry(url, batch, { token: null });
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await expectRefused(missing, 401)).error).toMatch(/Authorization: Bearer/);
    expect((await expectRefused(await postTelemetry(url, batch, { token: 'not-the-token-at-all' }), 401)).error).toMatch(/wrong/);
    const basic = await fetch(`${url}/api/v1/telemetry`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${TOKEN}` }, body: JSON.stringify(batch) });
    await expectRefused(basic, 401);
    await expectNothingWritten();
  });

  it('should answer 415 to a body that is not JSON', async () => {
    const batch = { readings: [occupancyReading(buildingId, 0.4)] };
    expect((await expectRefused(await postTelemetry(url, batch, { contentType: 'text/plain' }), 415)).error).toMatch(/application\/json/);
    await expectRefused(await postTelemetry(url, batch, { contentType: 'application/x-www-form-urlencoded' }), 415);
    await expectNothingWritten();
  });

  it('should answer 413 to a body over the limit, in JSON', async () => {
    const raw = JSON.stringify({ readings: [occupancyReading(buildingId, 0.4)], padding: 'x'.repeat(5 * 1024 * 1024) });
    const body = await expectRefused(await postTelemetry(url, null, { raw }), 413);
    expect(body.error).toMatch(/too large/);
    await expectNothingWritten();
  });
});

describe('POST /api/v1/telemetry accepts a good batch', () => {
  it('should answer 200 once durable and show the values as ingested in the state, the next frame and history', async () => {
    const s = liveClient(url);
    sockets.push(s);
    const frames: Uint8Array[] = [];
    s.on('metrics:frame', (f) => frames.push(new Uint8Array(f as ArrayBuffer)));
    await new Promise((resolve) => s.once('district:snapshot', resolve));

    const ts = Date.now() - 1_000;
    const index = server.app.state.index.get(buildingId)!;
    const res = await postTelemetry(url, {
      readings: [
        { kind: 'building', buildingId, ts: iso(ts), occupancy: 0.42, computeLoad: 0.7 },
        { kind: 'supplier', supplierId: server.app.district.suppliers[0]!.id, ts: iso(ts), capacityPflops: 1000, allocatedPflops: 800, usedPflops: 650 },
        { kind: 'company', companyId: server.app.district.companies[0]!.id, ts: iso(ts), headcount: 120, registeredModels: 1 },
      ],
    });
    const seqAtResponse = server.app.loop.seq;
    expect(res.status).toBe(200);
    expect((await res.json()) as IngestAccepted).toEqual({ received: 3, stored: 3, applied: 3 });

    const state = await getState(url);
    const b = state.buildings.find((x) => x.id === buildingId)!;
    expect(b.metrics.occupancy).toEqual({ value: expect.closeTo(0.42, 5), ts: iso(ts), source: 'ingest', stale: false });
    expect(b.metrics.computeLoad).toMatchObject({ value: expect.closeTo(0.7, 5), source: 'ingest' });
    expect(state.suppliers.find((p) => p.supplierId === server.app.district.suppliers[0]!.id)).toMatchObject({ usedPflops: 650, source: 'ingest' });
    expect(state.companies.find((c) => c.companyId === server.app.district.companies[0]!.id)).toMatchObject({ headcount: 120, source: 'ingest' });

    // The first frame encoded after the 2xx carries it, marked as ingested.
    await expect.poll(() => frames.some((f) => decodeFrame(f).seq > seqAtResponse), { timeout: 2000 }).toBe(true);
    const next = decodeFrame(frames.find((f) => decodeFrame(f).seq > seqAtResponse)!);
    expect(next.kind).toBe(FRAME_KIND.live);
    expect(next.occupancyIngest[index]).toBe(true);
    expect(next.computeIngest[index]).toBe(true);
    expect(Math.round(next.occupancy[index]! * 250)).toBe(quantise(0.42));
    expect(Math.round(next.computeLoad[index]! * 250)).toBe(quantise(0.7));

    const minuteStart = Math.floor(ts / 60_000) * 60_000;
    const history = (await (await fetch(`${url}/api/v1/history?building=${buildingId}&metric=occupancy&from=${iso(ts - 3_600_000)}&to=${iso(ts + 60_000)}`)).json()) as HistoryResponse;
    expect(history.points).toContainEqual({ ts: iso(minuteStart), value: expect.closeTo(0.42, 5), source: 'ingest' });
  });

  it('should store a reading sent twice once', async () => {
    const batch = { readings: [occupancyReading(otherBuildingId, 0.31, Date.now() - 2_000)] };
    const before = rowCount(server.app, 'reading');
    expect(await (await postTelemetry(url, batch)).json()).toEqual({ received: 1, stored: 1, applied: 1 });
    expect(await (await postTelemetry(url, batch)).json()).toEqual({ received: 1, stored: 0, applied: 0 });
    expect(rowCount(server.app, 'reading')).toBe(before + 1);
  });

  it('should keep the newer value current when an older reading arrives after it', async () => {
    const t = Date.now();
    await postTelemetry(url, { readings: [occupancyReading(otherBuildingId, 0.9, t)] });
    expect(await (await postTelemetry(url, { readings: [occupancyReading(otherBuildingId, 0.1, t - 30_000)] })).json()).toEqual({ received: 1, stored: 1, applied: 0 });
    const b = (await getState(url)).buildings.find((x) => x.id === otherBuildingId)!;
    expect(b.metrics.occupancy).toMatchObject({ value: expect.closeTo(0.9, 5), ts: iso(t), source: 'ingest' });
  });
});

describe('ingest switched off and rate limits', () => {
  it('should answer 503 saying how to turn ingest on when INGEST_TOKEN is not set', async () => {
    const off = await startServer({ ingestToken: null });
    try {
      const res = await postTelemetry(off.url, { readings: [occupancyReading(buildingId, 0.4)] });
      const body = await expectRefused(res, 503);
      expect(body.error).toMatch(/INGEST_TOKEN/);
      expect(rowCount(off.app, 'reading')).toBe(0);
    } finally {
      await off.close();
    }
  });

  it('should answer 429 with Retry-After past INGEST_RATE_LIMIT requests a minute', async () => {
    const limited = await startServer({ ingestRateLimit: 3 });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 4; i++) {
        last = await postTelemetry(limited.url, { readings: [occupancyReading(buildingId, 0.4, Date.now() - i)] });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await expectRefused(last!, 429)).error).toMatch(/too many/);
      expect(rowCount(limited.app, 'reading')).toBe(3);
      // other routes are not limited
      expect((await fetch(`${limited.url}/healthz`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
