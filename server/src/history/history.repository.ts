/**
 * The async history repository (issue 9): everything the district engine writes and the gateways read, behind one
 * interface, so history lives in SQLite (one machine, the default) or PostgreSQL (`HISTORY_URL=postgres://…`,
 * history.postgres.ts). One contract test runs against both (tests/unit/history.repository.test.ts).
 *
 * Writes happen in `write(fn)`: one transaction, committed when the promise resolves (an ingest 2xx waits for it).
 * In SQLite every write runs in the writer thread (history.writer.ts), which owns the write connection: the event loop
 * only posts the rows and awaits the answer, so a large batch and its durable commit never hold the frame.
 * Each write call takes a whole batch (readings, minute sums, current values), so PostgreSQL needs a few statements per
 * ingest batch, not one round trip per reading. In SQLite the transaction is BEGIN IMMEDIATE … COMMIT around an async
 * body (each step a message to the writer thread), so writes are serialised by a queue here (a second writer on the
 * same connection would otherwise join the open transaction); in PostgreSQL ingest transactions take an advisory lock, which serialises them across gateways.
 */
import type { LiveMetric } from '@models/metrics.ts';
import type { Reading } from '@models/telemetry.ts';
import type { BucketRow, DistrictMinuteRows, HistoryReader, OccupancyPercentileRow, PoolBucketRow } from './history.reader.ts';
import { HistoryWriter } from './history.writer.ts';
import { freshReading } from './history.writes.mjs';
import {
  metricCode,
  sampledRows,
  type CurrentBuildingRow,
  type CurrentCompanyRow,
  type CurrentPoolRow,
  type HistoryStore,
  type InsertOutcome,
  type MinuteValue,
  type PoolMinute,
} from './history.store.ts';

/** One reading to store, with its time as parsed from its `ts`. */
export interface ReadingRow {
  reading: Reading;
  tsMs: number;
}
/** `count` real readings of mean `mean`, averaged into their minute. */
export interface BuildingReadings {
  buildingId: string;
  metric: LiveMetric;
  minute: number;
  mean: number;
  count: number;
}
export interface CurrentBuilding {
  buildingId: string;
  metric: LiveMetric;
  value: number;
  tsMs: number;
}
export interface CurrentPool {
  supplierId: string;
  capacityPflops: number;
  allocatedPflops: number;
  usedPflops: number;
  tsMs: number;
}
export interface CurrentCompany {
  companyId: string;
  buildingId: string | null;
  headcount: number;
  registeredModels: number;
  tsMs: number;
}

/**
 * The writes of one transaction. Every call takes a whole batch, so a 10,000-reading ingest batch is a few statements
 * (a few round trips to PostgreSQL), not one per reading.
 */
export interface HistoryWriteTx {
  /**
   * Store readings received at `receivedMs`, field by field under the key (ts, entity, field). `outcomes[i]` is what
   * storing `rows[i]` did, exactly as if the rows were stored one after another: a field already stored (by an earlier
   * batch, or by an earlier row of this call) with the same value is a duplicate, with another value a conflict; a
   * reading with a conflict stores nothing. A caller that meets a conflict refuses the batch by throwing from the body.
   */
  insertReadings(rows: readonly ReadingRow[], receivedMs: number): Promise<InsertOutcome[]>;
  /** Average real readings into their minutes; they replace minutes that were only sampled. */
  addBuildingReadings(rows: readonly BuildingReadings[]): Promise<void>;
  /** Newest ingested values: each replaces the stored one unless that one is newer (equal ts: the later call wins). */
  saveCurrent(current: { buildings?: readonly CurrentBuilding[]; pools?: readonly CurrentPool[]; companies?: readonly CurrentCompany[] }): Promise<void>;
}

/** A range of minutes averaged into buckets of `bucket` minutes (bucket index from `from`). */
export interface BucketRange {
  from: number;
  to: number;
  bucket: number;
}

