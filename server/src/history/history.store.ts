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
import { ENTITY_KIND, SqliteWrites, type InsertOutcome, type SampledBuildingRow } from './history.writes.mjs';

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

export { ENTITY_KIND, READING_FIELDS, readingFields, type InsertOutcome, type ReadingField } from './history.writes.mjs';

export class HistoryStore {
  readonly db: Database.Database;
  private readonly stmt;
  /** The write path (shared with the writer thread, history.writer.worker.mjs). */
  readonly writes: SqliteWrites;

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
    this.writes = new SqliteWrites(db);
    this.stmt = {
      series: db.prepare(`SELECT minute, value, source FROM building_minute WHERE building = (SELECT id FROM entity WHERE kind = ${ENTITY_KIND.building} AND key = ?) AND metric = ? AND minute BETWEEN ? AND ? ORDER BY minute`),
      districtMinute: db.prepare(`SELECT e.key AS buildingId, m.metric, m.value, m.source FROM building_minute m JOIN entity e ON e.id = m.building WHERE m.minute = ?`),
      poolsMinute: db.prepare('SELECT e.key AS supplierId, capacity_pflops AS capacityPflops, allocated_pflops AS allocatedPflops, used_pflops AS usedPflops, source FROM pool_minute p JOIN entity e ON e.id = p.supplier WHERE minute = ?'),
      currentBuildings: db.prepare('SELECT building_id, metric, value, ts_ms FROM current_building'),
      currentPools: db.prepare('SELECT supplier_id, capacity_pflops, allocated_pflops, used_pflops, ts_ms FROM current_pool'),
      currentCompanies: db.prepare('SELECT company_id, building_id, headcount, registered_models, ts_ms FROM current_company'),
    };
  }

  static open(dataDir: string): HistoryStore {
    return new HistoryStore(path.join(dataDir, HISTORY_FILE));
  }

  /** Run `fn` in one transaction: all of it is durable when this returns, or none of it is written. */
  transaction<T>(fn: () => T): T {
    return this.writes.transaction(fn);
  }

  /** After a rollback: entities inserted by the rolled-back transaction no longer exist, so the id cache is dropped. */
  forgetEntities(): void {
    this.writes.forgetEntities();
  }

  /** The integer id of a data-set id (inserted on first use). */
  entityId(kind: keyof typeof ENTITY_KIND, key: string): number {
    return this.writes.entityId(kind, key);
  }

  /**
   * Store a raw reading field by field (call inside a transaction). Fields already stored with the same value are
   * duplicates; a field stored with another value is a conflict, and nothing of this reading is written.
   */
  insertReading(reading: Reading, tsMs: number, receivedMs: number): InsertOutcome {
    return this.writes.insertReading(reading, tsMs, receivedMs);
  }

  /** Average `count` real readings (of mean `mean`) into their minute; they replace a minute that was only sampled. */
  addBuildingReadings(buildingId: string, metric: LiveMetric, minute: number, mean: number, count: number): void {
    this.writes.addBuildingReadings(buildingId, metricCode(metric), minute, mean, count);
  }

  saveCurrentBuilding(buildingId: string, metric: LiveMetric, value: number, tsMs: number): void {
    this.writes.saveCurrentBuilding(buildingId, metricCode(metric), value, tsMs);
  }

  saveCurrentPool(p: { supplierId: string; capacityPflops: number; allocatedPflops: number; usedPflops: number; tsMs: number }): void {
    this.writes.saveCurrentPool(p);
  }

  saveCurrentCompany(c: { companyId: string; buildingId: string | null; headcount: number; registeredModels: number; tsMs: number }): void {
    this.writes.saveCurrentCompany(c);
  }

  /** Write rows of one sampled minute in one transaction; the sampler calls it once per chunk (rows already stored are kept). */
  writeSampledMinute(minute: number, buildings: readonly MinuteValue[], pools: readonly PoolMinute[]): void {
    this.writes.writeSampledMinute(minute, sampledRows(buildings), pools);
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
    return this.writes.pruneBatch(cutoffMs, limit);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Sampled building rows with their metric as stored (a code), as the write path takes them. */
export const sampledRows = (buildings: readonly MinuteValue[]): SampledBuildingRow[] =>
  buildings.map((b) => ({ buildingId: b.buildingId, metric: metricCode(b.metric), value: b.value, source: b.source }));
