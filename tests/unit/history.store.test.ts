import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryStore, MINUTE_MS, STORED_INGEST, STORED_SIMULATED } from '../../server/src/history/history.store.ts';
import { MIGRATIONS, SCHEMA_VERSION, SchemaError } from '../../server/src/history/history.migrations.ts';

const T0 = Date.parse('2026-11-28T02:00:00Z');
const M0 = T0 / MINUTE_MS;

let dir: string;
let store: HistoryStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-history-'));
  store = HistoryStore.open(dir);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const reading = (buildingId: string, tsMs: number) => ({ kind: 'building' as const, buildingId, ts: new Date(tsMs).toISOString(), occupancy: 0.5 });

describe('history store', () => {
  it('should open in WAL mode with synchronous FULL at the latest schema version', () => {
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('should reopen an existing database without migrating it again', () => {
    store.insertReading(reading('b1', T0), T0, T0);
    store.close();
    store = HistoryStore.open(dir);
    expect(store.insertReading(reading('b1', T0), T0, T0).status).toBe('duplicate');
  });

  it('should upgrade a database from an older schema version, keeping its rows', () => {
    store.close();
    fs.rmSync(path.join(dir, 'history.sqlite'));
    const old = new Database(path.join(dir, 'history.sqlite'));
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old.prepare('INSERT INTO building_minute VALUES (?, ?, 0, 0.5, 0, 1)').run(M0, 'b1');
    old.close();
    store = HistoryStore.open(dir);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(store.series('b1', 'occupancy', M0, M0)).toEqual([{ minute: M0, value: 0.5, source: STORED_SIMULATED }]);
    const plan = store.db.prepare('EXPLAIN QUERY PLAN SELECT minute, value, source FROM building_minute WHERE building = ? AND metric = 0 AND minute BETWEEN ? AND ?').all(1, 0, 1);
    expect(JSON.stringify(plan)).toMatch(/COVERING INDEX building_minute_series/);
  });

  it('should refuse a database written by a newer schema', () => {
    store.close();
    const db = new Database(path.join(dir, 'history.sqlite'));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => HistoryStore.open(dir)).toThrow(SchemaError);
  });

  it('should store the same reading (entity, field, ts, value) once', () => {
    expect(store.insertReading(reading('b1', T0), T0, T0).status).toBe('new');
    expect(store.insertReading(reading('b1', T0), T0, T0 + 5).status).toBe('duplicate');
    expect(store.insertReading(reading('b1', T0 + 1), T0 + 1, T0).status).toBe('new');
    expect(store.insertReading(reading('b2', T0), T0, T0).status).toBe('new');
  });

  it('should keep a second reading at the same ts that carries another field (issue 8: readings lost)', () => {
    const compute = { kind: 'building' as const, buildingId: 'b1', ts: new Date(T0).toISOString(), computeLoad: 0.7 };
    expect(store.insertReading(reading('b1', T0), T0, T0).status).toBe('new');
    expect(store.insertReading(compute, T0, T0)).toEqual({ status: 'new', fresh: compute });
    const ts = new Date(T0).toISOString();
    expect(store.insertReading({ kind: 'company', companyId: 'c1', ts, headcount: 40 }, T0, T0).status).toBe('new');
    expect(store.insertReading({ kind: 'company', companyId: 'c1', ts, registeredModels: 3 }, T0, T0).status).toBe('new');
    // Partly repeated: only the new field is fresh.
    expect(store.insertReading({ kind: 'company', companyId: 'c1', ts, headcount: 40, buildingId: null }, T0, T0)).toEqual({ status: 'new', fresh: { kind: 'company', companyId: 'c1', ts, buildingId: null } });
    expect(store.db.prepare('SELECT count(*) AS n FROM reading').get()).toEqual({ n: 5 });
  });

  it('should report a reading that contradicts a stored one, naming the stored value, and write nothing of it', () => {
    const ts = new Date(T0).toISOString();
    store.insertReading({ kind: 'company', companyId: 'c1', ts, buildingId: 'b7' }, T0, T0);
    expect(store.insertReading({ kind: 'company', companyId: 'c1', ts, headcount: 9, buildingId: 'b8' }, T0, T0)).toEqual({ status: 'conflict', field: 'buildingId', stored: 'b7', sent: 'b8' });
    expect(store.insertReading({ ...reading('b1', T0) }, T0, T0).status).toBe('new');
    expect(store.insertReading({ ...reading('b1', T0), occupancy: 0.6 }, T0, T0)).toEqual({ status: 'conflict', field: 'occupancy', stored: 0.5, sent: 0.6 });
    expect(store.db.prepare('SELECT count(*) AS n FROM reading').get()).toEqual({ n: 2 });
  });

  it('should store a raw reading in under 40 bytes, text ids and all (issue 8: storage that fits a year)', () => {
    const ids = Array.from({ length: 395 }, (_, i) => `building-${String(i).padStart(3, '0')}`);
    const n = 20_000;
    store.transaction(() => {
      for (let i = 0; i < n; i++) {
        const ts = T0 + i * 20; // 50 readings a second
        store.insertReading({ kind: 'building', buildingId: ids[(i * 7919) % ids.length]!, ts: new Date(ts).toISOString(), occupancy: ((i * 37) % 1000) / 1000 }, ts, ts + ((i * 131) % 1000));
      }
    });
    const tables = ['reading', 'entity', ...(store.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('reading', 'entity')").pluck().all() as string[])];
    const { bytes } = store.db.prepare(`SELECT sum(pgsize) AS bytes FROM dbstat WHERE name IN (${tables.map(() => '?').join(',')})`).get(...tables) as { bytes: number };
    expect(bytes / n).toBeLessThan(40);
  });

  it('should migrate a version-2 database: readings split per field, ids through the lookup table', () => {
    store.close();
    fs.rmSync(path.join(dir, 'history.sqlite'));
    const old = new Database(path.join(dir, 'history.sqlite'));
    old.exec(MIGRATIONS[0]!);
    old.exec(MIGRATIONS[1]!);
    old.pragma('user_version = 2');
    const ts = new Date(T0).toISOString();
    const add = old.prepare('INSERT INTO reading (kind, entity_id, ts_ms, received_ms, body) VALUES (?, ?, ?, ?, ?)');
    add.run('building', 'b1', T0, T0 + 20, JSON.stringify({ kind: 'building', buildingId: 'b1', ts, occupancy: 0.25, computeLoad: 0.5 }));
    add.run('company', 'c1', T0, T0, JSON.stringify({ kind: 'company', companyId: 'c1', ts, headcount: 12, buildingId: 'b1' }));
    add.run('company', 'c2', T0, T0, JSON.stringify({ kind: 'company', companyId: 'c2', ts, buildingId: null }));
    old.prepare('INSERT INTO building_minute VALUES (?, ?, 1, 0.5, 1, 2)').run(M0, 'b1');
    old.prepare('INSERT INTO pool_minute VALUES (?, ?, 10, 5, 2, 1)').run(M0, 's1');
    old.close();
    store = HistoryStore.open(dir);
    expect(store.db.prepare('SELECT count(*) AS n FROM reading').get()).toEqual({ n: 5 });
    expect(store.db.prepare('SELECT lag_ms FROM reading WHERE field = 0').get()).toEqual({ lag_ms: 20 });
    expect(store.insertReading({ kind: 'building', buildingId: 'b1', ts, occupancy: 0.25, computeLoad: 0.5 }, T0, T0).status).toBe('duplicate');
    expect(store.insertReading({ kind: 'company', companyId: 'c1', ts, buildingId: 'b1' }, T0, T0).status).toBe('duplicate');
    expect(store.insertReading({ kind: 'company', companyId: 'c2', ts, buildingId: null }, T0, T0).status).toBe('duplicate');
    expect(store.series('b1', 'computeLoad', M0, M0)).toEqual([{ minute: M0, value: 0.5, source: STORED_INGEST }]);
    expect(store.districtMinute(M0).pools).toEqual([{ supplierId: 's1', capacityPflops: 10, allocatedPflops: 5, usedPflops: 2, source: STORED_SIMULATED }]);
  });

  it('should average real readings into their minute, replacing a sampled minute but never the other way round', () => {
    store.writeSampledMinute(M0, [{ buildingId: 'b1', metric: 'occupancy', value: 0.9, source: STORED_SIMULATED }], []);
    store.addBuildingReadings('b1', 'occupancy', M0, 0.2, 1);
    store.addBuildingReadings('b1', 'occupancy', M0, 0.35, 2);
    store.writeSampledMinute(M0, [{ buildingId: 'b1', metric: 'occupancy', value: 0.7, source: STORED_SIMULATED }], []);
    const [point] = store.series('b1', 'occupancy', M0, M0);
    expect(point?.value).toBeCloseTo(0.3); // (0.2 + 2 × 0.35) / 3
    expect(point?.source).toBe(STORED_INGEST);
  });

  it('should return one building metric minute by minute within the range, in order', () => {
    for (let m = 0; m < 10; m++) {
      store.writeSampledMinute(M0 + m, [
        { buildingId: 'b1', metric: 'occupancy', value: m / 10, source: STORED_SIMULATED },
        { buildingId: 'b1', metric: 'computeLoad', value: 0.5, source: STORED_SIMULATED },
        { buildingId: 'b2', metric: 'occupancy', value: 1, source: STORED_SIMULATED },
      ], []);
    }
    const points = store.series('b1', 'occupancy', M0 + 2, M0 + 4);
    expect(points.map((p) => p.minute)).toEqual([M0 + 2, M0 + 3, M0 + 4]);
    expect(points.map((p) => p.value)).toEqual([0.2, 0.3, 0.4]);
  });

  it('should return every building and pool at one minute', () => {
    store.writeSampledMinute(M0, [
      { buildingId: 'b1', metric: 'occupancy', value: 0.1, source: STORED_SIMULATED },
      { buildingId: 'b2', metric: 'computeLoad', value: 0.2, source: STORED_INGEST },
    ], [{ supplierId: 's1', capacityPflops: 100, allocatedPflops: 80, usedPflops: 40, source: STORED_SIMULATED }]);
    store.writeSampledMinute(M0 + 1, [{ buildingId: 'b1', metric: 'occupancy', value: 0.9, source: STORED_SIMULATED }], []);
    const { buildings, pools } = store.districtMinute(M0);
    expect(buildings).toEqual([
      { buildingId: 'b1', metric: 'occupancy', value: 0.1, source: STORED_SIMULATED },
      { buildingId: 'b2', metric: 'computeLoad', value: 0.2, source: STORED_INGEST },
    ]);
    expect(pools).toEqual([{ supplierId: 's1', capacityPflops: 100, allocatedPflops: 80, usedPflops: 40, source: STORED_SIMULATED }]);
  });

  it('should never let an older current value replace a newer one', () => {
    store.saveCurrentBuilding('b1', 'occupancy', 0.8, T0 + 10);
    store.saveCurrentBuilding('b1', 'occupancy', 0.1, T0);
    store.saveCurrentPool({ supplierId: 's1', capacityPflops: 10, allocatedPflops: 5, usedPflops: 2, tsMs: T0 + 10 });
    store.saveCurrentPool({ supplierId: 's1', capacityPflops: 10, allocatedPflops: 1, usedPflops: 1, tsMs: T0 });
    store.saveCurrentCompany({ companyId: 'c1', buildingId: null, headcount: 3, registeredModels: 1, tsMs: T0 + 10 });
    store.saveCurrentCompany({ companyId: 'c1', buildingId: 'b1', headcount: 9, registeredModels: 0, tsMs: T0 });
    const current = store.current();
    expect(current.buildings).toEqual([{ building_id: 'b1', metric: 0, value: 0.8, ts_ms: T0 + 10 }]);
    expect(current.pools[0]?.allocated_pflops).toBe(5);
    expect(current.companies[0]).toMatchObject({ building_id: null, headcount: 3 });
  });

  it('should prune history older than the cutoff in batches and keep the current values', () => {
    for (let m = 0; m < 5; m++) {
      store.insertReading(reading('b1', T0 + m * MINUTE_MS), T0 + m * MINUTE_MS, T0);
      store.writeSampledMinute(M0 + m, [
        { buildingId: 'b1', metric: 'occupancy', value: 0.5, source: STORED_SIMULATED },
        { buildingId: 'b2', metric: 'occupancy', value: 0.5, source: STORED_SIMULATED },
      ], [{ supplierId: 's1', capacityPflops: 1, allocatedPflops: 1, usedPflops: 1, source: STORED_SIMULATED }]);
    }
    store.saveCurrentBuilding('b1', 'occupancy', 0.5, T0);
    const cutoff = T0 + 3 * MINUTE_MS;
    let batches = 0;
    while (store.pruneBatch(cutoff, 2) > 0) batches++;
    expect(batches).toBeGreaterThan(1);
    expect(store.series('b1', 'occupancy', M0, M0 + 10).map((p) => p.minute)).toEqual([M0 + 3, M0 + 4]);
    expect(store.districtMinute(M0 + 2)).toEqual({ buildings: [], pools: [] });
    expect(store.db.prepare('SELECT count(*) AS n FROM reading').get()).toEqual({ n: 2 });
    expect(store.current().buildings).toHaveLength(1);
  });
});
