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
 * of rows in the file, the event loop is never held for long and frames keep going out on time. Writes go through the
 * history repository (SQLite or PostgreSQL), one awaited chunk at a time; a minute still being written when the next
 * one finishes waits its turn. `flush()` (shutdown) writes whatever is pending without pausing between chunks.
 */
import { LIVE_METRICS, type LiveMetric } from '@models/metrics.ts';
import { CHUNK, type LiveState, type MetricColumn } from '../live/live.state.ts';
import { minuteOf, STORED_INGEST, STORED_SIMULATED, type MinuteValue, type PoolMinute } from './history.store.ts';
import type { HistoryRepository } from './history.repository.ts';

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

/**
 * Add buildings [from, to) of one metric to the minute's sums, skipping what `state.isStale` calls stale (its expression
 * written out, not a call per building). Called in chunks of CHUNK, like the live state's loops, so V8 optimises it
 * whole; nothing is allocated. NOT_APPLICABLE (-1) and the source codes (0 none, 1 simulated, 2 ingest) are literals, as
 * in live.state.ts's loops (imported bindings are opaque tagged values to the optimiser); live.state.ts has the compiler
 * check them.
 */
function sampleChunk(from: number, to: number, col: MetricColumn, sums: MetricSums, districtTimeMs: number, wallNowMs: number, staleAfterMs: number): void {
  const { value: values, ts, source } = col;
  const { ingestSum, ingestCount, simulatedSum, simulatedCount } = sums;
  for (let i = from; i < to; i++) {
    const value = values[i]!;
    const src = source[i]!;
    if (Number.isNaN(value) || value === -1 || src === 0) continue;
    // isStaleAt written out: older than staleAfterMs by the district clock (simulated) or the wall (ingest); as
    // subtractions on each side, not `(simulated ? districtTimeMs : wallNowMs) - ts`, which boxed a float per building
    if (src === 1 ? districtTimeMs - ts[i]! > staleAfterMs : wallNowMs - ts[i]! > staleAfterMs) continue;
    if (src === 2) {
      ingestSum[i]! += value;
      ingestCount[i]! += 1;
    } else if (src === 1) {
      simulatedSum[i]! += value;
      simulatedCount[i]! += 1;
    }
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
  /** Finished minutes waiting to be written, oldest first (the head is being written). */
  private readonly queue: PendingMinute[] = [];
  private draining = false;
  private flushing = false;
  private chunkRows = FIRST_CHUNK_ROWS;
  private idle: Array<() => void> = [];

  constructor(
    private readonly state: LiveState,
    private readonly history: HistoryRepository,
    private readonly options: MinuteSamplerOptions = {},
  ) {
    this.sums = this.newSums();
    this.spare = this.newSums();
  }

  private newSums(): Record<LiveMetric, MetricSums> {
    return { occupancy: new MetricSums(this.state.n), computeLoad: new MetricSums(this.state.n) };
  }

  /** Resolves when no minute is being written. */
  settled(): Promise<void> {
    return this.queue.length > 0 || this.draining ? new Promise((resolve) => this.idle.push(resolve)) : Promise.resolve();
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
      for (let from = 0; from < state.n; from += CHUNK) sampleChunk(from, Math.min(from + CHUNK, state.n), col, sums, state.districtTimeMs, wallNowMs, state.staleAfterMs);
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

  /** Queue the finished minute for the chunked writer and start the next with the spare sums. */
  private handOff(): void {
    if (this.minute < 0) return;
    const finished = this.sums;
    // The spare set is free unless a minute is still being written (a slow disk or database): then a fresh set.
    this.sums = this.queue.length === 0 ? this.spare : this.newSums();
    this.spare = finished;
    const pools = [...this.pools.values()];
    this.pools.clear();
    this.queue.push({ minute: this.minute, sums: finished, pools, next: 0 });
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const p = this.queue[0]!;
        if (!this.flushing) await new Promise((resolve) => setImmediate(resolve));
        const t0 = performance.now();
        const rows = this.flushing ? Infinity : this.chunkRows;
        try {
          await this.writeChunk(p, rows);
        } catch (err) {
          this.options.onError?.(err);
          this.finish(p);
          continue;
        }
        if (this.flushing || p.next >= LIVE_METRICS.length * this.state.n) continue;
        // Size the next chunk to the budget from what this one cost (the cost per row grows with the file).
        const ms = performance.now() - t0;
        // Grow at most 2× a step (one quick chunk is no proof) and never past MAX_CHUNK_ROWS; shrink at once.
        const fit = ms > 0 ? (rows * CHUNK_BUDGET_MS) / ms : rows * 2;
        this.chunkRows = Math.max(100, Math.min(MAX_CHUNK_ROWS, rows * 2, Math.round(fit)));
      }
    } finally {
      this.draining = false;
      const waiting = this.idle;
      this.idle = [];
      for (const resolve of waiting) resolve();
    }
  }

  /** Write up to `maxRows` rows of the minute (one transaction); finishes it when nothing is left. */
  private async writeChunk(p: PendingMinute, maxRows: number): Promise<void> {
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
    if (rows.length > 0 || pools.length > 0) await this.history.writeSampledMinute(p.minute, rows, pools);
    p.next = k;
    if (k >= total) this.finish(p);
  }

  private finish(p: PendingMinute): void {
    const i = this.queue.indexOf(p);
    if (i >= 0) this.queue.splice(i, 1);
    for (const metric of LIVE_METRICS) p.sums[metric].reset();
  }

  /** Write what is pending and what the current minute has so far, without pausing (on shutdown). */
  async flush(): Promise<void> {
    this.flushing = true;
    try {
      if (this.minute >= 0) {
        this.handOff();
        this.minute = -1;
      }
      await this.settled();
    } finally {
      this.flushing = false;
    }
  }
}
