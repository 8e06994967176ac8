/**
 * History in SQLite: raw ingest readings (the idempotency key), per-minute aggregates of every building metric and
 * pool, and the newest ingested values for restoring the live state after a restart. All calls are synchronous
 * (better-sqlite3): a write has reached the disk when the call returns.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LIVE_METRICS, type LiveMetric } from '@models/metrics.ts';
import type { Reading } from '@models/telemetry.ts';
import { migrate } from './history.migrations.ts';

export const HISTORY_FILE = 'history.sqlite';
export const MINUTE_MS = 60_000;

/** As SOURCE_* in live.state.ts. */
export type StoredSource = 1 | 2;
export const STORED_SIMULATED = 1;
export const STORED_INGEST = 2;

export const metricCode = (metric: LiveMetric): number => LIVE_METRICS.indexOf(metric);
export const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS);

export interface MinuteValue {
  buildingId: string;
  metric: LiveMetric;
  value: number;
  source: StoredSource;
}

export interface PoolMinute {
  supplierId: string;
  capacityPflops: number;
  allocatedPflops: number;
  usedPflops: number;
  source: StoredSource;
}

export interface SeriesRow {
  minute: number;
  value: number;
  source: StoredSource;
}

export interface CurrentBuildingRow {
  building_id: string;
  metric: number;
  value: number;
  ts_ms: number;
}
export interface CurrentPoolRow {
  supplier_id: string;
  capacity_pflops: number;
  allocated_pflops: number;
  used_pflops: number;
  ts_ms: number;
}
export interface CurrentCompanyRow {
  company_id: string;
  building_id: string | null;
  headcount: number;
  registered_models: number;
  ts_ms: number;
}

const entityId = (r: Reading): string => (r.kind === 'building' ? r.buildingId : r.kind === 'supplier' ? r.supplierId : r.companyId);

