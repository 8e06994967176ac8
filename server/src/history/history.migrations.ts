/**
 * Versioned schema of the history database. Migration i takes the schema from version i to i + 1; the version lives in
 * `PRAGMA user_version`. Append new migrations; never edit one that has shipped.
 */
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  `
  -- Ingest readings as received: the audit trail, and the idempotency key (kind, entity, ts).
  CREATE TABLE reading (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    received_ms INTEGER NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (kind, entity_id, ts_ms)
  );
  CREATE INDEX reading_by_ts ON reading (ts_ms);

  -- Per-minute aggregates of every building metric. Clustered by minute: the district at one minute is one range scan,
  -- each minute's rows append at the end, and retention deletes from the front.
  CREATE TABLE building_minute (
    minute INTEGER NOT NULL,     -- minutes since the epoch
    building_id TEXT NOT NULL,
    metric INTEGER NOT NULL,     -- index in LIVE_METRICS
    value REAL NOT NULL,
    readings INTEGER NOT NULL,   -- ingest readings averaged into value; 0 = sampled from the live value
    source INTEGER NOT NULL,     -- 1 simulated, 2 ingest (as SOURCE_* in live.state.ts)
    PRIMARY KEY (minute, building_id, metric)
  ) WITHOUT ROWID;
  CREATE INDEX building_minute_series ON building_minute (building_id, metric, minute);

  CREATE TABLE pool_minute (
    minute INTEGER NOT NULL,
    supplier_id TEXT NOT NULL,
    capacity_pflops REAL NOT NULL,
    allocated_pflops REAL NOT NULL,
    used_pflops REAL NOT NULL,
    source INTEGER NOT NULL,
    PRIMARY KEY (minute, supplier_id)
  ) WITHOUT ROWID;

  -- The newest ingested value of everything, restored into the live state at start-up.
  CREATE TABLE current_building (
    building_id TEXT NOT NULL,
    metric INTEGER NOT NULL,
    value REAL NOT NULL,
    ts_ms INTEGER NOT NULL,
    PRIMARY KEY (building_id, metric)
  ) WITHOUT ROWID;
  CREATE TABLE current_pool (
    supplier_id TEXT PRIMARY KEY,
    capacity_pflops REAL NOT NULL,
    allocated_pflops REAL NOT NULL,
    used_pflops REAL NOT NULL,
    ts_ms INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE current_company (
    company_id TEXT PRIMARY KEY,
    building_id TEXT,
    headcount INTEGER NOT NULL,
    registered_models INTEGER NOT NULL,
    ts_ms INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  -- Covering, so one building's series is a range scan of the index alone (no lookup per minute).
  DROP INDEX building_minute_series;
  CREATE INDEX building_minute_series ON building_minute (building_id, metric, minute, value, source);
  `,
  `
  -- Compact storage (issue 8, "Storage that fits a year"): text ids become integers through one lookup table, a raw
  -- reading is one row per field it carries (so a reading is "the same reading" only when it says the same thing),
  -- and the JSON body is gone. Measured bytes per row are in the README ("Storage sizing").
  CREATE TABLE entity (
    id INTEGER PRIMARY KEY,
    kind INTEGER NOT NULL,       -- 0 building, 1 supplier, 2 company (ENTITY_KIND in history.store.ts)
    key TEXT NOT NULL,           -- the id in the data set
    UNIQUE (kind, key)
  );
  INSERT OR IGNORE INTO entity (kind, key)
    SELECT CASE kind WHEN 'building' THEN 0 WHEN 'supplier' THEN 1 ELSE 2 END, entity_id FROM reading;
  INSERT OR IGNORE INTO entity (kind, key) SELECT DISTINCT 0, building_id FROM building_minute;
  INSERT OR IGNORE INTO entity (kind, key) SELECT DISTINCT 1, supplier_id FROM pool_minute;
  INSERT OR IGNORE INTO entity (kind, key)
    SELECT DISTINCT 0, json_extract(body, '$.buildingId') FROM reading WHERE kind = 'company' AND json_type(body, '$.buildingId') = 'text';

  -- One row per (time, entity, field): the idempotency key. Clustered by time so retention deletes from the front.
  -- value is NULL only for a company's buildingId when it moved out; a company's building is stored as its entity id.
  CREATE TABLE reading_v3 (
    ts_ms INTEGER NOT NULL,
    entity INTEGER NOT NULL,     -- entity.id
    field INTEGER NOT NULL,      -- READING_FIELDS index in history.store.ts
    value REAL,
    lag_ms INTEGER NOT NULL,     -- received_ms - ts_ms (small, so a short varint)
    PRIMARY KEY (ts_ms, entity, field)
  ) WITHOUT ROWID;
  INSERT OR IGNORE INTO reading_v3 (ts_ms, entity, field, value, lag_ms)
    SELECT r.ts_ms, e.id, f.code, CASE WHEN f.name = 'buildingId' THEN (SELECT b.id FROM entity b WHERE b.kind = 0 AND b.key = json_extract(r.body, '$.buildingId')) ELSE json_extract(r.body, '$.' || f.name) END, r.received_ms - r.ts_ms
    FROM reading r
    JOIN entity e ON e.kind = CASE r.kind WHEN 'building' THEN 0 WHEN 'supplier' THEN 1 ELSE 2 END AND e.key = r.entity_id
    JOIN (SELECT 0 AS code, 'occupancy' AS name UNION ALL SELECT 1, 'peopleCount' UNION ALL SELECT 2, 'computeLoad'
          UNION ALL SELECT 3, 'capacityPflops' UNION ALL SELECT 4, 'allocatedPflops' UNION ALL SELECT 5, 'usedPflops'
          UNION ALL SELECT 6, 'headcount' UNION ALL SELECT 7, 'registeredModels' UNION ALL SELECT 8, 'buildingId') f
      ON json_type(r.body, '$.' || f.name) IS NOT NULL AND (f.name != 'buildingId' OR r.kind = 'company');
  DROP TABLE reading;
  ALTER TABLE reading_v3 RENAME TO reading;

  CREATE TABLE building_minute_v3 (
    minute INTEGER NOT NULL,     -- minutes since the epoch
    building INTEGER NOT NULL,   -- entity.id
    metric INTEGER NOT NULL,     -- index in LIVE_METRICS
    value REAL NOT NULL,
    readings INTEGER NOT NULL,   -- ingest readings averaged into value; 0 = sampled from the live value
    source INTEGER NOT NULL,     -- 1 simulated, 2 ingest
    PRIMARY KEY (minute, building, metric)
  ) WITHOUT ROWID;
  INSERT INTO building_minute_v3 SELECT m.minute, e.id, m.metric, m.value, m.readings, m.source
    FROM building_minute m JOIN entity e ON e.kind = 0 AND e.key = m.building_id;
  DROP TABLE building_minute;
  ALTER TABLE building_minute_v3 RENAME TO building_minute;
  -- Covering: one building's series is a range scan of the index alone.
  CREATE INDEX building_minute_series ON building_minute (building, metric, minute, value, source);

  CREATE TABLE pool_minute_v3 (
    minute INTEGER NOT NULL,
    supplier INTEGER NOT NULL,   -- entity.id
    capacity_pflops REAL NOT NULL,
    allocated_pflops REAL NOT NULL,
    used_pflops REAL NOT NULL,
    source INTEGER NOT NULL,
    PRIMARY KEY (minute, supplier)
  ) WITHOUT ROWID;
  INSERT INTO pool_minute_v3 SELECT p.minute, e.id, p.capacity_pflops, p.allocated_pflops, p.used_pflops, p.source
    FROM pool_minute p JOIN entity e ON e.kind = 1 AND e.key = p.supplier_id;
  DROP TABLE pool_minute;
  ALTER TABLE pool_minute_v3 RENAME TO pool_minute;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export class SchemaError extends Error {}

/** Bring the database to SCHEMA_VERSION, each step in its own transaction. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new SchemaError(`history database is at schema version ${current}, newer than this server (${SCHEMA_VERSION}); upgrade the server or use another DATA_DIR`);
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
