// The SQLite write path of history, in one place: the idempotent field-by-field reading store with its conflict rule,
// minute aggregates, newest values, sampled minutes and pruning. Used on the main thread by HistoryStore (unit tests,
// benches, the inline baseline) and in the writer thread (history.writer.worker.mjs), which owns the server's write
// connection so that better-sqlite3's synchronous calls (and the commit's fsync) never hold the event loop.
//
// Plain JavaScript on purpose, like history.reader.worker.mjs: a worker thread does not inherit the TypeScript loader
// in every runner (tsx, vitest). Types for the TypeScript side are in history.writes.d.mts.

/** Entity kinds in the `entity` lookup table. */
export const ENTITY_KIND = { building: 0, supplier: 1, company: 2 };
/** Field codes of raw reading rows (the order is stored: append, never reorder). */
export const READING_FIELDS = ['occupancy', 'peopleCount', 'computeLoad', 'capacityPflops', 'allocatedPflops', 'usedPflops', 'headcount', 'registeredModels', 'buildingId'];
export const STORED_SIMULATED = 1;
export const STORED_INGEST = 2;
const MINUTE_MS = 60_000;

const KEY_FIELD = { building: 'buildingId', supplier: 'supplierId', company: 'companyId' };
export const entityKey = (r) => r[KEY_FIELD[r.kind]];

/** The fields a reading carries, each with its value as sent (a company's buildingId: the id, or null for moved out). */
export function readingFields(r) {
  const out = [];
  for (const field of READING_FIELDS) {
    if (field === 'buildingId' && r.kind !== 'company') continue;
    const value = r[field];
    if (value !== undefined) out.push({ field, value });
  }
  return out;
}

/** The reading with only the named fields (what a partly repeated reading newly stored). */
export function freshReading(reading, fields) {
  const base = { kind: reading.kind, ts: reading.ts };
  base[KEY_FIELD[reading.kind]] = entityKey(reading);
  for (const f of fields) base[f] = reading[f];
  return base;
}

