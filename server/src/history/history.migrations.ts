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
