/**
 * The async history repository (issue 9): everything the district engine writes and the gateways read, behind one
 * interface, so history can live in SQLite (one machine, the default) or PostgreSQL (`HISTORY_URL=postgres://…`, next).
 *
 * Status: NOT wired into the app yet. The app still calls HistoryStore (writes, synchronous better-sqlite3) and
 * HistoryReader (reads, worker threads) directly; SqliteHistoryRepository adapts both to this interface and is tested
 * (tests/unit/history.repository.test.ts), so the PostgreSQL implementation and the switch of telemetry.service.ts,
 * the sampler and the routes to `await repo.…` come in one step, without a half-migrated app in between.
 *
 * Writes happen in `write(fn)`: one transaction, committed when the promise resolves (an ingest 2xx waits for it).
 * In SQLite the transaction is BEGIN IMMEDIATE … COMMIT around an async body, so writes are serialised by a queue here
 * (a second writer on the same connection would otherwise join the open transaction).
 */
import type { LiveMetric } from '@models/metrics.ts';
import type { Reading } from '@models/telemetry.ts';
import type { BucketRow, DistrictMinuteRows, HistoryReader, OccupancyPercentileRow, PoolBucketRow } from './history.reader.ts';
import {
  metricCode,
  type CurrentBuildingRow,
  type CurrentCompanyRow,
  type CurrentPoolRow,
  type HistoryStore,
  type InsertOutcome,
  type MinuteValue,
  type PoolMinute,
} from './history.store.ts';

/** The writes of one transaction. */
export interface HistoryWriteTx {
  insertReading(reading: Reading, tsMs: number, receivedMs: number): Promise<InsertOutcome>;
  addBuildingReadings(buildingId: string, metric: LiveMetric, minute: number, mean: number, count: number): Promise<void>;
  saveCurrentBuilding(buildingId: string, metric: LiveMetric, value: number, tsMs: number): Promise<void>;
  saveCurrentPool(p: { supplierId: string; capacityPflops: number; allocatedPflops: number; usedPflops: number; tsMs: number }): Promise<void>;
  saveCurrentCompany(c: { companyId: string; buildingId: string | null; headcount: number; registeredModels: number; tsMs: number }): Promise<void>;
}

/** A range of minutes averaged into buckets of `bucket` minutes (bucket index from `from`). */
export interface BucketRange {
  from: number;
  to: number;
  bucket: number;
}

export interface HistoryRepository {
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

export class SqliteHistoryRepository implements HistoryRepository {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: HistoryStore,
    private readonly reader: HistoryReader,
  ) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  write<T>(fn: (tx: HistoryWriteTx) => Promise<T>): Promise<T> {
    const { store } = this;
    const tx: HistoryWriteTx = {
      insertReading: async (r, tsMs, receivedMs) => store.insertReading(r, tsMs, receivedMs),
      addBuildingReadings: async (...args) => store.addBuildingReadings(...args),
      saveCurrentBuilding: async (...args) => store.saveCurrentBuilding(...args),
      saveCurrentPool: async (p) => store.saveCurrentPool(p),
      saveCurrentCompany: async (c) => store.saveCurrentCompany(c),
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
    return this.serial(async () => this.store.writeSampledMinute(minute, buildings, pools));
  }

  pruneBatch(cutoffMs: number, limit: number): Promise<number> {
    return this.serial(async () => this.store.pruneBatch(cutoffMs, limit));
  }

  async current() {
    return this.store.current();
  }

  series(buildingIds: string[], metric: LiveMetric, r: BucketRange): Promise<BucketRow[][]> {
    return this.reader.run('series', { keys: buildingIds, metric: metricCode(metric), ...r });
  }

  weightedSeries(weights: Record<string, number>, metric: LiveMetric, r: BucketRange): Promise<BucketRow[]> {
    return this.reader.run('cluster', { weights, metric: metricCode(metric), ...r });
  }

  poolSeries(supplierId: string, r: BucketRange): Promise<PoolBucketRow[]> {
    return this.reader.run('pool', { key: supplierId, ...r });
  }

  districtMinute(minute: number): Promise<DistrictMinuteRows> {
    return this.reader.run('districtMinute', { minute });
  }

  occupancyPercentile(from: number, to: number, percentile: number): Promise<OccupancyPercentileRow[]> {
    return this.reader.run('occupancyP90', { from, to, percentile });
  }

  async close(): Promise<void> {
    await this.queue;
    await this.reader.close();
    this.store.close();
  }
}