export class SqliteWrites {
  constructor(db) {
    this.db = db;
    /** entity key "kind:key" → entity.id; cleared when a transaction rolls back (the rows it inserted are gone). */
    this.entities = new Map();
    this.entityKeys = new Map();
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
      pruneReadings: db.prepare('DELETE FROM reading WHERE (ts_ms, entity, field) IN (SELECT ts_ms, entity, field FROM reading WHERE ts_ms < ? LIMIT ?)'),
      pruneBuildingMinutes: db.prepare('DELETE FROM building_minute WHERE (minute, building, metric) IN (SELECT minute, building, metric FROM building_minute WHERE minute < ? LIMIT ?)'),
      prunePoolMinutes: db.prepare('DELETE FROM pool_minute WHERE (minute, supplier) IN (SELECT minute, supplier FROM pool_minute WHERE minute < ? LIMIT ?)'),
    };
  }

  /** Run `fn` in one transaction: all of it is durable when this returns, or none of it is written. */
  transaction(fn) {
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      this.forgetEntities();
      throw err;
    }
  }

  /** After a rollback: entities inserted by the rolled-back transaction no longer exist, so the id cache is dropped. */
  forgetEntities() {
    this.entities.clear();
    this.entityKeys.clear();
  }

  /** The integer id of a data-set id (inserted on first use); `kind` is a key of ENTITY_KIND. */
  entityId(kind, key) {
    const code = ENTITY_KIND[kind];
    const k = `${code}:${key}`;
    let id = this.entities.get(k);
    if (id === undefined) {
      id = this.stmt.findEntity.get(code, key) ?? Number(this.stmt.addEntity.run(code, key).lastInsertRowid);
      this.entities.set(k, id);
    }
    return id;
  }

  entityKeyOf(id) {
    let key = this.entityKeys.get(id);
    if (key === undefined) {
      key = this.stmt.entityKey.get(id);
      if (key === undefined) return null;
      this.entityKeys.set(id, key);
    }
    return key;
  }

  /**
   * Store a raw reading field by field (call inside a transaction). Fields already stored with the same value are
   * duplicates; a field stored with another value is a conflict, and nothing of this reading is written. Returns the
   * outcome without the fresh reading: { status: 'new', fields } (the fields newly stored), 'duplicate' or 'conflict'.
   */
  insertReadingFields(reading, tsMs, receivedMs) {
    const entity = this.entityId(reading.kind, entityKey(reading));
    const fresh = [];
    for (const { field, value: sent } of readingFields(reading)) {
      const code = READING_FIELDS.indexOf(field);
      const value = field === 'buildingId' ? (sent === null ? null : this.entityId('building', sent)) : sent;
      const existing = this.stmt.findReading.get(tsMs, entity, code);
      if (existing === undefined) fresh.push({ code, field, value });
      else if (existing.value !== value) {
        const stored = field === 'buildingId' && existing.value !== null ? this.entityKeyOf(existing.value) : existing.value;
        return { status: 'conflict', field, stored, sent };
      }
    }
    if (fresh.length === 0) return { status: 'duplicate' };
    for (const f of fresh) this.stmt.insertReading.run(tsMs, entity, f.code, f.value, receivedMs - tsMs);
    return { status: 'new', fields: fresh.map((f) => f.field) };
  }

  /** As insertReadingFields, with the fresh reading itself (the reading with only its newly stored fields). */
  insertReading(reading, tsMs, receivedMs) {
    const o = this.insertReadingFields(reading, tsMs, receivedMs);
    return o.status === 'new' ? { status: 'new', fresh: freshReading(reading, o.fields) } : o;
  }

  /** Average `count` real readings (of mean `mean`) into their minute; `metric` is a code (index in LIVE_METRICS). */
  addBuildingReadings(buildingId, metric, minute, mean, count) {
    this.stmt.addBuildingReadings.run(minute, this.entityId('building', buildingId), metric, mean, count);
  }

  /** `metric` is a code (index in LIVE_METRICS). */
  saveCurrentBuilding(buildingId, metric, value, tsMs) {
    this.stmt.saveCurrentBuilding.run(buildingId, metric, value, tsMs);
  }

  saveCurrentPool(p) {
    this.stmt.saveCurrentPool.run(p.supplierId, p.capacityPflops, p.allocatedPflops, p.usedPflops, p.tsMs);
  }

  saveCurrentCompany(c) {
    this.stmt.saveCurrentCompany.run(c.companyId, c.buildingId, c.headcount, c.registeredModels, c.tsMs);
  }

  /**
   * Write rows of one sampled minute in one transaction (rows already stored are kept); each building row's `metric`
   * is a code (index in LIVE_METRICS).
   */
  writeSampledMinute(minute, buildings, pools) {
    // Sampled minutes acknowledge nothing to anyone, so they skip the commit-time sync (the next FULL commit, or a
    // checkpoint, syncs them); ingest batches keep synchronous=FULL.
    this.db.pragma('synchronous = NORMAL');
    try {
      this.transaction(() => {
        for (const b of buildings) this.stmt.addSampledBuilding.run(minute, this.entityId('building', b.buildingId), b.metric, b.value, b.source);
        for (const p of pools) this.stmt.addSampledPool.run(minute, this.entityId('supplier', p.supplierId), p.capacityPflops, p.allocatedPflops, p.usedPflops, p.source);
      });
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  /** Delete up to `limit` rows of each table older than `cutoffMs`; returns how many went. Current values are kept. */
  pruneBatch(cutoffMs, limit) {
    const minute = Math.floor(cutoffMs / MINUTE_MS);
    return this.stmt.pruneReadings.run(cutoffMs, limit).changes + this.stmt.pruneBuildingMinutes.run(minute, limit).changes + this.stmt.prunePoolMinutes.run(minute, limit).changes;
  }
}
