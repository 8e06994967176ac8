/**
 * Per-minute aggregates of the live state, whatever wrote it: sampled after every tick in memory, written once per
 * minute (one transaction), so history never gets a row per building per tick.
 *
 * Within a minute a building metric averages its ingested samples if it had any, else its simulated ones; stale and
 * not-applicable values are not samples. Pools keep the last sample of the minute.
 *
 * The minute is written in chunks, never in one go: when the clock moves into a new minute the finished minute's sums
 * are handed to a writer (the sampler goes on with a second set of sums) that writes rows in short transactions with
 * `setImmediate` between them, sizing each chunk to about CHUNK_BUDGET_MS (3 ms) — so at 50,000 buildings, or with a week
 * of rows in the file, the event loop is never held for long and frames keep going out on time. `flush()` (shutdown)
 * writes whatever is pending at once.
 */
import { LIVE_METRICS, type LiveMetric } from '@models/metrics.ts';
import { NOT_APPLICABLE } from '@models/frame.codec.ts';
import { SOURCE_INGEST, SOURCE_SIMULATED, type LiveState } from '../live/live.state.ts';
import { minuteOf, STORED_INGEST, STORED_SIMULATED, type HistoryStore, type MinuteValue, type PoolMinute } from './history.store.ts';

class MetricSums {
  readonly simulatedSum: Float64Array;
  readonly simulatedCount: Uint32Array;
  readonly ingestSum: Float64Array;
  readonly ingestCount: Uint32Array;
  constructor(n: number) {
    this.simulatedSum = new Float64Array(n);
    this.simulatedCount = new Uint32Array(n);
    this.ingestSum = new Float64Array(n);
    this.ingestCount = new Uint32Array(n);
  }
  reset(): void {
    this.simulatedSum.fill(0);
    this.simulatedCount.fill(0);
    this.ingestSum.fill(0);
    this.ingestCount.fill(0);
  }
}

/** Aim for chunks of about this long (each is one short transaction). */
export const CHUNK_BUDGET_MS = 3;
const FIRST_CHUNK_ROWS = 500;
const MAX_CHUNK_ROWS = 4000;

export interface MinuteSamplerOptions {
  /** A chunk that could not be written (the rest of that minute is dropped; the next minute is tried afresh). */
  onError?: (err: unknown) => void;
}

/** A finished minute being written, chunk by chunk. */
interface PendingMinute {
  minute: number;
  sums: Record<LiveMetric, MetricSums>;
  pools: PoolMinute[];
  /** Next position: metric index × n + building index. */
  next: number;
}

export class MinuteSampler {
  private minute = -1;
  private sums: Record<LiveMetric, MetricSums>;
  /** The other set of sums: being written, or ready for the next minute. */
  private spare: Record<LiveMetric, MetricSums>;
  private readonly pools = new Map<string, PoolMinute>();
  private pending: PendingMinute | null = null;
  private chunkRows = FIRST_CHUNK_ROWS;
  private idle: Array<() => void> = [];

  constructor(
    private readonly state: LiveState,
    private readonly store: HistoryStore,
    private readonly options: MinuteSamplerOptions = {},
  ) {
    this.sums = { occupancy: new MetricSums(state.n), computeLoad: new MetricSums(state.n) };
    this.spare = { occupancy: new MetricSums(state.n), computeLoad: new MetricSums(state.n) };
  }

  /** Resolves when no minute is being written. */
  settled(): Promise<void> {
    return this.pending ? new Promise((resolve) => this.idle.push(resolve)) : Promise.resolve();
  }