export class HistoryStore {
  readonly db: Database.Database;
  private readonly stmt;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: in WAL mode NORMAL survives a killed process but may lose the last commits on power loss or an
    // OS crash, because the WAL is only synced at checkpoints. FULL syncs the WAL on every commit, so a batch that was
    // acknowledged (2xx only after its commit) survives both. One sync per batch, not per reading.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('cache_size = -65536'); // 64 MiB of pages: a week of minutes is a few hundred MB
    migrate(this.db);
    const db = this.db;
    this.stmt = {
      insertReading: db.prepare('INSERT INTO reading (kind, entity_id, ts_ms, received_ms, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      addBuildingReadings: db.prepare(`
        INSERT INTO building_minute (minute, building_id, metric, value, readings, source) VALUES (?, ?, ?, ?, ?, ${STORED_INGEST})
        ON CONFLICT DO UPDATE SET
          value = CASE WHEN readings > 0 THEN (value * readings + excluded.value * excluded.readings) / (readings + excluded.readings) ELSE excluded.value END,
          readings = readings + excluded.readings,
          source = ${STORED_INGEST}`),
      // A sampled minute never replaces one built from real readings (they arrive first or are more exact).
      addSampledBuilding: db.prepare('INSERT INTO building_minute (minute, building_id, metric, value, readings, source) VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT DO NOTHING'),
      addSampledPool: db.prepare('INSERT INTO pool_minute (minute, supplier_id, capacity_pflops, allocated_pflops, used_pflops, source) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      saveCurrentBuilding: db.prepare(`
        INSERT INTO current_building (building_id, metric, value, ts_ms) VALUES (?, ?, ?, ?)
        ON CONFLICT DO UPDATE SET value = excluded.value, ts_ms = excluded.ts_ms WHERE excluded.ts_ms >= ts_ms`),
      saveCurrentPool: db.prepare(`
        INSERT INTO current_pool (supplier_id, capacity_pflops, allocated_pflops, used_pflops, ts_ms) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT DO UPDATE SET capacity_pflops = excluded.capacity_pflops, allocated_pflops = excluded.allocated_pflops,
          used_pflops = excluded.used_pflops, ts_ms = excluded.ts_ms WHERE excluded.ts_ms >= ts_ms`),
      saveCurrentCompany: db.prepare(`
        INSERT INTO current_company (company_id, building_id, headcount, registered_models, ts_ms) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT DO UPDATE SET building_id = excluded.building_id, headcount = excluded.headcount,
          registered_models = excluded.registered_models, ts_ms = excluded.ts_ms WHERE excluded.ts_ms >= ts_ms`),
      series: db.prepare('SELECT minute, value, source FROM building_minute WHERE building_id = ? AND metric = ? AND minute BETWEEN ? AND ? ORDER BY minute'),
      districtMinute: db.prepare('SELECT building_id AS buildingId, metric, value, source FROM building_minute WHERE minute = ?'),
      poolsMinute: db.prepare('SELECT supplier_id AS supplierId, capacity_pflops AS capacityPflops, allocated_pflops AS allocatedPflops, used_pflops AS usedPflops, source FROM pool_minute WHERE minute = ?'),
      currentBuildings: db.prepare('SELECT building_id, metric, value, ts_ms FROM current_building'),
      currentPools: db.prepare('SELECT supplier_id, capacity_pflops, allocated_pflops, used_pflops, ts_ms FROM current_pool'),
      currentCompanies: db.prepare('SELECT company_id, building_id, headcount, registered_models, ts_ms FROM current_company'),
      pruneReadings: db.prepare('DELETE FROM reading WHERE id IN (SELECT id FROM reading WHERE ts_ms < ? LIMIT ?)'),
      pruneBuildingMinutes: db.prepare('DELETE FROM building_minute WHERE (minute, building_id, metric) IN (SELECT minute, building_id, metric FROM building_minute WHERE minute < ? LIMIT ?)'),
      prunePoolMinutes: db.prepare('DELETE FROM pool_minute WHERE (minute, supplier_id) IN (SELECT minute, supplier_id FROM pool_minute WHERE minute < ? LIMIT ?)'),
    };
  }

  static open(dataDir: string): HistoryStore {
    return new HistoryStore(path.join(dataDir, HISTORY_FILE));
  }

  /** Run `fn` in one transaction: all of it is durable when this returns, or none of it is written. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Store a raw reading; false when the same reading (kind, entity, ts) is already stored. */
  insertReading(reading: Reading, tsMs: number, receivedMs: number): boolean {
    return this.stmt.insertReading.run(reading.kind, entityId(reading), tsMs, receivedMs, JSON.stringify(reading)).changes === 1;
  }

  /** Average `count` real readings (of mean `mean`) into their minute; they replace a minute that was only sampled. */
  addBuildingReadings(buildingId: string, metric: LiveMetric, minute: number, mean: number, count: number): void {
    this.stmt.addBuildingReadings.run(minute, buildingId, metricCode(metric), mean, count);
  }

  saveCurrentBuilding(buildingId: string, metric: LiveMetric, value: number, tsMs: number): void {
    this.stmt.saveCurrentBuilding.run(buildingId, metricCode(metric), value, tsMs);
  }

  saveCurrentPool(p: { supplierId: string; capacityPflops: number; allocatedPflops: number; usedPflops: number; tsMs: number }): void {
    this.stmt.saveCurrentPool.run(p.supplierId, p.capacityPflops, p.allocatedPflops, p.usedPflops, p.tsMs);
  }

  saveCurrentCompany(c: { companyId: string; buildingId: string | null; headcount: number; registeredModels: number; tsMs: number }): void {
    this.stmt.saveCurrentCompany.run(c.companyId, c.buildingId, c.headcount, c.registeredModels, c.tsMs);
  }

  /** Write one sampled minute of the live state, in one transaction. */
  writeSampledMinute(minute: number, buildings: readonly MinuteValue[], pools: readonly PoolMinute[]): void {
    // Sampled minutes acknowledge nothing to anyone, so they skip the commit-time sync that blocks the event loop
    // (the next FULL commit, or a checkpoint, syncs them); ingest batches keep synchronous=FULL.
    this.db.pragma('synchronous = NORMAL');
    try {
      this.transaction(() => {
        for (const b of buildings) this.stmt.addSampledBuilding.run(minute, b.buildingId, metricCode(b.metric), b.value, b.source);
        for (const p of pools) this.stmt.addSampledPool.run(minute, p.supplierId, p.capacityPflops, p.allocatedPflops, p.usedPflops, p.source);
      });
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  /** One building metric, minute by minute, for minutes fromMinute..toMinute inclusive. */
  series(buildingId: string, metric: LiveMetric, fromMinute: number, toMinute: number): SeriesRow[] {
    return this.stmt.series.all(buildingId, metricCode(metric), fromMinute, toMinute) as SeriesRow[];
  }

  /** Every building and pool with a value at this minute. */
  districtMinute(minute: number): { buildings: MinuteValue[]; pools: PoolMinute[] } {
    const rows = this.stmt.districtMinute.all(minute) as Array<Omit<MinuteValue, 'metric'> & { metric: number }>;
    return {
      buildings: rows.map((r) => ({ ...r, metric: LIVE_METRICS[r.metric]! })),
      pools: this.stmt.poolsMinute.all(minute) as PoolMinute[],
    };
  }

  current(): { buildings: CurrentBuildingRow[]; pools: CurrentPoolRow[]; companies: CurrentCompanyRow[] } {
    return {
      buildings: this.stmt.currentBuildings.all() as CurrentBuildingRow[],
      pools: this.stmt.currentPools.all() as CurrentPoolRow[],
      companies: this.stmt.currentCompanies.all() as CurrentCompanyRow[],
    };
  }

  /** Delete up to `limit` rows of each table older than `cutoffMs`; returns how many went. Current values are kept. */
  pruneBatch(cutoffMs: number, limit: number): number {
    const minute = minuteOf(cutoffMs);
    return (
      this.stmt.pruneReadings.run(cutoffMs, limit).changes +
      this.stmt.pruneBuildingMinutes.run(minute, limit).changes +
      this.stmt.prunePoolMinutes.run(minute, limit).changes
    );
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