export interface HistoryRepository {
  /** Which database: for logs, /healthz wording and the bench. */
  readonly backend: 'sqlite' | 'postgres';
  /** Run `fn` in one transaction; resolves after the commit, or rejects having written nothing. */
  write<T>(fn: (tx: HistoryWriteTx) => Promise<T>): Promise<T>;
  /** Rows of one sampled minute; may be called several times for one minute (the sampler writes it in chunks). */
  writeSampledMinute(minute: number, buildings: readonly MinuteValue[], pools: readonly PoolMinute[]): Promise<void>;
  pruneBatch(cutoffMs: number, limit: number): Promise<number>;
  current(): Promise<{ buildings: CurrentBuildingRow[]; pools: CurrentPoolRow[]; companies: CurrentCompanyRow[] }>;

  series(buildingIds: string[], metric: LiveMetric, range: BucketRange): Promise<BucketRow[][]>;
  weightedSeries(weights: Record<string, number>, metric: LiveMetric, range: BucketRange): Promise<BucketRow[]>;
  poolSeries(supplierId: string, range: BucketRange): Promise<PoolBucketRow[]>;
  districtMinute(minute: number): Promise<DistrictMinuteRows>;
  occupancyPercentile(fromMinute: number, toMinute: number, percentile: number): Promise<OccupancyPercentileRow[]>;
  close(): Promise<void>;
}

/** Rows per message to the writer thread: the loop copies one slice at a time and awaits it, so no turn copies a whole batch. */
export const ROWS_PER_MESSAGE = 1000;

async function inSlices<T>(rows: readonly T[], fn: (slice: readonly T[], first: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_MESSAGE) await fn(rows.slice(i, i + ROWS_PER_MESSAGE), i);
}

export interface SqliteRepositoryOptions {
  /**
   * 'thread' (the server): writes run in the writer thread. 'inline': on the calling thread through `store`, holding the
   * event loop for each statement and commit (the bench's baseline, and what the server did before).
   */
  writes?: 'thread' | 'inline';
}

export class SqliteHistoryRepository implements HistoryRepository {
  readonly backend = 'sqlite' as const;
  private queue: Promise<unknown> = Promise.resolve();
  /** The writer thread; null with inline writes. */
  readonly writer: HistoryWriter | null;

  /** `reader` null: a write-only repository (unit tests, benches); its reads throw. */
  constructor(
    readonly store: HistoryStore,
    private readonly readerThreads: HistoryReader | null,
    options: SqliteRepositoryOptions = {},
  ) {
    this.writer = (options.writes ?? 'thread') === 'thread' ? new HistoryWriter(store.file) : null;
  }

