/**
 * History in PostgreSQL (issue 9: `HISTORY_URL=postgres://…`), behind the same HistoryRepository as SQLite and with the
 * same compact layout: integer entity ids through one lookup table, raw readings one row per field under the key
 * (ts, entity, field), per-minute aggregates clustered by minute, the newest ingested values for restoring the live state.
 *
 * Every write of a batch is one statement over arrays (`unnest`), so a 10,000-reading ingest batch costs a handful of
 * round trips, not 10,000. Ingest transactions take one transaction-scoped advisory lock: several gateways may store
 * batches, one at a time, so "is this field already stored?" and the insert that follows cannot interleave with another
 * batch (SQLite gets the same from BEGIN IMMEDIATE). A commit returns after the WAL is flushed (synchronous_commit on):
 * an acknowledged batch survives a crash. Sampled minutes acknowledge nothing to anyone and commit without waiting for
 * the flush (as SQLite's sampled minutes skip the sync).
 */
import pg from 'pg';
import type { LiveMetric } from '@models/metrics.ts';
import type { Reading } from '@models/telemetry.ts';
import { ReadersBusyError, type BucketRow, type DistrictMinuteRows, type OccupancyPercentileRow, type PoolBucketRow } from './history.reader.ts';
import type { BucketRange, BuildingReadings, CurrentBuilding, CurrentCompany, CurrentPool, HistoryRepository, HistoryWriteTx, ReadingRow } from './history.repository.ts';
import {
  ENTITY_KIND,
  metricCode,
  minuteOf,
  READING_FIELDS,
  readingFields,
  STORED_INGEST,
  type CurrentBuildingRow,
  type CurrentCompanyRow,
  type CurrentPoolRow,
  type InsertOutcome,
  type MinuteValue,
  type PoolMinute,
  type ReadingField,
} from './history.store.ts';

/**
 * Versioned schema: migration i takes the schema from version i to i + 1; the version lives in `history_schema`.
 * Append new migrations; never edit one that has shipped.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE entity (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind smallint NOT NULL,            -- 0 building, 1 supplier, 2 company (ENTITY_KIND in history.store.ts)
    key text NOT NULL,                 -- the id in the data set
    UNIQUE (kind, key)
  );
  -- One row per (time, entity, field): the idempotency key. value is NULL only for a company's buildingId when it moved
  -- out; a company's building is stored as its entity id.
  CREATE TABLE reading (
    ts_ms bigint NOT NULL,
    entity integer NOT NULL,           -- entity.id
    field smallint NOT NULL,           -- READING_FIELDS index in history.store.ts
    value double precision,
    lag_ms bigint NOT NULL,            -- received - ts
    PRIMARY KEY (ts_ms, entity, field)
  );
  CREATE TABLE building_minute (
    minute integer NOT NULL,           -- minutes since the epoch
    building integer NOT NULL,         -- entity.id
    metric smallint NOT NULL,          -- index in LIVE_METRICS
    value double precision NOT NULL,
    readings integer NOT NULL,         -- ingest readings averaged into value; 0 = sampled from the live value
    source smallint NOT NULL,          -- 1 simulated, 2 ingest
    PRIMARY KEY (minute, building, metric)
  );
  -- Covering: one building's series is an index-only range scan.
  CREATE INDEX building_minute_series ON building_minute (building, metric, minute) INCLUDE (value, source);
  CREATE TABLE pool_minute (
    minute integer NOT NULL,
    supplier integer NOT NULL,         -- entity.id
    capacity_pflops double precision NOT NULL,
    allocated_pflops double precision NOT NULL,
    used_pflops double precision NOT NULL,
    source smallint NOT NULL,
    PRIMARY KEY (minute, supplier)
  );
  CREATE INDEX pool_minute_series ON pool_minute (supplier, minute);
  CREATE TABLE current_building (
    building_id text NOT NULL,
    metric smallint NOT NULL,
    value double precision NOT NULL,
    ts_ms bigint NOT NULL,
    PRIMARY KEY (building_id, metric)
  );
  CREATE TABLE current_pool (
    supplier_id text PRIMARY KEY,
    capacity_pflops double precision NOT NULL,
    allocated_pflops double precision NOT NULL,
    used_pflops double precision NOT NULL,
    ts_ms bigint NOT NULL
  );
  CREATE TABLE current_company (
    company_id text PRIMARY KEY,
    building_id text,
    headcount integer NOT NULL,
    registered_models integer NOT NULL,
    ts_ms bigint NOT NULL
  );
  `,
];
export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** Advisory lock keys (any constants, unique to this app). */
const MIGRATE_LOCK = 0x77627401;
const INGEST_LOCK = 0x77627402;

