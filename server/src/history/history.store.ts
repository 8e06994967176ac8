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

/** Entity kinds in the `entity` lookup table. */
export const ENTITY_KIND = { building: 0, supplier: 1, company: 2 } as const;
/** Field codes of raw reading rows (the order is stored: append, never reorder). */
export const READING_FIELDS = ['occupancy', 'peopleCount', 'computeLoad', 'capacityPflops', 'allocatedPflops', 'usedPflops', 'headcount', 'registeredModels', 'buildingId'] as const;
export type ReadingField = (typeof READING_FIELDS)[number];

const entityKey = (r: Reading): string => (r.kind === 'building' ? r.buildingId : r.kind === 'supplier' ? r.supplierId : r.companyId);

/** The fields a reading carries, each with its value as sent (a company's buildingId: the id, or null for moved out). */
export function readingFields(r: Reading): Array<{ field: ReadingField; value: number | string | null }> {
  const out: Array<{ field: ReadingField; value: number | string | null }> = [];
  const rec = r as unknown as Record<string, unknown>;
  for (const field of READING_FIELDS) {
    if (field === 'buildingId' && r.kind !== 'company') continue;
    const value = rec[field];
    if (value !== undefined) out.push({ field, value: value as number | string | null });
  }
  return out;
}

/**
 * What storing a reading did. A reading is stored field by field under the key (entity, field, ts): a field already
 * stored with the same value is a duplicate (idempotent, not stored or applied again); with a different value it is a
 * conflict, and the caller refuses the batch (a stored reading is never changed or silently dropped).
 */
export type InsertOutcome =
  | { status: 'new'; /** The reading with only its newly stored fields (a partly repeated reading keeps its new ones). */ fresh: Reading }
  | { status: 'duplicate' }
  | { status: 'conflict'; field: ReadingField; stored: number | string | null; sent: number | string | null };

