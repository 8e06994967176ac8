/**
 * The current value of everything live: per-building metrics (columnar, by building index), supplier pools and
 * company records, each with the time it describes and the source that wrote it. Sources write here; the
 * broadcaster, the REST API and history read from here.
 *
 * Precedence: a reading from a real feed (ingest) always replaces a simulated value; among ingest readings an older
 * one never replaces a newer one; the simulator never overwrites an ingest value that is still fresh.
 */
import type { BuildingState, CompanyState, PoolState, SourcedValue } from '@models/api.ts';
import type { District } from '@models/district.ts';
import { NOT_APPLICABLE, type FrameValues } from '@models/frame.codec.ts';
import type { LiveMetric, ValueSource } from '@models/metrics.ts';

export const SOURCE_NONE = 0;
export const SOURCE_SIMULATED = 1;
export const SOURCE_INGEST = 2;
type SourceCode = typeof SOURCE_NONE | typeof SOURCE_SIMULATED | typeof SOURCE_INGEST;

const sourceName = (code: number): ValueSource | null => (code === SOURCE_INGEST ? 'ingest' : code === SOURCE_SIMULATED ? 'simulated' : null);

export class MetricColumn {
  readonly value: Float32Array;
  /** ms since epoch the value describes; 0 = never set. */
  readonly ts: Float64Array;
  readonly source: Uint8Array;
  constructor(n: number) {
    this.value = new Float32Array(n).fill(NaN);
    this.ts = new Float64Array(n);
    this.source = new Uint8Array(n);
  }
}

export class LiveState {
  readonly n: number;
  readonly index: ReadonlyMap<string, number>;
  readonly metrics: Record<LiveMetric, MetricColumn>;
  readonly pools = new Map<string, PoolState>();
  readonly companies = new Map<string, CompanyState>();
  /** The district clock: the time the latest simulated values describe (wall clock when the simulator is off). */
  districtTimeMs = 0;
  readonly staleAfterMs: number;
  // reused for every frame
  private readonly frameOcc: Float32Array;
  private readonly frameCmp: Float32Array;
  private readonly frameOccIngest: Uint8Array;
  private readonly frameCmpIngest: Uint8Array;

  constructor(
    readonly district: District,
    staleAfterS: number,
  ) {
    this.n = district.buildings.length;
    this.index = new Map(district.buildings.map((b, i) => [b.id, i]));
    this.metrics = { occupancy: new MetricColumn(this.n), computeLoad: new MetricColumn(this.n) };
    this.staleAfterMs = staleAfterS * 1000;
    this.frameOcc = new Float32Array(this.n);
    this.frameCmp = new Float32Array(this.n);
    this.frameOccIngest = new Uint8Array(this.n);
    this.frameCmpIngest = new Uint8Array(this.n);
    for (const c of district.companies) {
      this.companies.set(c.id, { companyId: c.id, buildingId: c.buildingId, headcount: c.headcount, registeredModels: c.registeredModels, tsMs: 0, source: 'data' });
    }
  }

  /** Write a simulated value unless a fresh ingest value holds the slot (`overrideIngest`: SIMULATOR=on). */
  setSimulated(metric: LiveMetric, i: number, value: number, tsMs: number, wallNowMs: number, overrideIngest = false): void {
    const col = this.metrics[metric];
    if (!overrideIngest && col.source[i] === SOURCE_INGEST && wallNowMs - col.ts[i]! <= this.staleAfterMs) return;
    col.value[i] = value;
    col.ts[i] = tsMs;
    col.source[i] = SOURCE_SIMULATED;
  }

  /** Apply an ingested value; returns false when a newer ingest value is already current. */
  setIngested(metric: LiveMetric, i: number, value: number, tsMs: number): boolean {
    const col = this.metrics[metric];
    if (col.source[i] === SOURCE_INGEST && col.ts[i]! > tsMs) return false;
    col.value[i] = value;
    col.ts[i] = tsMs;
    col.source[i] = SOURCE_INGEST;
    return true;
  }

  /** Restore a value from history at start-up, as the source recorded it. */
  restore(metric: LiveMetric, i: number, value: number, tsMs: number, source: SourceCode): void {
    const col = this.metrics[metric];
    if (col.ts[i]! > tsMs) return;
    col.value[i] = value;
    col.ts[i] = tsMs;
    col.source[i] = source;
  }

  isStale(metric: LiveMetric, i: number, wallNowMs: number): boolean {
    const col = this.metrics[metric];
    const src = col.source[i];
    if (src === SOURCE_NONE) return true;
    // Simulated values are judged against the simulated clock (which may run faster); real readings against the wall.
    const now = src === SOURCE_SIMULATED ? this.districtTimeMs : wallNowMs;
    return now - col.ts[i]! > this.staleAfterMs;
  }

  /** Frame columns with stale values as NaN. Returns reused arrays: encode them before the next call. */
  frameValues(wallNowMs: number): FrameValues {
    const { occupancy, computeLoad } = this.metrics;
    for (let i = 0; i < this.n; i++) {
      this.frameOcc[i] = this.isStale('occupancy', i, wallNowMs) ? NaN : occupancy.value[i]!;
      this.frameCmp[i] = computeLoad.value[i] === NOT_APPLICABLE ? NOT_APPLICABLE : this.isStale('computeLoad', i, wallNowMs) ? NaN : computeLoad.value[i]!;
      this.frameOccIngest[i] = occupancy.source[i] === SOURCE_INGEST ? 1 : 0;
      this.frameCmpIngest[i] = computeLoad.source[i] === SOURCE_INGEST ? 1 : 0;
    }
    return { occupancy: this.frameOcc, computeLoad: this.frameCmp, occupancyIngest: this.frameOccIngest, computeIngest: this.frameCmpIngest };
  }

  sourcedValue(metric: LiveMetric, i: number, wallNowMs: number): SourcedValue {
    const col = this.metrics[metric];
    const src = col.source[i]!;
    const v = col.value[i]!;
    return {
      value: src === SOURCE_NONE || Number.isNaN(v) || v === NOT_APPLICABLE ? null : v,
      ts: src === SOURCE_NONE ? null : new Date(col.ts[i]!).toISOString(),
      source: sourceName(src),
      stale: this.isStale(metric, i, wallNowMs),
    };
  }

  buildingStates(wallNowMs: number): BuildingState[] {
    return this.district.buildings.map((b, i) => ({
      id: b.id,
      metrics: { occupancy: this.sourcedValue('occupancy', i, wallNowMs), computeLoad: this.sourcedValue('computeLoad', i, wallNowMs) },
    }));
  }
}