/** bigint (ts_ms, counts) as a JS number: every value stored here is well inside 2^53. */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PostgresHistoryOptions {
  /** postgres://user@host:port/db */
  url: string;
  /** A schema of its own (created if missing), e.g. one per test; default: the connection's search_path. */
  schema?: string;
  /** Connections in the pool. */
  max?: number;
  /** Reads in flight or waiting; one more is refused with ReadersBusyError (429 with a retry time), as SQLite's pool. */
  maxQueuedReads?: number;
}

export class SchemaErrorPg extends Error {}

type Kind = keyof typeof ENTITY_KIND;
type Queryable = pg.PoolClient | pg.Pool;

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * A numeric array as a PostgreSQL array literal, built in one join: node-postgres would escape and quote each element
 * of a 20,000-element array one by one (measurably slower, and garbage for the collector).
 */
const pgArray = (values: ReadonlyArray<number | null>): string => `{${values.map((v) => (v === null ? 'NULL' : String(v))).join(',')}}`;

export class PostgresHistoryRepository implements HistoryRepository {
  readonly backend = 'postgres' as const;
  readonly pool: pg.Pool;
  /** "kind:key" → entity.id, committed entities only (a transaction's new ones join after its commit). */
  private readonly entities = new Map<string, number>();

  private constructor(private readonly options: PostgresHistoryOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.max ?? 8,
      types: TYPES,
      ...(options.schema ? { options: `-c search_path=${ident(options.schema)}` } : {}),
    });
    // An idle client that loses its connection must not take the process down; the next query reconnects.
    this.pool.on('error', () => undefined);
    // A checked-out client between two queries (a transaction waiting on the loop) can lose its connection too: its
    // 'error' event would otherwise be uncaught and end the process; the pending or next query rejects instead.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  /** Connect, bring the schema to PG_SCHEMA_VERSION (one migrating process at a time), and return the repository. */
  static async open(options: PostgresHistoryOptions): Promise<PostgresHistoryRepository> {
    const repo = new PostgresHistoryRepository(options);
    try {
      await repo.migrate();
    } catch (err) {
      await repo.pool.end();
      throw err;
    }
    return repo;
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
      // After the lock: two processes creating the same schema at once would otherwise collide.
      if (this.options.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(this.options.schema)}`);
      await client.query('CREATE TABLE IF NOT EXISTS history_schema (version integer NOT NULL)');
      const { rows } = await client.query<{ version: number }>('SELECT version FROM history_schema');
      const current = rows[0]?.version ?? 0;
      if (current > PG_SCHEMA_VERSION) {
        throw new SchemaErrorPg(`history database is at schema version ${current}, newer than this server (${PG_SCHEMA_VERSION}); upgrade the server or use another HISTORY_URL`);
      }
      for (let v = current; v < PG_SCHEMA_VERSION; v++) await client.query(PG_MIGRATIONS[v]!);
      if (rows.length === 0) await client.query('INSERT INTO history_schema (version) VALUES ($1)', [PG_SCHEMA_VERSION]);
      else await client.query('UPDATE history_schema SET version = $1', [PG_SCHEMA_VERSION]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Entity ids for (kind, key) pairs, inserted on first use, in one statement. `learned` collects the ids this
   * transaction found or made; they join the shared cache only after its commit (a rollback takes new rows with it).
   */
  private async entityIds(db: Queryable, wanted: Iterable<readonly [Kind, string]>, learned: Map<string, number>): Promise<(kind: Kind, key: string) => number> {
    const missing = new Map<string, readonly [number, string]>();
    for (const [kind, key] of wanted) {
      const k = `${ENTITY_KIND[kind]}:${key}`;
      if (!this.entities.has(k) && !learned.has(k)) missing.set(k, [ENTITY_KIND[kind], key]);
    }
    // A key another writer is inserting at this moment is neither inserted nor visible to this statement's snapshot
    // until that writer commits: ask again (a new statement, a new snapshot).
    for (let attempt = 0; missing.size > 0; attempt++) {
      if (attempt === 5) throw new Error(`history: could not resolve entity ids for ${[...missing.keys()].slice(0, 3).join(', ')}`);
      const kinds = [...missing.values()].map((m) => m[0]);
      const keys = [...missing.values()].map((m) => m[1]);
      const { rows } = await db.query<{ id: number; kind: number; key: string }>(
        `WITH k(kind, key) AS (SELECT * FROM unnest($1::smallint[], $2::text[])),
              ins AS (INSERT INTO entity (kind, key) SELECT kind, key FROM k ON CONFLICT DO NOTHING RETURNING id, kind, key)
         SELECT id, kind, key FROM ins UNION ALL SELECT e.id, e.kind, e.key FROM entity e JOIN k USING (kind, key)`,
        [kinds, keys],
      );
      for (const r of rows) {
        learned.set(`${r.kind}:${r.key}`, r.id);
        missing.delete(`${r.kind}:${r.key}`);
      }
    }
    return (kind, key) => {
      const k = `${ENTITY_KIND[kind]}:${key}`;
      return this.entities.get(k) ?? learned.get(k)!;
    };
  }

  private readsInFlight = 0;

  /** A read, refused at once when too many are in flight or waiting (never queued without limit). */
  private async read<T>(fn: () => Promise<T>): Promise<T> {
    if (this.readsInFlight >= (this.options.maxQueuedReads ?? Infinity)) throw new ReadersBusyError(1);
    this.readsInFlight++;
    try {
      return await fn();
    } finally {
      this.readsInFlight--;
    }
  }

  private remember(learned: Map<string, number>): void {
    for (const [k, id] of learned) this.entities.set(k, id);
  }

  /** Run `fn` in a transaction on one client; `lock` takes the ingest lock first. */
  private async transaction<T>(lock: boolean, fn: (client: pg.PoolClient, learned: Map<string, number>) => Promise<T>, setup?: string): Promise<T> {
    const client = await this.pool.connect();
    const learned = new Map<string, number>();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      if (setup) await client.query(setup);
      if (lock) await client.query('SELECT pg_advisory_xact_lock($1)', [INGEST_LOCK]);
      const result = await fn(client, learned);
      await client.query('COMMIT');
      this.remember(learned);
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      client.release(broken);
    }
  }

  write<T>(fn: (tx: HistoryWriteTx) => Promise<T>): Promise<T> {
    return this.transaction(true, async (client, learned) => {
      let open = true;
      const guard = () => {
        if (!open) throw new Error('history: this write transaction has ended');
      };
      const tx: HistoryWriteTx = {
        insertReadings: async (rows, receivedMs) => (guard(), this.insertReadings(client, learned, rows, receivedMs)),
        addBuildingReadings: async (rows) => (guard(), this.addBuildingReadings(client, learned, rows)),
        saveCurrent: async (c) => (guard(), this.saveCurrent(client, c)),
      };
      try {
        return await fn(tx);
      } finally {
        open = false;
      }
    });
  }

  private async insertReadings(client: pg.PoolClient, learned: Map<string, number>, rows: readonly ReadingRow[], receivedMs: number): Promise<InsertOutcome[]> {
    if (rows.length === 0) return [];
    const keyOf = (r: Reading): string => (r.kind === 'building' ? r.buildingId : r.kind === 'supplier' ? r.supplierId : r.companyId);
    const fieldsOf = rows.map((row) => readingFields(row.reading));
    const wanted: Array<readonly [Kind, string]> = [];
    rows.forEach(({ reading }, i) => {
      wanted.push([reading.kind, keyOf(reading)]);
      for (const f of fieldsOf[i]!) if (f.field === 'buildingId' && typeof f.value === 'string') wanted.push(['building', f.value]);
    });
    const idOf = await this.entityIds(client, wanted, learned);

    const keyed = rows.map(({ reading, tsMs }, i) => {
      const entity = idOf(reading.kind, keyOf(reading));
      return fieldsOf[i]!.map(({ field, value: sent }) => {
        const code = READING_FIELDS.indexOf(field);
        const value = field === 'buildingId' ? (sent === null ? null : idOf('building', sent as string)) : (sent as number);
        return { key: `${tsMs}:${entity}:${code}`, code, field, value, sent, entity, tsMs };
      });
    });
    const freshReading = (i: number, fresh: ReadonlyArray<{ field: string; sent: unknown }>): InsertOutcome => {
      const { reading } = rows[i]!;
      const base: Record<string, unknown> = { kind: reading.kind, ts: reading.ts };
      base[reading.kind === 'building' ? 'buildingId' : reading.kind === 'supplier' ? 'supplierId' : 'companyId'] = keyOf(reading);
      for (const f of fresh) base[f.field] = f.sent;
      return { status: 'new', fresh: base as Reading };
    };
    const insert = (fields: ReadonlyArray<{ tsMs: number; entity: number; code: number; value: number | null }>) =>
      client.query('INSERT INTO reading (ts_ms, entity, field, value, lag_ms) SELECT * FROM unnest($1::bigint[], $2::integer[], $3::smallint[], $4::double precision[], $5::bigint[]) ON CONFLICT DO NOTHING', [
        pgArray(fields.map((f) => f.tsMs)),
        pgArray(fields.map((f) => f.entity)),
        pgArray(fields.map((f) => f.code)),
        pgArray(fields.map((f) => f.value)),
        pgArray(fields.map((f) => receivedMs - f.tsMs)),
      ]);

    // The usual batch is all new: one INSERT, and if it stored every field, that is the answer. Otherwise (something
    // was stored before, or a key repeats within the batch) it is undone and the batch is classified field by field.
    const all = keyed.flat();
    if (new Set(all.map((f) => f.key)).size === all.length) {
      await client.query('SAVEPOINT wbt_readings');
      const { rowCount } = await insert(all);
      if (rowCount === all.length) {
        await client.query('RELEASE SAVEPOINT wbt_readings');
        return keyed.map((fields, i) => freshReading(i, fields));
      }
      await client.query('ROLLBACK TO SAVEPOINT wbt_readings');
    }

    // What is stored under every key the batch touches (one statement).
    const stored = new Map<string, number | null>();
    const { rows: existing } = await client.query<{ ts_ms: number; entity: number; field: number; value: number | null }>(
      `SELECT r.ts_ms, r.entity, r.field, r.value FROM reading r
       JOIN (SELECT DISTINCT * FROM unnest($1::bigint[], $2::integer[], $3::smallint[])) AS k(ts, e, f) ON r.ts_ms = k.ts AND r.entity = k.e AND r.field = k.f`,
      [pgArray(all.map((f) => f.tsMs)), pgArray(all.map((f) => f.entity)), pgArray(all.map((f) => f.code))],
    );
    for (const r of existing) stored.set(`${r.ts_ms}:${r.entity}:${r.field}`, r.value);

    // Classify in order, as if stored one after another (a row sees what earlier rows of this call stored).
    const outcomes: InsertOutcome[] = [];
    const toInsert: typeof all = [];
    for (let i = 0; i < rows.length; i++) {
      const fresh: typeof all = [];
      let conflict: InsertOutcome | null = null;
      for (const f of keyed[i]!) {
        if (!stored.has(f.key)) {
          fresh.push(f);
          continue;
        }
        const was = stored.get(f.key)!;
        if (was !== f.value) {
          const storedSaid = f.field === 'buildingId' && was !== null ? await this.entityKeyOf(client, learned, was) : was;
          conflict = { status: 'conflict', field: f.field as ReadingField, stored: storedSaid, sent: f.sent };
          break;
        }
      }
      if (conflict) outcomes.push(conflict);
      else if (fresh.length === 0) outcomes.push({ status: 'duplicate' });
      else {
        for (const f of fresh) stored.set(f.key, f.value);
        toInsert.push(...fresh);
        outcomes.push(freshReading(i, fresh));
      }
    }
    if (toInsert.length > 0) await insert(toInsert);
    return outcomes;
  }

  private async entityKeyOf(client: pg.PoolClient, learned: Map<string, number>, id: number): Promise<string | null> {
    for (const map of [this.entities, learned]) for (const [k, v] of map) if (v === id) return k.slice(k.indexOf(':') + 1);
    const { rows } = await client.query<{ key: string }>('SELECT key FROM entity WHERE id = $1', [id]);
    return rows[0]?.key ?? null;
  }

  private async addBuildingReadings(client: pg.PoolClient, learned: Map<string, number>, rows: readonly BuildingReadings[]): Promise<void> {
    if (rows.length === 0) return;
    const idOf = await this.entityIds(client, rows.map((r) => ['building', r.buildingId] as const), learned);
    // One row per (minute, building, metric) in a statement (ON CONFLICT DO UPDATE may touch a row once): merge repeats.
    const merged = new Map<string, { minute: number; building: number; metric: number; mean: number; count: number }>();
    for (const r of rows) {
      const building = idOf('building', r.buildingId);
      const metric = metricCode(r.metric);
      const k = `${r.minute}:${building}:${metric}`;
      const m = merged.get(k);
      if (m) {
        m.mean = (m.mean * m.count + r.mean * r.count) / (m.count + r.count);
        m.count += r.count;
      } else merged.set(k, { minute: r.minute, building, metric, mean: r.mean, count: r.count });
    }
    const list = [...merged.values()];
    await client.query(
      `INSERT INTO building_minute AS m (minute, building, metric, value, readings, source)
       SELECT minute, building, metric, value, readings, ${STORED_INGEST} FROM unnest($1::integer[], $2::integer[], $3::smallint[], $4::double precision[], $5::integer[]) AS t(minute, building, metric, value, readings)
       ON CONFLICT (minute, building, metric) DO UPDATE SET
         value = CASE WHEN m.readings > 0 THEN (m.value * m.readings + excluded.value * excluded.readings) / (m.readings + excluded.readings) ELSE excluded.value END,
         readings = m.readings + excluded.readings,
         source = ${STORED_INGEST}`,
      [list.map((m) => m.minute), list.map((m) => m.building), list.map((m) => m.metric), list.map((m) => m.mean), list.map((m) => m.count)],
    );
  }

  private async saveCurrent(client: pg.PoolClient, c: { buildings?: readonly CurrentBuilding[]; pools?: readonly CurrentPool[]; companies?: readonly CurrentCompany[] }): Promise<void> {
    // Within a call the newest per key wins (equal ts: the later one), as row-by-row upserts would decide.
    const newest = <R extends { tsMs: number }>(rows: readonly R[], key: (r: R) => string): R[] => {
      const m = new Map<string, R>();
      for (const r of rows) {
        const k = key(r);
        const was = m.get(k);
        if (!was || r.tsMs >= was.tsMs) m.set(k, r);
      }
      return [...m.values()];
    };
    const buildings = newest(c.buildings ?? [], (b) => `${b.buildingId}:${b.metric}`);
    if (buildings.length > 0) {
      await client.query(
        `INSERT INTO current_building AS c (building_id, metric, value, ts_ms) SELECT * FROM unnest($1::text[], $2::smallint[], $3::double precision[], $4::bigint[])
         ON CONFLICT (building_id, metric) DO UPDATE SET value = excluded.value, ts_ms = excluded.ts_ms WHERE excluded.ts_ms >= c.ts_ms`,
        [buildings.map((b) => b.buildingId), buildings.map((b) => metricCode(b.metric)), buildings.map((b) => b.value), buildings.map((b) => b.tsMs)],
      );
    }
    const pools = newest(c.pools ?? [], (p) => p.supplierId);
    if (pools.length > 0) {
      await client.query(
        `INSERT INTO current_pool AS c (supplier_id, capacity_pflops, allocated_pflops, used_pflops, ts_ms)
         SELECT * FROM unnest($1::text[], $2::double precision[], $3::double precision[], $4::double precision[], $5::bigint[])
         ON CONFLICT (supplier_id) DO UPDATE SET capacity_pflops = excluded.capacity_pflops, allocated_pflops = excluded.allocated_pflops,
           used_pflops = excluded.used_pflops, ts_ms = excluded.ts_ms WHERE excluded.ts_ms >= c.ts_ms`,
        [pools.map((p) => p.supplierId), pools.map((p) => p.capacityPflops), pools.map((p) => p.allocatedPflops), pools.map((p) => p.usedPflops), pools.map((p) => p.tsMs)],
      );
    }
    const companies = newest(c.companies ?? [], (x) => x.companyId);
    if (companies.length > 0) {
      await client.query(
        `INSERT INTO current_company AS c (company_id, building_id, headcount, registered_models, ts_ms)
         SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::integer[], $5::bigint[])
         ON CONFLICT (company_id) DO UPDATE SET building_id = excluded.building_id, headcount = excluded.headcount,
           registered_models = excluded.registered_models, ts_ms = excluded.ts_ms WHERE excluded.ts_ms >= c.ts_ms`,
        [companies.map((x) => x.companyId), companies.map((x) => x.buildingId), companies.map((x) => x.headcount), companies.map((x) => x.registeredModels), companies.map((x) => x.tsMs)],
      );
    }
  }

  writeSampledMinute(minute: number, buildings: readonly MinuteValue[], pools: readonly PoolMinute[]): Promise<void> {
    if (buildings.length === 0 && pools.length === 0) return Promise.resolve();
    // A sampled minute never replaces one built from real readings (they arrive first or are more exact).
    return this.transaction(
      false,
      async (client, learned) => {
        const idOf = await this.entityIds(
          client,
          [...buildings.map((b) => ['building', b.buildingId] as const), ...pools.map((p) => ['supplier', p.supplierId] as const)],
          learned,
        );
        if (buildings.length > 0) {
          await client.query(
            `INSERT INTO building_minute (minute, building, metric, value, readings, source)
             SELECT $1, building, metric, value, 0, source FROM unnest($2::integer[], $3::smallint[], $4::double precision[], $5::smallint[]) AS t(building, metric, value, source)
             ON CONFLICT DO NOTHING`,
            [minute, buildings.map((b) => idOf('building', b.buildingId)), buildings.map((b) => metricCode(b.metric)), buildings.map((b) => b.value), buildings.map((b) => b.source)],
          );
        }
        if (pools.length > 0) {
          await client.query(
            `INSERT INTO pool_minute (minute, supplier, capacity_pflops, allocated_pflops, used_pflops, source)
             SELECT $1, * FROM unnest($2::integer[], $3::double precision[], $4::double precision[], $5::double precision[], $6::smallint[])
             ON CONFLICT DO NOTHING`,
            [minute, pools.map((p) => idOf('supplier', p.supplierId)), pools.map((p) => p.capacityPflops), pools.map((p) => p.allocatedPflops), pools.map((p) => p.usedPflops), pools.map((p) => p.source)],
          );
        }
      },
      // Acknowledges nothing to anyone: no wait for the WAL flush (the next synchronous commit flushes it).
      'SET LOCAL synchronous_commit = off',
    );
  }

  async pruneBatch(cutoffMs: number, limit: number): Promise<number> {
    const minute = minuteOf(cutoffMs);
    const a = await this.pool.query('DELETE FROM reading WHERE (ts_ms, entity, field) IN (SELECT ts_ms, entity, field FROM reading WHERE ts_ms < $1 LIMIT $2)', [cutoffMs, limit]);
    const b = await this.pool.query('DELETE FROM building_minute WHERE (minute, building, metric) IN (SELECT minute, building, metric FROM building_minute WHERE minute < $1 LIMIT $2)', [minute, limit]);
    const c = await this.pool.query('DELETE FROM pool_minute WHERE (minute, supplier) IN (SELECT minute, supplier FROM pool_minute WHERE minute < $1 LIMIT $2)', [minute, limit]);
    return (a.rowCount ?? 0) + (b.rowCount ?? 0) + (c.rowCount ?? 0);
  }

  async current(): Promise<{ buildings: CurrentBuildingRow[]; pools: CurrentPoolRow[]; companies: CurrentCompanyRow[] }> {
    const [b, p, c] = await Promise.all([
      this.pool.query<CurrentBuildingRow>('SELECT building_id, metric, value, ts_ms FROM current_building'),
      this.pool.query<CurrentPoolRow>('SELECT supplier_id, capacity_pflops, allocated_pflops, used_pflops, ts_ms FROM current_pool'),
      this.pool.query<CurrentCompanyRow>('SELECT company_id, building_id, headcount, registered_models, ts_ms FROM current_company'),
    ]);
    return { buildings: b.rows, pools: p.rows, companies: c.rows };
  }

  async series(buildingIds: string[], metric: LiveMetric, r: BucketRange): Promise<BucketRow[][]> {
    return this.read(async () => {
      const { rows } = await this.pool.query<BucketRow & { i: number }>(
        `SELECT k.i, (m.minute - $3) / $5 AS b, avg(m.value) AS value, max(m.source) AS source
         FROM unnest($1::text[]) WITH ORDINALITY AS k(key, i)
         JOIN entity e ON e.kind = ${ENTITY_KIND.building} AND e.key = k.key
         JOIN building_minute m ON m.building = e.id AND m.metric = $2 AND m.minute BETWEEN $3 AND $4
         GROUP BY k.i, b ORDER BY k.i, b`,
        [buildingIds, metricCode(metric), r.from, r.to, r.bucket],
      );
      const out: BucketRow[][] = buildingIds.map(() => []);
      for (const { i, b, value, source } of rows) out[i - 1]!.push({ b, value, source });
      return out;
    });
  }

  async weightedSeries(weights: Record<string, number>, metric: LiveMetric, r: BucketRange): Promise<BucketRow[]> {
    return this.read(async () => {
      const entries = Object.entries(weights);
      const { rows } = await this.pool.query<BucketRow>(
        `WITH w AS (SELECT e.id AS building, w.weight FROM unnest($1::text[], $2::double precision[]) AS w(key, weight)
                    JOIN entity e ON e.kind = ${ENTITY_KIND.building} AND e.key = w.key)
         SELECT (m.minute - $4) / $6 AS b, sum(m.value * w.weight) / sum(w.weight) AS value, max(m.source) AS source
         FROM w JOIN building_minute m ON m.building = w.building AND m.metric = $3 AND m.minute BETWEEN $4 AND $5
         GROUP BY b ORDER BY b`,
        [entries.map((e) => e[0]), entries.map((e) => e[1]), metricCode(metric), r.from, r.to, r.bucket],
      );
      return rows;
    });
  }

  async poolSeries(supplierId: string, r: BucketRange): Promise<PoolBucketRow[]> {
    return this.read(async () => {
      const { rows } = await this.pool.query<PoolBucketRow>(
        `SELECT (minute - $2) / $4 AS b, avg(capacity_pflops) AS "capacityPflops", avg(allocated_pflops) AS "allocatedPflops",
           avg(used_pflops) AS "usedPflops", max(source) AS source
         FROM pool_minute
         WHERE supplier = (SELECT id FROM entity WHERE kind = ${ENTITY_KIND.supplier} AND key = $1) AND minute BETWEEN $2 AND $3
         GROUP BY b ORDER BY b`,
        [supplierId, r.from, r.to, r.bucket],
      );
      return rows;
    });
  }

  async districtMinute(minute: number): Promise<DistrictMinuteRows> {
    return this.read(async () => {
      const [b, p] = await Promise.all([
        this.pool.query<DistrictMinuteRows['buildings'][number]>('SELECT e.key AS "buildingId", m.metric, m.value, m.source FROM building_minute m JOIN entity e ON e.id = m.building WHERE m.minute = $1', [minute]),
        this.pool.query<DistrictMinuteRows['pools'][number]>(
          'SELECT e.key AS "supplierId", capacity_pflops AS "capacityPflops", allocated_pflops AS "allocatedPflops", used_pflops AS "usedPflops", source FROM pool_minute p JOIN entity e ON e.id = p.supplier WHERE minute = $1',
          [minute],
        ),
      ]);
      return { buildings: b.rows, pools: p.rows };
    });
  }

  /**
   * Per building, the nearest-rank percentile of occupancy (percentile_disc: the smallest value with at least that
   * share of minutes at or below it), rounded to 0.001 — the same definition as SQLite's histogram in the reader thread,
   * so both backends give the same figure. percentile_cont would interpolate between minutes and disagree with it.
   */
  async occupancyPercentile(fromMinute: number, toMinute: number, percentile: number): Promise<OccupancyPercentileRow[]> {
    return this.read(async () => {
      const { rows } = await this.pool.query<OccupancyPercentileRow>(
        `SELECT e.key, floor(greatest(0, least(1, t.p)) * 1000 + 0.5) / 1000 AS p, t.minutes, t."ingestMinutes"
         FROM (SELECT building, percentile_disc($3::double precision) WITHIN GROUP (ORDER BY value) AS p, count(*) AS minutes,
                 count(*) FILTER (WHERE source = ${STORED_INGEST}) AS "ingestMinutes"
               FROM building_minute WHERE minute BETWEEN $1 AND $2 AND metric = ${metricCode('occupancy')} GROUP BY building) t
         JOIN entity e ON e.id = t.building`,
        [fromMinute, toMinute, percentile / 100],
      );
      return rows;
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
