/**
 * The history repository contract, run against every backend: SQLite (always) and PostgreSQL (when TEST_POSTGRES_URL
 * is set, e.g. `export TEST_POSTGRES_URL="$(scripts/ci-postgres.sh)"`; each test gets a schema of its own). Same
 * calls, same answers: one transaction per write (all or nothing), readings idempotent field by field with conflicts
 * reported, real readings over sampled minutes, newest current values, downsampled reads, percentile, pruning.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reading } from '../../models/telemetry.ts';
import { PG_SCHEMA_VERSION, PostgresHistoryRepository } from '../../server/src/history/history.postgres.ts';
import { HistoryReader } from '../../server/src/history/history.reader.ts';
import { SqliteHistoryRepository, type HistoryRepository } from '../../server/src/history/history.repository.ts';
import { HistoryStore, MINUTE_MS, STORED_INGEST, STORED_SIMULATED, type MinuteValue } from '../../server/src/history/history.store.ts';

const T0 = Date.parse('2026-11-28T02:00:00Z');
const M0 = T0 / MINUTE_MS;
const iso = (ms: number) => new Date(ms).toISOString();
const ts = iso(T0);
const PG_URL = process.env.TEST_POSTGRES_URL;

interface Backend {
  repo: HistoryRepository;
  cleanup(): Promise<void>;
}

async function openSqlite(): Promise<Backend> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-repo-'));
  const store = HistoryStore.open(dir);
  const repo = new SqliteHistoryRepository(store, new HistoryReader(store.file, { threads: 1, maxQueued: 8 }));
  return {
    repo,
    async cleanup() {
      await repo.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

let schemaSeq = 0;
async function openPostgres(): Promise<Backend> {
  const schema = `wbt_contract_${process.pid}_${Date.now()}_${schemaSeq++}`;
  const repo = await PostgresHistoryRepository.open({ url: PG_URL!, schema, max: 4 });
  return {
    repo,
    async cleanup() {
      await repo.close();
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

const backends: Array<{ name: string; open: () => Promise<Backend>; skip: boolean }> = [
  { name: 'SqliteHistoryRepository', open: openSqlite, skip: false },
  {
    name: PG_URL ? 'PostgresHistoryRepository' : 'PostgresHistoryRepository (SKIPPED: TEST_POSTGRES_URL is not set; export TEST_POSTGRES_URL="$(scripts/ci-postgres.sh)" to run it)',
    open: openPostgres,
    skip: !PG_URL,
  },
];

const building = (buildingId: string, at: number, fields: { occupancy?: number; computeLoad?: number; peopleCount?: number }): Reading => ({ kind: 'building', buildingId, ts: iso(at), ...fields });

describe.each(backends)('$name', ({ open, skip }) => {
  if (skip) {
    it.skip('needs TEST_POSTGRES_URL (a throwaway cluster: scripts/ci-postgres.sh)', () => undefined);
    return;
  }
  let b: Backend;
  let repo: HistoryRepository;
  beforeEach(async () => {
    b = await open();
    repo = b.repo;
  });
  afterEach(async () => {
    await b.cleanup();
  });

  it('should commit a write transaction across awaits, and read it back downsampled', async () => {
    const outcome = await repo.write(async (tx) => {
      const [o] = await tx.insertReadings([{ reading: building('b1', T0, { occupancy: 0.4 }), tsMs: T0 }], T0);
      await tx.addBuildingReadings([{ buildingId: 'b1', metric: 'occupancy', minute: M0, mean: 0.4, count: 1 }]);
      await tx.saveCurrent({ buildings: [{ buildingId: 'b1', metric: 'occupancy', value: 0.4, tsMs: T0 }] });
      return o!.status;
    });
    expect(outcome).toBe('new');
    await repo.writeSampledMinute(M0 + 1, [{ buildingId: 'b1', metric: 'occupancy', value: 0.8, source: STORED_SIMULATED }], []);
    expect(await repo.series(['b1'], 'occupancy', { from: M0, to: M0 + 1, bucket: 2 })).toEqual([[{ b: 0, value: expect.closeTo(0.6, 9), source: STORED_INGEST }]]);
    expect(await repo.series(['b1', 'nowhere'], 'occupancy', { from: M0, to: M0 + 1, bucket: 1 })).toEqual([
      [
        { b: 0, value: 0.4, source: STORED_INGEST },
        { b: 1, value: 0.8, source: STORED_SIMULATED },
      ],
      [],
    ]);
    expect((await repo.current()).buildings).toEqual([{ building_id: 'b1', metric: 0, value: 0.4, ts_ms: T0 }]);
    expect(await repo.occupancyPercentile(M0, M0 + 1, 90)).toEqual([{ key: 'b1', p: 0.8, minutes: 2, ingestMinutes: 1 }]);
  });

  it('should write nothing when the body of a write throws, and serialise concurrent writes', async () => {
    const failing = repo.write(async (tx) => {
      await tx.insertReadings([{ reading: building('b2', T0, { occupancy: 0.1 }), tsMs: T0 }], T0);
      await tx.addBuildingReadings([{ buildingId: 'b2', metric: 'occupancy', minute: M0, mean: 0.1, count: 1 }]);
      await tx.saveCurrent({ buildings: [{ buildingId: 'b2', metric: 'occupancy', value: 0.1, tsMs: T0 }] });
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('refused');
    });
    const next = repo.write(async (tx) => (await tx.insertReadings([{ reading: building('b3', T0, { occupancy: 0.2 }), tsMs: T0 }], T0))[0]!.status);
    await expect(failing).rejects.toThrow('refused');
    expect(await next).toBe('new');
    expect((await repo.current()).buildings).toEqual([]);
    expect((await repo.districtMinute(M0)).buildings).toEqual([]);
    // Nothing of b2 was kept (not its reading, not its entity id): the same reading is new again, and its minute is b2's.
    expect(await repo.write(async (tx) => (await tx.insertReadings([{ reading: building('b2', T0, { occupancy: 0.1 }), tsMs: T0 }], T0))[0]!.status)).toBe('new');
    await repo.writeSampledMinute(M0, [{ buildingId: 'b2', metric: 'occupancy', value: 0.5, source: STORED_SIMULATED }], []);
    expect((await repo.districtMinute(M0)).buildings).toEqual([{ buildingId: 'b2', metric: 0, value: 0.5, source: STORED_SIMULATED }]);
  });

  it('should store readings field by field: repeats are duplicates, other values conflicts, within a call as across batches', async () => {
    const t1 = T0 + 1000;
    const first = await repo.write((tx) =>
      tx.insertReadings(
        [
          { reading: building('b1', T0, { occupancy: 0.5 }), tsMs: T0 },
          { reading: building('b1', T0, { occupancy: 0.5 }), tsMs: T0 }, // the same reading twice in one batch
          { reading: { kind: 'company', companyId: 'c1', ts: iso(T0), buildingId: 'b9', headcount: 12 }, tsMs: T0 },
          { reading: { kind: 'company', companyId: 'c2', ts: iso(T0), buildingId: null }, tsMs: T0 },
          { reading: { kind: 'supplier', supplierId: 's1', ts: iso(T0), capacityPflops: 10, allocatedPflops: 6, usedPflops: 4 }, tsMs: T0 },
        ],
        T0 + 50,
      ),
    );
    expect(first.map((o) => o.status)).toEqual(['new', 'duplicate', 'new', 'new', 'new']);
    expect(first[2]).toEqual({ status: 'new', fresh: { kind: 'company', companyId: 'c1', ts: iso(T0), buildingId: 'b9', headcount: 12 } });

    const second = await repo.write((tx) =>
      tx.insertReadings(
        [
          // Same occupancy, a new field: new, with only the new field.
          { reading: building('b1', T0, { occupancy: 0.5, computeLoad: 0.7 }), tsMs: T0 },
          { reading: { kind: 'company', companyId: 'c2', ts: iso(T0), buildingId: null }, tsMs: T0 },
          { reading: building('b1', t1, { occupancy: 0.25 }), tsMs: t1 },
        ],
        t1,
      ),
    );
    expect(second).toEqual([
      { status: 'new', fresh: { kind: 'building', buildingId: 'b1', ts: iso(T0), computeLoad: 0.7 } },
      { status: 'duplicate' },
      { status: 'new', fresh: { kind: 'building', buildingId: 'b1', ts: iso(t1), occupancy: 0.25 } },
    ]);

    // Conflicts name the field, what is stored (a company's building by its id) and what was sent; a refused batch
    // is rolled back by its caller, so its new readings are not kept either.
    const refused = repo.write(async (tx) => {
      const outcomes = await tx.insertReadings(
        [
          { reading: building('b4', T0, { occupancy: 0.1 }), tsMs: T0 },
          { reading: { kind: 'company', companyId: 'c1', ts: iso(T0), buildingId: 'b8' }, tsMs: T0 },
          { reading: building('b1', T0, { occupancy: 0.5, computeLoad: 0.9 }), tsMs: T0 },
          { reading: building('b5', t1, { occupancy: 0.3 }), tsMs: t1 },
          { reading: building('b5', t1, { occupancy: 0.35 }), tsMs: t1 }, // contradicts a row of the same call
        ],
        t1,
      );
      expect(outcomes).toEqual([
        { status: 'new', fresh: { kind: 'building', buildingId: 'b4', ts: iso(T0), occupancy: 0.1 } },
        { status: 'conflict', field: 'buildingId', stored: 'b9', sent: 'b8' },
        { status: 'conflict', field: 'computeLoad', stored: 0.7, sent: 0.9 },
        { status: 'new', fresh: { kind: 'building', buildingId: 'b5', ts: iso(t1), occupancy: 0.3 } },
        { status: 'conflict', field: 'occupancy', stored: 0.3, sent: 0.35 },
      ]);
      throw new Error('409');
    });
    await expect(refused).rejects.toThrow('409');
    const again = await repo.write((tx) => tx.insertReadings([{ reading: building('b4', T0, { occupancy: 0.1 }), tsMs: T0 }], t1));
    expect(again.map((o) => o.status)).toEqual(['new']);
  });

  it('should store a 10,000-reading batch in one call and see every reading as a duplicate the second time', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ reading: building(`b${i % 500}`, T0 + Math.floor(i / 500) * 1000, { occupancy: (i % 100) / 100 }), tsMs: T0 + Math.floor(i / 500) * 1000 }));
    const first = await repo.write((tx) => tx.insertReadings(rows, T0 + 60_000));
    expect(first.filter((o) => o.status === 'new')).toHaveLength(10_000);
    const second = await repo.write((tx) => tx.insertReadings(rows, T0 + 60_000));
    expect(second.filter((o) => o.status === 'duplicate')).toHaveLength(10_000);
  });

  it('should average real readings into their minute over a sampled value, and keep them over a later sample', async () => {
    await repo.writeSampledMinute(M0, [{ buildingId: 'b1', metric: 'occupancy', value: 0.9, source: STORED_SIMULATED }], []);
    await repo.write((tx) => tx.addBuildingReadings([{ buildingId: 'b1', metric: 'occupancy', minute: M0, mean: 0.2, count: 2 }]));
    await repo.write((tx) =>
      tx.addBuildingReadings([
        { buildingId: 'b1', metric: 'occupancy', minute: M0, mean: 0.5, count: 1 },
        { buildingId: 'b1', metric: 'computeLoad', minute: M0, mean: 0.6, count: 3 },
      ]),
    );
    await repo.writeSampledMinute(M0, [{ buildingId: 'b1', metric: 'occupancy', value: 0.1, source: STORED_SIMULATED }], []);
    const rows = (await repo.districtMinute(M0)).buildings.sort((a, b) => a.metric - b.metric);
    expect(rows).toEqual([
      { buildingId: 'b1', metric: 0, value: expect.closeTo(0.3, 9), source: STORED_INGEST },
      { buildingId: 'b1', metric: 1, value: 0.6, source: STORED_INGEST },
    ]);
  });

  it('should keep the newest current values: an older one never replaces a newer, equal times take the later', async () => {
    await repo.write((tx) =>
      tx.saveCurrent({
        buildings: [
          { buildingId: 'b1', metric: 'occupancy', value: 0.5, tsMs: T0 + 10 },
          { buildingId: 'b1', metric: 'occupancy', value: 0.4, tsMs: T0 }, // older, same call
        ],
        pools: [{ supplierId: 's1', capacityPflops: 10, allocatedPflops: 5, usedPflops: 2, tsMs: T0 }],
        companies: [{ companyId: 'c1', buildingId: 'b1', headcount: 3, registeredModels: 1, tsMs: T0 }],
      }),
    );
    await repo.write((tx) =>
      tx.saveCurrent({
        buildings: [
          { buildingId: 'b1', metric: 'occupancy', value: 0.1, tsMs: T0 + 5 },
          { buildingId: 'b1', metric: 'computeLoad', value: 0.7, tsMs: T0 },
        ],
        pools: [{ supplierId: 's1', capacityPflops: 10, allocatedPflops: 6, usedPflops: 3, tsMs: T0 }],
        companies: [{ companyId: 'c1', buildingId: null, headcount: 0, registeredModels: 1, tsMs: T0 - 1 }],
      }),
    );
    const current = await repo.current();
    expect(current.buildings.sort((a, b) => a.metric - b.metric)).toEqual([
      { building_id: 'b1', metric: 0, value: 0.5, ts_ms: T0 + 10 },
      { building_id: 'b1', metric: 1, value: 0.7, ts_ms: T0 },
    ]);
    expect(current.pools).toEqual([{ supplier_id: 's1', capacity_pflops: 10, allocated_pflops: 6, used_pflops: 3, ts_ms: T0 }]);
    expect(current.companies).toEqual([{ company_id: 'c1', building_id: 'b1', headcount: 3, registered_models: 1, ts_ms: T0 }]);
  });

  it('should answer the weighted cluster series, the pool series and the district minute', async () => {
    for (let k = 0; k < 4; k++) {
      await repo.writeSampledMinute(
        M0 + k,
        [
          { buildingId: 'b1', metric: 'computeLoad', value: 0.2 + k * 0.1, source: STORED_SIMULATED },
          { buildingId: 'b2', metric: 'computeLoad', value: 0.6, source: k === 3 ? STORED_INGEST : STORED_SIMULATED },
        ],
        [{ supplierId: 's1', capacityPflops: 100, allocatedPflops: 40 + k * 10, usedPflops: 20, source: STORED_SIMULATED }],
      );
    }
    // b1 weighs 3, b2 weighs 1; a building without history adds nothing.
    expect(await repo.weightedSeries({ b1: 3, b2: 1, b9: 5 }, 'computeLoad', { from: M0, to: M0 + 3, bucket: 2 })).toEqual([
      { b: 0, value: expect.closeTo((3 * 0.2 + 0.6 + 3 * 0.3 + 0.6) / 8, 9), source: STORED_SIMULATED },
      { b: 1, value: expect.closeTo((3 * 0.4 + 0.6 + 3 * 0.5 + 0.6) / 8, 9), source: STORED_INGEST },
    ]);
    expect(await repo.poolSeries('s1', { from: M0 + 1, to: M0 + 3, bucket: 2 })).toEqual([
      { b: 0, capacityPflops: 100, allocatedPflops: 55, usedPflops: 20, source: STORED_SIMULATED },
      { b: 1, capacityPflops: 100, allocatedPflops: 70, usedPflops: 20, source: STORED_SIMULATED },
    ]);
    expect(await repo.poolSeries('nowhere', { from: M0, to: M0 + 3, bucket: 1 })).toEqual([]);
    const minute = await repo.districtMinute(M0 + 3);
    expect(minute.buildings.sort((a, b) => a.buildingId.localeCompare(b.buildingId))).toEqual([
      { buildingId: 'b1', metric: 1, value: expect.closeTo(0.5, 9), source: STORED_SIMULATED },
      { buildingId: 'b2', metric: 1, value: 0.6, source: STORED_INGEST },
    ]);
    expect(minute.pools).toEqual([{ supplierId: 's1', capacityPflops: 100, allocatedPflops: 70, usedPflops: 20, source: STORED_SIMULATED }]);
    expect(await repo.districtMinute(M0 + 9)).toEqual({ buildings: [], pools: [] });
  });

  it('should give the nearest-rank percentile of occupancy per building, to 0.001, with its ingest minutes', async () => {
    // b1: 0.1 … 1.0 over ten minutes → the 90th percentile is the 9th smallest, 0.9; b2: 0.12345 and 0.5.
    for (let k = 0; k < 10; k++) {
      const rows: MinuteValue[] = [{ buildingId: 'b1', metric: 'occupancy', value: (k + 1) / 10, source: k < 3 ? STORED_INGEST : STORED_SIMULATED }];
      if (k < 2) rows.push({ buildingId: 'b2', metric: 'occupancy', value: k === 0 ? 0.5 : 0.12345, source: STORED_SIMULATED });
      await repo.writeSampledMinute(M0 + k, rows, []);
    }
    const rows = (await repo.occupancyPercentile(M0, M0 + 9, 90)).sort((a, b) => a.key.localeCompare(b.key));
    expect(rows).toEqual([
      { key: 'b1', p: 0.9, minutes: 10, ingestMinutes: 3 },
      { key: 'b2', p: 0.5, minutes: 2, ingestMinutes: 0 },
    ]);
    expect(await repo.occupancyPercentile(M0, M0 + 9, 50)).toContainEqual({ key: 'b2', p: 0.123, minutes: 2, ingestMinutes: 0 });
    expect(await repo.occupancyPercentile(M0 + 5, M0 + 6, 90)).toEqual([{ key: 'b1', p: 0.7, minutes: 2, ingestMinutes: 0 }]);
  });

  it('should prune history older than the cutoff in batches, keeping newer rows and the current values', async () => {
    const old = T0 - 10 * MINUTE_MS;
    await repo.write(async (tx) => {
      await tx.insertReadings(
        Array.from({ length: 5 }, (_, k) => ({ reading: building('b1', old + k * 1000, { occupancy: 0.1 }), tsMs: old + k * 1000 })),
        old + 5000,
      );
      await tx.insertReadings([{ reading: building('b1', T0, { occupancy: 0.2 }), tsMs: T0 }], T0);
      await tx.saveCurrent({ buildings: [{ buildingId: 'b1', metric: 'occupancy', value: 0.1, tsMs: old }] });
    });
    for (let k = 0; k < 3; k++) {
      await repo.writeSampledMinute(M0 - 10 + k, [{ buildingId: 'b1', metric: 'occupancy', value: 0.1, source: STORED_SIMULATED }], [{ supplierId: 's1', capacityPflops: 1, allocatedPflops: 1, usedPflops: 1, source: STORED_SIMULATED }]);
    }
    await repo.writeSampledMinute(M0, [{ buildingId: 'b1', metric: 'occupancy', value: 0.2, source: STORED_SIMULATED }], []);
    const removed: number[] = [];
    for (let n = -1; n !== 0; ) removed.push((n = await repo.pruneBatch(T0 - MINUTE_MS, 2)));
    // 5 readings + 3 building minutes + 3 pool minutes, two per table per batch.
    expect(removed).toEqual([6, 4, 1, 0]);
    expect(await repo.series(['b1'], 'occupancy', { from: M0 - 20, to: M0 + 1, bucket: 1 })).toEqual([[{ b: 20, value: 0.2, source: STORED_SIMULATED }]]);
    expect(await repo.poolSeries('s1', { from: M0 - 20, to: M0, bucket: 1 })).toEqual([]);
    expect((await repo.current()).buildings).toHaveLength(1);
    // The old readings are gone, the new one is not.
    const outcomes = await repo.write((tx) => tx.insertReadings([{ reading: building('b1', old, { occupancy: 0.3 }), tsMs: old }, { reading: building('b1', T0, { occupancy: 0.2 }), tsMs: T0 }], T0));
    expect(outcomes.map((o) => o.status)).toEqual(['new', 'duplicate']);
  });
});

describe.skipIf(!PG_URL)('PostgresHistoryRepository schema', () => {
  it('should let two gateways store the same reading at once: one stores it, the other sees it stored (no lost conflict)', async () => {
    const schema = `wbt_gateways_${process.pid}_${Date.now()}`;
    const [a, b] = await Promise.all([PostgresHistoryRepository.open({ url: PG_URL!, schema }), PostgresHistoryRepository.open({ url: PG_URL!, schema })]);
    try {
      // b1 is known to both already (its entity row exists), so nothing but the reading itself is contended.
      await a.write((tx) => tx.insertReadings([{ reading: building('b1', T0 - 1000, { occupancy: 0.1 }), tsMs: T0 - 1000 }], T0));
      await b.write((tx) => tx.insertReadings([{ reading: building('b1', T0 - 2000, { occupancy: 0.1 }), tsMs: T0 - 2000 }], T0));
      const send = (repo: PostgresHistoryRepository, occupancy: number) =>
        repo.write(async (tx) => {
          const outcomes = await tx.insertReadings([{ reading: building('b1', T0, { occupancy }), tsMs: T0 }], T0);
          await new Promise((r) => setTimeout(r, 30)); // hold the transaction open while the other one tries
          return outcomes[0]!;
        });
      const outcomes = await Promise.all([send(a, 0.4), send(b, 0.6)]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['conflict', 'new']);
      const conflict = outcomes.find((o) => o.status === 'conflict')!;
      const winner = outcomes.indexOf(outcomes.find((o) => o.status === 'new')!) === 0 ? 0.4 : 0.6;
      expect(conflict).toMatchObject({ field: 'occupancy', stored: winner });
    } finally {
      await Promise.all([a.close(), b.close()]);
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });

  it('should migrate once, open an up-to-date schema again, and refuse a schema newer than the server', async () => {
    const schema = `wbt_schema_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      const [a, b] = await Promise.all([PostgresHistoryRepository.open({ url: PG_URL!, schema }), PostgresHistoryRepository.open({ url: PG_URL!, schema })]);
      await Promise.all([a.close(), b.close()]);
      expect((await admin.query(`SELECT version FROM "${schema}".history_schema`)).rows).toEqual([{ version: PG_SCHEMA_VERSION }]);
      await admin.query(`UPDATE "${schema}".history_schema SET version = ${PG_SCHEMA_VERSION + 1}`);
      await expect(PostgresHistoryRepository.open({ url: PG_URL!, schema })).rejects.toThrow(`schema version ${PG_SCHEMA_VERSION + 1}, newer than this server`);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
});