export class HistoryStore {
  readonly db: Database.Database;
  private readonly stmt;
  /** entity key "kind:key" → entity.id; cleared when a transaction rolls back (the rows it inserted are gone). */
  private readonly entities = new Map<string, number>();
  private readonly entityKeys = new Map<number, string>();

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
      findEntity: db.prepare('SELECT id FROM entity WHERE kind = ? AND key = ?').pluck(),
      addEntity: db.prepare('INSERT INTO entity (kind, key) VALUES (?, ?)'),
      entityKey: db.prepare('SELECT key FROM entity WHERE id = ?').pluck(),
      findReading: db.prepare('SELECT value FROM reading WHERE ts_ms = ? AND entity = ? AND field = ?'),
      insertReading: db.prepare('INSERT INTO reading (ts_ms, entity, field, value, lag_ms) VALUES (?, ?, ?, ?, ?)'),
      addBuildingReadings: db.prepare(`
        INSERT INTO building_minute (minute, building, metric, value, readings, source) VALUES (?, ?, ?, ?, ?, ${STORED_INGEST})
        ON CONFLICT DO UPDATE SET
          value = CASE WHEN readings > 0 THEN (value * readings + excluded.value * excluded.readings) / (readings + excluded.readings) ELSE excluded.value END,
          readings = readings + excluded.readings,
          source = ${STORED_INGEST}`),
      // A sampled minute never replaces one built from real readings (they arrive first or are more exact).
      addSampledBuilding: db.prepare('INSERT INTO building_minute (minute, building, metric, value, readings, source) VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT DO NOTHING'),
      addSampledPool: db.prepare('INSERT INTO pool_minute (minute, supplier, capacity_pflops, allocated_pflops, used_pflops, source) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
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
      series: db.prepare(`SELECT minute, value, source FROM building_minute WHERE building = (SELECT id FROM entity WHERE kind = ${ENTITY_KIND.building} AND key = ?) AND metric = ? AND minute BETWEEN ? AND ? ORDER BY minute`),
      districtMinute: db.prepare(`SELECT e.key AS buildingId, m.metric, m.value, m.source FROM building_minute m JOIN entity e ON e.id = m.building WHERE m.minute = ?`),
      poolsMinute: db.prepare('SELECT e.key AS supplierId, capacity_pflops AS capacityPflops, allocated_pflops AS allocatedPflops, used_pflops AS usedPflops, source FROM pool_minute p JOIN entity e ON e.id = p.supplier WHERE minute = ?'),
      currentBuildings: db.prepare('SELECT building_id, metric, value, ts_ms FROM current_building'),
      currentPools: db.prepare('SELECT supplier_id, capacity_pflops, allocated_pflops, used_pflops, ts_ms FROM current_pool'),
      currentCompanies: db.prepare('SELECT company_id, building_id, headcount, registered_models, ts_ms FROM current_company'),
      pruneReadings: db.prepare('DELETE FROM reading WHERE (ts_ms, entity, field) IN (SELECT ts_ms, entity, field FROM reading WHERE ts_ms < ? LIMIT ?)'),
      pruneBuildingMinutes: db.prepare('DELETE FROM building_minute WHERE (minute, building, metric) IN (SELECT minute, building, metric FROM building_minute WHERE minute < ? LIMIT ?)'),
      prunePoolMinutes: db.prepare('DELETE FROM pool_minute WHERE (minute, supplier) IN (SELECT minute, supplier FROM pool_minute WHERE minute < ? LIMIT ?)'),
    };
  }

  static open(dataDir: string): HistoryStore {
    return new HistoryStore(path.join(dataDir, HISTORY_FILE));
  }

  /** Run `fn` in one transaction: all of it is durable when this returns, or none of it is written. */
  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      this.forgetEntities();
      throw err;
    }
  }

  /** After a rollback: entities inserted by the rolled-back transaction no longer exist, so the id cache is dropped. */
  forgetEntities(): void {
    this.entities.clear();
    this.entityKeys.clear();
  }

  /** The integer id of a data-set id (inserted on first use). */
  entityId(kind: keyof typeof ENTITY_KIND, key: string): number {
    const k = `${ENTITY_KIND[kind]}:${key}`;
    let id = this.entities.get(k);
    if (id === undefined) {
      id = (this.stmt.findEntity.get(ENTITY_KIND[kind], key) as number | undefined) ?? Number(this.stmt.addEntity.run(ENTITY_KIND[kind], key).lastInsertRowid);
      this.entities.set(k, id);
    }
    return id;
  }

  private entityKeyOf(id: number): string | null {
    let key = this.entityKeys.get(id);
    if (key === undefined) {
      key = this.stmt.entityKey.get(id) as string | undefined;
      if (key === undefined) return null;
      this.entityKeys.set(id, key);
    }
    return key;
  }

  /**
   * Store a raw reading field by field (call inside a transaction). Fields already stored with the same value are
   * duplicates; a field stored with another value is a conflict, and nothing of this reading is written.
   */
  insertReading(reading: Reading, tsMs: number, receivedMs: number): InsertOutcome {
    const entity = this.entityId(reading.kind, entityKey(reading));
    const fresh: Array<{ code: number; field: ReadingField; value: number | null; sent: number | string | null }> = [];
    for (const { field, value: sent } of readingFields(reading)) {
      const code = READING_FIELDS.indexOf(field);
      const value = field === 'buildingId' ? (sent === null ? null : this.entityId('building', sent as string)) : (sent as number);
      const existing = this.stmt.findReading.get(tsMs, entity, code) as { value: number | null } | undefined;
      if (existing === undefined) fresh.push({ code, field, value, sent });
      else if (existing.value !== value) {
        const stored = field === 'buildingId' && existing.value !== null ? this.entityKeyOf(existing.value) : existing.value;
        return { status: 'conflict', field, stored, sent };
      }
    }
    if (fresh.length === 0) return { status: 'duplicate' };
    for (const f of fresh) this.stmt.insertReading.run(tsMs, entity, f.code, f.value, receivedMs - tsMs);
    const base: Record<string, unknown> = { kind: reading.kind, ts: reading.ts };
    base[reading.kind === 'building' ? 'buildingId' : reading.kind === 'supplier' ? 'supplierId' : 'companyId'] = entityKey(reading);
    for (const f of fresh) base[f.field] = f.sent;
    return { status: 'new', fresh: base as Reading };
  }

  /** Average `count` real readings (of mean `mean`) into their minute; they replace a minute that was only sampled. */
  addBuildingReadings(buildingId: string, metric: LiveMetric, minute: number, mean: number, count: number): void {
    this.stmt.addBuildingReadings.run(minute, this.entityId('building', buildingId), metricCode(metric), mean, count);
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

  /** Write rows of one sampled minute in one transaction; the sampler calls it once per chunk (rows already stored are kept). */
  writeSampledMinute(minute: number, buildings: readonly MinuteValue[], pools: readonly PoolMinute[]): void {
    // Sampled minutes acknowledge nothing to anyone, so they skip the commit-time sync that blocks the event loop
    // (the next FULL commit, or a checkpoint, syncs them); ingest batches keep synchronous=FULL.
    this.db.pragma('synchronous = NORMAL');
    try {
      this.transaction(() => {
        for (const b of buildings) this.stmt.addSampledBuilding.run(minute, this.entityId('building', b.buildingId), metricCode(b.metric), b.value, b.source);
        for (const p of pools) this.stmt.addSampledPool.run(minute, this.entityId('supplier', p.supplierId), p.capacityPflops, p.allocatedPflops, p.usedPflops, p.source);
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