  /** Add the live state as it is now; starts writing the previous minute when the wall clock has moved into a new one. */
  sample(wallNowMs: number): void {
    const minute = minuteOf(wallNowMs);
    if (minute !== this.minute) {
      this.handOff();
      this.minute = minute;
    }
    const { state } = this;
    for (const metric of LIVE_METRICS) {
      const col = state.metrics[metric];
      const sums = this.sums[metric];
      for (let i = 0; i < state.n; i++) {
        const value = col.value[i]!;
        if (Number.isNaN(value) || value === NOT_APPLICABLE || state.isStale(metric, i, wallNowMs)) continue;
        if (col.source[i] === SOURCE_INGEST) {
          sums.ingestSum[i]! += value;
          sums.ingestCount[i]! += 1;
        } else if (col.source[i] === SOURCE_SIMULATED) {
          sums.simulatedSum[i]! += value;
          sums.simulatedCount[i]! += 1;
        }
      }
    }
    for (const p of state.pools.values()) {
      this.pools.set(p.supplierId, {
        supplierId: p.supplierId,
        capacityPflops: p.capacityPflops,
        allocatedPflops: p.allocatedPflops,
        usedPflops: p.usedPflops,
        source: p.source === 'ingest' ? STORED_INGEST : STORED_SIMULATED,
      });
    }
  }

  /** Hand the finished minute to the chunked writer and start the next with the spare sums. */
  private handOff(): void {
    if (this.minute < 0) return;
    // A minute still being written (a slow disk): finish it first, in one go.
    if (this.pending) {
      try {
        this.writeChunks(Infinity);
      } catch (err) {
        this.options.onError?.(err);
        this.finishPending();
      }
    }
    const finished = this.sums;
    this.sums = this.spare;
    this.spare = finished;
    const pools = [...this.pools.values()];
    this.pools.clear();
    this.pending = { minute: this.minute, sums: finished, pools, next: 0 };
    setImmediate(() => this.step());
  }

  private step(): void {
    if (!this.pending) return;
    const t0 = performance.now();
    const rows = this.chunkRows;
    try {
      this.writeChunks(rows);
    } catch (err) {
      this.options.onError?.(err);
      this.finishPending();
      return;
    }
    if (!this.pending) return;
    // Size the next chunk to the budget from what this one cost (the cost per row grows with the file).
    const ms = performance.now() - t0;
    // Grow at most 2× a step (one quick chunk is no proof) and never past MAX_CHUNK_ROWS; shrink at once.
    const fit = ms > 0 ? (rows * CHUNK_BUDGET_MS) / ms : rows * 2;
    this.chunkRows = Math.max(100, Math.min(MAX_CHUNK_ROWS, rows * 2, Math.round(fit)));
    setImmediate(() => this.step());
  }

  /** Write up to `maxRows` rows of the pending minute (as one transaction); finishes it when nothing is left. */
  private writeChunks(maxRows: number): void {
    const p = this.pending!;
    const { n } = this.state;
    const { buildings } = this.state.district;
    const total = LIVE_METRICS.length * n;
    const rows: MinuteValue[] = [];
    let k = p.next;
    for (; k < total && rows.length < maxRows; k++) {
      const metric = LIVE_METRICS[Math.floor(k / n)]!;
      const i = k % n;
      const s = p.sums[metric];
      if (s.ingestCount[i]! > 0) rows.push({ buildingId: buildings[i]!.id, metric, value: s.ingestSum[i]! / s.ingestCount[i]!, source: STORED_INGEST });
      else if (s.simulatedCount[i]! > 0) rows.push({ buildingId: buildings[i]!.id, metric, value: s.simulatedSum[i]! / s.simulatedCount[i]!, source: STORED_SIMULATED });
    }
    const pools = p.next === 0 ? p.pools : [];
    p.next = k;
    if (rows.length > 0 || pools.length > 0) this.store.writeSampledMinute(p.minute, rows, pools);
    if (k >= total) this.finishPending();
  }

  private finishPending(): void {
    if (!this.pending) return;
    for (const metric of LIVE_METRICS) this.pending.sums[metric].reset();
    this.pending = null;
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }

  /** Write what is pending and what the current minute has so far, at once (on shutdown). */
  flush(): void {
    if (this.pending) this.writeChunks(Infinity);
    if (this.minute < 0) return;
    this.handOff();
    this.writeChunks(Infinity);
  }
}
