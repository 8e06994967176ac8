/**
 * Per-minute aggregates of the live state, whatever wrote it: sampled after every tick in memory, written once per
 * minute (one transaction), so history never gets a row per building per tick.
 *
 * Within a minute a building metric averages its ingested samples if it had any, else its simulated ones; stale and
 * not-applicable values are not samples. Pools keep the last sample of the minute.
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

export class MinuteSampler {
  private minute = -1;
  private readonly sums: Record<LiveMetric, MetricSums>;
  private readonly pools = new Map<string, PoolMinute>();

  constructor(
    private readonly state: LiveState,
    private readonly store: HistoryStore,
  ) {
    this.sums = { occupancy: new MetricSums(state.n), computeLoad: new MetricSums(state.n) };
  }

  /** Add the live state as it is now; writes the previous minute when the wall clock has moved into a new one. */
  sample(wallNowMs: number): void {
    const minute = minuteOf(wallNowMs);
    if (minute !== this.minute) {
      this.flush();
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

  /** Write what the current minute has so far (at the minute's end, and on shutdown). */
  flush(): void {
    if (this.minute < 0) return;
    const rows: MinuteValue[] = [];
    const { buildings } = this.state.district;
    for (const metric of LIVE_METRICS) {
      const s = this.sums[metric];
      for (let i = 0; i < this.state.n; i++) {
        const buildingId = buildings[i]!.id;
        if (s.ingestCount[i]! > 0) rows.push({ buildingId, metric, value: s.ingestSum[i]! / s.ingestCount[i]!, source: STORED_INGEST });
        else if (s.simulatedCount[i]! > 0) rows.push({ buildingId, metric, value: s.simulatedSum[i]! / s.simulatedCount[i]!, source: STORED_SIMULATED });
      }
      s.reset();
    }
    const pools = [...this.pools.values()];
    this.pools.clear();
    if (rows.length > 0 || pools.length > 0) this.store.writeSampledMinute(this.minute, rows, pools);
  }
}