  private get reader(): HistoryReader {
    if (!this.readerThreads) throw new Error('history: this SQLite repository was opened without reader threads');
    return this.readerThreads;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  write<T>(fn: (tx: HistoryWriteTx) => Promise<T>): Promise<T> {
    const writer = this.writer;
    if (!writer) return this.writeInline(fn);
    return this.serial(async () => {
      const token = await writer.begin();
      const tx: HistoryWriteTx = {
        insertReadings: async (rows, receivedMs) => {
          const out: InsertOutcome[] = [];
          await inSlices(rows, async (slice) => {
            const outcomes = await writer.step(token, 'insertReadings', { rows: slice, receivedMs });
            outcomes.forEach((o, j) => out.push(o.status === 'new' ? { status: 'new', fresh: freshReading(slice[j]!.reading, o.fields) } : o));
          });
          return out;
        },
        addBuildingReadings: (rows) =>
          inSlices(rows, async (slice) => {
            await writer.step(token, 'addBuildingReadings', { rows: slice.map((r) => ({ buildingId: r.buildingId, metric: metricCode(r.metric), minute: r.minute, mean: r.mean, count: r.count })) });
          }),
        saveCurrent: async ({ buildings = [], pools = [], companies = [] }) => {
          await writer.step(token, 'saveCurrent', { buildings: [], pools, companies });
          await inSlices(buildings, async (slice) => {
            await writer.step(token, 'saveCurrent', { buildings: slice.map((b) => ({ ...b, metric: metricCode(b.metric) })), pools: [], companies: [] });
          });
        },
      };
      try {
        const result = await fn(tx);
        await writer.step(token, 'commit', undefined);
        return result;
      } catch (err) {
        await writer.rollback(token).catch(() => undefined);
        throw err;
      }
    });
  }

  /** The write on the calling thread (SqliteRepositoryOptions.writes 'inline'). */
  private writeInline<T>(fn: (tx: HistoryWriteTx) => Promise<T>): Promise<T> {
    const { store } = this;
    const tx: HistoryWriteTx = {
      insertReadings: async (rows, receivedMs) => rows.map((r) => store.insertReading(r.reading, r.tsMs, receivedMs)),
      addBuildingReadings: async (rows) => {
        for (const r of rows) store.addBuildingReadings(r.buildingId, r.metric, r.minute, r.mean, r.count);
      },
      saveCurrent: async ({ buildings = [], pools = [], companies = [] }) => {
        for (const b of buildings) store.saveCurrentBuilding(b.buildingId, b.metric, b.value, b.tsMs);
        for (const p of pools) store.saveCurrentPool(p);
        for (const c of companies) store.saveCurrentCompany(c);
      },
    };
    return this.serial(async () => {
      store.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(tx);
        store.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (store.db.inTransaction) store.db.exec('ROLLBACK');
        store.forgetEntities();
        throw err;
      }
    });
  }

  writeSampledMinute(minute: number, buildings: readonly MinuteValue[], pools: readonly PoolMinute[]): Promise<void> {
    const writer = this.writer;
    if (writer) return this.serial(() => writer.run('writeSampledMinute', { minute, buildings: sampledRows(buildings), pools }));
    return this.serial(async () => this.store.writeSampledMinute(minute, buildings, pools));
  }

  pruneBatch(cutoffMs: number, limit: number): Promise<number> {
    const writer = this.writer;
    if (writer) return this.serial(() => writer.run('pruneBatch', { cutoffMs, limit }));
    return this.serial(async () => this.store.pruneBatch(cutoffMs, limit));
  }

  /**
   * A PRAGMA on the write connection. Tests use `query_only = ON` to stand in for storage that refuses writes (a full
   * disk, lost permissions); the server never calls it.
   */
  async pragmaOnWriter(sql: string): Promise<unknown> {
    if (this.writer) return this.writer.run('pragma', { sql });
    return this.store.db.pragma(sql);
  }

  async current() {
    return this.store.current();
  }

  series(buildingIds: string[], metric: LiveMetric, r: BucketRange): Promise<BucketRow[][]> {
    return this.reader.run('series', { keys: buildingIds, metric: metricCode(metric), from: r.from, to: r.to, bucket: r.bucket });
  }

  weightedSeries(weights: Record<string, number>, metric: LiveMetric, r: BucketRange): Promise<BucketRow[]> {
    return this.reader.run('cluster', { weights, metric: metricCode(metric), from: r.from, to: r.to, bucket: r.bucket });
  }

  poolSeries(supplierId: string, r: BucketRange): Promise<PoolBucketRow[]> {
    return this.reader.run('pool', { key: supplierId, from: r.from, to: r.to, bucket: r.bucket });
  }

  districtMinute(minute: number): Promise<DistrictMinuteRows> {
    return this.reader.run('districtMinute', { minute });
  }

  occupancyPercentile(from: number, to: number, percentile: number): Promise<OccupancyPercentileRow[]> {
    return this.reader.run('occupancyP90', { from, to, percentile });
  }

  async close(): Promise<void> {
    await this.queue;
    await this.writer?.close();
    await this.readerThreads?.close();
    this.store.close();
  }
}
