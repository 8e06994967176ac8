/** The ingest service against a real SQLite file and a small district: all or nothing, idempotency, ordering, restore. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { District } from '@models/district.ts';
import type { Reading } from '@models/telemetry.ts';
import { LiveState, SOURCE_INGEST } from '../../server/src/live/live.state.ts';
import { HistoryStore, MINUTE_MS } from '../../server/src/history/history.store.ts';
import { SqliteHistoryRepository } from '../../server/src/history/history.repository.ts';
import { INGEST_OFF_MESSAGE, restoreIngested, TelemetryService } from '../../server/src/telemetry/telemetry.service.ts';

const NOW = Date.parse('2026-11-28T02:00:00Z');
const TOKEN = 'a-long-enough-ingest-token';

const district = {
  version: 1,
  buildings: [
    { id: 'tower', capacityPeople: 1000, name: { zh: '塔', en: 'Tower' } },
    { id: 'lab', capacityPeople: 200 },
    { id: 'museum', capacityPeople: 0 },
  ],
  companies: [{ id: 'acme', name: { zh: '甲', en: 'Acme' }, buildingId: 'tower', headcount: 50, registeredModels: 1 }],
  suppliers: [{ id: 'pool-a', capacityPflops: 1000 }],
} as unknown as District;

let dir: string;
let history: HistoryStore;
let repo: SqliteHistoryRepository;
let state: LiveState;
let service: TelemetryService;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-ingest-'));
  history = HistoryStore.open(dir);
  repo = new SqliteHistoryRepository(history, null);
  state = new LiveState(district, 120);
  service = new TelemetryService({ state, history: repo, options: { ingestToken: TOKEN, now: () => NOW } });
});
afterEach(() => {
  history.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const iso = (ms: number) => new Date(ms).toISOString();
const occupancy = (buildingId: string, value: number, tsMs = NOW): Reading => ({ kind: 'building', buildingId, ts: iso(tsMs), occupancy: value });
const readingsStored = () => (history.db.prepare('SELECT count(*) AS n FROM reading').get() as { n: number }).n;
const accepted = async (readings: Reading[]) => {
  const outcome = await service.ingest({ readings });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.issues));
  return outcome.accepted;
};

describe('ingest service', () => {
  it('should refuse tokens in constant time, and say how to turn ingest on when it is off', async () => {
    expect(service.authProblem(TOKEN)).toBeNull();
    expect(service.authProblem('wrong')).toMatchObject({ status: 401 });
    expect(service.authProblem(undefined)).toMatchObject({ status: 401 });
    const off = new TelemetryService({ state, history: repo, options: { ingestToken: null, now: () => NOW } });
    expect(off.authProblem(TOKEN)).toEqual({ status: 503, error: INGEST_OFF_MESSAGE });
    expect(INGEST_OFF_MESSAGE).toContain('INGEST_TOKEN');
  });

  it('should write nothing when one reading of a batch is bad', async () => {
    const outcome = await service.ingest({ readings: [occupancy('tower', 0.4), occupancy('nowhere', 0.4), occupancy('lab', 1.5)] });
    expect(outcome).toEqual({
      ok: false,
      issues: expect.arrayContaining([
        { path: 'readings.1.buildingId', message: 'unknown building "nowhere"' },
        { path: 'readings.2.occupancy', message: expect.stringContaining('between 0 and 1') },
      ]),
    });
    expect(readingsStored()).toBe(0);
    expect(state.metrics.occupancy.source[0]).toBe(0);
  });

  it('should refuse occupancy for a building that has no people capacity', async () => {
    const outcome = await service.ingest({ readings: [{ kind: 'building', buildingId: 'museum', ts: iso(NOW), peopleCount: 10 }] });
    expect(outcome).toEqual({ ok: false, issues: [{ path: 'readings.0.peopleCount', message: expect.stringContaining('no people capacity') }] });
  });

  it('should turn a people count into a share of capacity, capped at 1', async () => {
    await accepted([
      { kind: 'building', buildingId: 'tower', ts: iso(NOW), peopleCount: 250 },
      { kind: 'building', buildingId: 'lab', ts: iso(NOW), peopleCount: 500 },
    ]);
    expect(state.metrics.occupancy.value[0]).toBeCloseTo(0.25);
    expect(state.metrics.occupancy.value[1]).toBe(1);
  });

  it('should store the same reading once and apply it once', async () => {
    expect(await accepted([occupancy('tower', 0.4)])).toEqual({ received: 1, stored: 1, applied: 1 });
    expect(await accepted([occupancy('tower', 0.4), occupancy('lab', 0.2)])).toEqual({ received: 2, stored: 1, applied: 1 });
    expect(readingsStored()).toBe(2);
    expect(history.series('tower', 'occupancy', NOW / MINUTE_MS, NOW / MINUTE_MS)).toEqual([{ minute: NOW / MINUTE_MS, value: 0.4, source: 2 }]);
  });

  it('should keep two readings at the same ts that carry different metrics (issue 8: readings lost)', async () => {
    const ts = iso(NOW);
    expect(await accepted([occupancy('tower', 0.4)])).toEqual({ received: 1, stored: 1, applied: 1 });
    expect(await accepted([{ kind: 'building', buildingId: 'tower', ts, computeLoad: 0.6 }])).toEqual({ received: 1, stored: 1, applied: 1 });
    expect(state.metrics.occupancy.value[0]).toBeCloseTo(0.4);
    expect(state.metrics.computeLoad.value[0]).toBeCloseTo(0.6);
    expect(state.metrics.computeLoad.source[0]).toBe(SOURCE_INGEST);
    expect(history.series('tower', 'computeLoad', NOW / MINUTE_MS, NOW / MINUTE_MS)).toEqual([{ minute: NOW / MINUTE_MS, value: 0.6, source: 2 }]);
    // A company's headcount and registered models sent apart, at one ts.
    expect(await accepted([{ kind: 'company', companyId: 'acme', ts, headcount: 70 }, { kind: 'company', companyId: 'acme', ts, registeredModels: 4 }])).toEqual({ received: 2, stored: 2, applied: 1 });
    expect(state.companies.get('acme')).toMatchObject({ headcount: 70, registeredModels: 4, source: 'ingest' });
    expect(history.current().companies[0]).toMatchObject({ headcount: 70, registered_models: 4 });
  });

  it('should refuse a batch in which two readings disagree about one thing, naming both', async () => {
    const ts = iso(NOW);
    const batch: Reading[] = [occupancy('lab', 0.1), occupancy('tower', 0.4), occupancy('lab', 0.1), { kind: 'building', buildingId: 'tower', ts, computeLoad: 0.2 }, occupancy('tower', 0.5)];
    const outcome = await service.ingest({ readings: batch });
    expect(outcome).toEqual({ ok: false, issues: [{ path: 'readings.4.occupancy', message: expect.stringMatching(/readings\.1 and readings\.4 disagree about occupancy.*0\.4 vs 0\.5/) }] });
    expect(readingsStored()).toBe(0);
    const mixed = await service.ingest({ readings: [occupancy('tower', 0.4), { kind: 'building', buildingId: 'tower', ts, peopleCount: 400 }] });
    expect(mixed).toMatchObject({ ok: false, issues: [{ path: 'readings.1.peopleCount', message: expect.stringContaining('readings.0 and readings.1') }] });
  });

  it('should refuse with 409 a reading that contradicts one stored by an earlier batch, writing nothing of that batch', async () => {
    await accepted([occupancy('tower', 0.4)]);
    const outcome = await service.ingest({ readings: [occupancy('lab', 0.3), occupancy('tower', 0.9)] });
    expect(outcome).toEqual({ ok: false, status: 409, issues: [{ path: 'readings.1.occupancy', message: expect.stringContaining('already stored with occupancy 0.4') }] });
    expect(readingsStored()).toBe(1);
    expect(state.metrics.occupancy.value[0]).toBeCloseTo(0.4);
    expect(state.metrics.occupancy.source[1]).toBe(0);
    // The same again is a duplicate, not a conflict.
    expect(await accepted([occupancy('tower', 0.4), occupancy('lab', 0.3)])).toEqual({ received: 2, stored: 1, applied: 1 });
  });

  it('should keep the newer value current when an older reading arrives later', async () => {
    await accepted([occupancy('tower', 0.8, NOW)]);
    expect(await accepted([occupancy('tower', 0.1, NOW - 60_000)])).toEqual({ received: 1, stored: 1, applied: 0 });
    expect(state.metrics.occupancy.value[0]).toBeCloseTo(0.8);
    expect(history.current().buildings).toEqual([{ building_id: 'tower', metric: 0, value: expect.closeTo(0.8), ts_ms: NOW }]);
  });

  it('should count as applied only the readings that are current after the batch, whatever their order', async () => {
    const older = occupancy('tower', 0.1, NOW - 1_000);
    const newer = occupancy('tower', 0.9, NOW);
    expect((await await accepted([newer, older])).applied).toBe(1);
    expect(state.metrics.occupancy.value[0]).toBeCloseTo(0.9);
  });

  it('should apply pools and companies with source ingest, a company update merging into the record', async () => {
    const events: string[] = [];
    service = new TelemetryService({ state, history: repo, options: { ingestToken: TOKEN, now: () => NOW }, onCompanies: (_c, e) => events.push(...e.map((x) => x.kind)) });
    await accepted([
      { kind: 'supplier', supplierId: 'pool-a', ts: iso(NOW), capacityPflops: 1000, allocatedPflops: 800, usedPflops: 650 },
      { kind: 'company', companyId: 'acme', ts: iso(NOW), headcount: 120 },
    ]);
    expect(state.pools.get('pool-a')).toEqual({ supplierId: 'pool-a', capacityPflops: 1000, allocatedPflops: 800, usedPflops: 650, tsMs: NOW, source: 'ingest' });
    expect(state.companies.get('acme')).toEqual({ companyId: 'acme', buildingId: 'tower', headcount: 120, registeredModels: 1, tsMs: NOW, source: 'ingest' });
    await accepted([{ kind: 'company', companyId: 'acme', ts: iso(NOW + 1), buildingId: null }]);
    expect(state.companies.get('acme')).toMatchObject({ buildingId: null, headcount: 120 });
    expect(events).toEqual(['moved-out']);
  });

  it('should restore the newest ingested values into a fresh live state', async () => {
    await accepted([
      occupancy('lab', 0.3),
      { kind: 'building', buildingId: 'tower', ts: iso(NOW), computeLoad: 0.7 },
      { kind: 'supplier', supplierId: 'pool-a', ts: iso(NOW), capacityPflops: 1000, allocatedPflops: 800, usedPflops: 650 },
      { kind: 'company', companyId: 'acme', ts: iso(NOW), registeredModels: 4 },
    ]);
    const fresh = new LiveState(district, 120);
    await restoreIngested(repo, fresh);
    expect(fresh.metrics.occupancy.value[1]).toBeCloseTo(0.3);
    expect(fresh.metrics.occupancy.source[1]).toBe(SOURCE_INGEST);
    expect(fresh.metrics.computeLoad.value[0]).toBeCloseTo(0.7);
    expect(fresh.metrics.occupancy.source[0]).toBe(0);
    expect(fresh.pools.get('pool-a')?.source).toBe('ingest');
    expect(fresh.companies.get('acme')).toMatchObject({ registeredModels: 4, headcount: 50, source: 'ingest' });
  });
});
