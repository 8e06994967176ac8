/**
 * The current value of everything live: per-building metrics (columnar, by building index), supplier pools and
 * company records, each with the time it describes and the source that wrote it. Owned by the district engine (the
 * one writer); every write goes through `offerMetric`, `offerPool` or `offerCompany`, which ask
 * engine/precedence.ts whether the value may replace the current one.
 *
 * Values are kept as Float64 so that an ingested 0.091 reads back as 0.091 (the frame quantises to bytes anyway).
 */
import type { BuildingState, CompanyState, PoolState, SourcedValue } from '@models/api.ts';
import type { District } from '@models/district.ts';
import { NOT_APPLICABLE, type FrameValues } from '@models/frame.codec.ts';
import type { LiveMetric } from '@models/metrics.ts';
import { replaces, replacesCode, SOURCE_INGEST, SOURCE_NONE, SOURCE_SIMULATED, sourceName, type PrecedenceRules, type SourceCode } from '../engine/precedence.ts';

export { SOURCE_INGEST, SOURCE_NONE, SOURCE_SIMULATED } from '../engine/precedence.ts';

/** Never set, or older than STALE_AFTER_S: simulated values by the district clock (which may run faster), real readings by the wall. */
export function isStaleAt(source: number, tsMs: number, districtTimeMs: number, wallNowMs: number, staleAfterMs: number): boolean {
  if (source === SOURCE_NONE) return true;
  return (source === SOURCE_SIMULATED ? districtTimeMs : wallNowMs) - tsMs > staleAfterMs;
}

/**
 * Loops over every building run in chunks of this many: a function called a few dozen times a tick is optimised whole
 * by V8 (with feedback for all its code), where one call per tick over 50,000 buildings ran part of the loop in the
 * baseline tier, which boxes every floating-point value (megabytes of garbage a tick).
 */
export const CHUNK = 2048;

/*
 * In these loops NOT_APPLICABLE (-1) and the source codes (0 none, 1 simulated, 2 ingest) are written as literals, and
 * each branch stores its own value instead of choosing one with `?:`. An imported binding is an opaque tagged value to
 * V8's optimiser, and a value chosen between it (or a tagged argument) and a computed float became a heap number: one
 * per building per tick, megabytes of garbage at 50,000 buildings.
 * The engine determinism test (tests/unit/engine.determinism.test.ts) pins the output; the compiler keeps the literals
 * equal to the names:
 */
NOT_APPLICABLE satisfies -1;
SOURCE_NONE satisfies 0;
SOURCE_SIMULATED satisfies 1;
SOURCE_INGEST satisfies 2;

/** `offerMetric(…, SOURCE_SIMULATED, …)` for buildings [from, to) of a column; returns how many were written. */
function offerSimulatedChunk(from: number, to: number, values: ArrayLike<number>, tsMs: number, value: Float64Array, ts: Float64Array, source: Uint8Array, rules: PrecedenceRules): number {
  let written = 0;
  for (let i = from; i < to; i++) {
    // Anything but a real reading (2) may be replaced (precedence.ts, rule 1): ask the rule only about real readings.
    if (source[i] === 2 && !replacesCode(2 /* SOURCE_INGEST */, ts[i]!, 1 /* SOURCE_SIMULATED */, tsMs, rules)) continue;
    value[i] = values[i]!;
    ts[i] = tsMs;
    source[i] = 1; // SOURCE_SIMULATED
    written++;
  }
  return written;
}

/** Frame values of buildings [from, to): `isStaleAt`'s expression written out (a call per building boxed its timestamps). */
function frameValuesChunk(
  from: number,
  to: number,
  occupancy: MetricColumn,
  computeLoad: MetricColumn,
  districtTimeMs: number,
  wallNowMs: number,
  staleAfterMs: number,
  frameOcc: Float32Array,
  frameCmp: Float32Array,
  frameOccIngest: Uint8Array,
  frameCmpIngest: Uint8Array,
): void {
  const occValue = occupancy.value;
  const occTs = occupancy.ts;
  const occSources = occupancy.source;
  const cmpValue = computeLoad.value;
  const cmpTs = computeLoad.ts;
  const cmpSources = computeLoad.source;
  for (let i = from; i < to; i++) {
    const occSource = occSources[i]!;
    const cmpSource = cmpSources[i]!;
    const cmp = cmpValue[i]!;
    // isStaleAt: never set (0), or older than staleAfterMs by the district clock (simulated, 1) or the wall (ingest).
    // Not `(simulated ? districtTimeMs : wallNowMs) - ts`: inlined into frameValues, that chose between a float read
    // from a field and a tagged argument, and boxed the float for every building.
    let occStale = true;
    if (occSource === 1) occStale = districtTimeMs - occTs[i]! > staleAfterMs;
    else if (occSource !== 0) occStale = wallNowMs - occTs[i]! > staleAfterMs;
    let cmpStale = true;
    if (cmpSource === 1) cmpStale = districtTimeMs - cmpTs[i]! > staleAfterMs;
    else if (cmpSource !== 0) cmpStale = wallNowMs - cmpTs[i]! > staleAfterMs;
    if (occStale) frameOcc[i] = NaN;
    else frameOcc[i] = occValue[i]!;
    // not applicable (-1) stays so, stale or not
    if (cmpStale && cmp !== -1) frameCmp[i] = NaN;
    else frameCmp[i] = cmp;
    frameOccIngest[i] = occSource === 2 ? 1 : 0;
    frameCmpIngest[i] = cmpSource === 2 ? 1 : 0;
  }
}

export class MetricColumn {
  readonly value: Float64Array;
  /** ms since epoch the value describes; 0 = never set. */
  readonly ts: Float64Array;
  readonly source: Uint8Array;
  constructor(n: number) {
    this.value = new Float64Array(n).fill(NaN);
    this.ts = new Float64Array(n);
    this.source = new Uint8Array(n);
  }
}

export interface LiveStateOptions {
  /** SIMULATOR=on: simulated values replace real readings in the live view (they are still stored in history). */
  simulatorOverridesIngest?: boolean;
}

export class LiveState {
  readonly n: number;
  readonly index: ReadonlyMap<string, number>;
  readonly metrics: Record<LiveMetric, MetricColumn>;
  readonly pools = new Map<string, PoolState>();
  readonly companies = new Map<string, CompanyState>();
  /** The district clock: the time the latest simulated values describe (wall clock when the simulator is off). */
  districtTimeMs = 0;
  /** Bumped on every write: readers cache what they derive from the state by it. */
  revision = 0;
  readonly staleAfterMs: number;
  private readonly simulatorOverridesIngest: boolean;
  /** Reused by every precedence check (no allocation in the tick). */
  private readonly rules: PrecedenceRules;
  // reused for every frame
  private readonly frameOcc: Float32Array;
  private readonly frameCmp: Float32Array;
  private readonly frameOccIngest: Uint8Array;
  private readonly frameCmpIngest: Uint8Array;

  constructor(
    readonly district: District,
    staleAfterS: number,
    options: LiveStateOptions = {},
  ) {
    this.n = district.buildings.length;
    this.index = new Map(district.buildings.map((b, i) => [b.id, i]));
    this.metrics = { occupancy: new MetricColumn(this.n), computeLoad: new MetricColumn(this.n) };
    this.staleAfterMs = staleAfterS * 1000;
    this.simulatorOverridesIngest = options.simulatorOverridesIngest ?? false;
    this.rules = { wallNowMs: 0, ingestHoldsMs: this.staleAfterMs, simulatorOverridesIngest: this.simulatorOverridesIngest };
    this.frameOcc = new Float32Array(this.n);
    this.frameCmp = new Float32Array(this.n);
    this.frameOccIngest = new Uint8Array(this.n);
    this.frameCmpIngest = new Uint8Array(this.n);
    for (const c of district.companies) {
      this.companies.set(c.id, { companyId: c.id, buildingId: c.buildingId, headcount: c.headcount, registeredModels: c.registeredModels, tsMs: 0, source: 'data' });
    }
  }

  private rulesAt(wallNowMs: number, ingestHoldsMs: number, override: boolean): PrecedenceRules {
    const r = this.rules;
    r.wallNowMs = wallNowMs;
    r.ingestHoldsMs = ingestHoldsMs;
    r.simulatorOverridesIngest = override;
    return r;
  }

  /** Offer a building metric value; written when precedence allows it. Returns whether it was written. */
  offerMetric(metric: LiveMetric, i: number, value: number, tsMs: number, source: SourceCode, wallNowMs: number, overrideIngest = this.simulatorOverridesIngest): boolean {
    const col = this.metrics[metric];
    if (!replacesCode(col.source[i]!, col.ts[i]!, source, tsMs, this.rulesAt(wallNowMs, this.staleAfterMs, overrideIngest))) return false;
    col.value[i] = value;
    col.ts[i] = tsMs;
    col.source[i] = source;
    this.revision++;
    return true;
  }

  /**
   * Offer a whole column of simulated values (the engine, each tick): for every building exactly what
   * `offerMetric(metric, i, values[i], tsMs, SOURCE_SIMULATED, wallNowMs)` does, without a call per building.
   */
  offerSimulatedColumn(metric: LiveMetric, values: ArrayLike<number>, tsMs: number, wallNowMs: number): number {
    const col = this.metrics[metric];
    const rules = this.rulesAt(wallNowMs, this.staleAfterMs, this.simulatorOverridesIngest);
    let written = 0;
    for (let from = 0; from < this.n; from += CHUNK) written += offerSimulatedChunk(from, Math.min(from + CHUNK, this.n), values, tsMs, col.value, col.ts, col.source, rules);
    this.revision += written;
    return written;
  }

  /** Offer a supplier pool; a real reading holds against the simulator while it is fresh. */
  offerPool(pool: PoolState, wallNowMs: number): boolean {
    if (!replaces(this.pools.get(pool.supplierId), pool, this.rulesAt(wallNowMs, this.staleAfterMs, this.simulatorOverridesIngest))) return false;
    this.pools.set(pool.supplierId, pool);
    this.revision++;
    return true;
  }

  /** Offer a company record; a real reading holds against the simulator until a newer real one. */
  offerCompany(company: CompanyState, wallNowMs: number): boolean {
    if (!replaces(this.companies.get(company.companyId), company, this.rulesAt(wallNowMs, Infinity, this.simulatorOverridesIngest))) return false;
    this.companies.set(company.companyId, company);
    this.revision++;
    return true;
  }

  /** A simulated value (`overrideIngest`: SIMULATOR=on). */
  setSimulated(metric: LiveMetric, i: number, value: number, tsMs: number, wallNowMs: number, overrideIngest = this.simulatorOverridesIngest): boolean {
    return this.offerMetric(metric, i, value, tsMs, SOURCE_SIMULATED, wallNowMs, overrideIngest);
  }

  /** A real reading; returns false when a newer real reading is already current. */
  setIngested(metric: LiveMetric, i: number, value: number, tsMs: number): boolean {
    return this.offerMetric(metric, i, value, tsMs, SOURCE_INGEST, tsMs);
  }

  /** Restore a value from history at start-up, as the source recorded it. */
  restore(metric: LiveMetric, i: number, value: number, tsMs: number, source: SourceCode): void {
    this.offerMetric(metric, i, value, tsMs, source, tsMs);
  }

  isStale(metric: LiveMetric, i: number, wallNowMs: number): boolean {
    const col = this.metrics[metric];
    return isStaleAt(col.source[i]!, col.ts[i]!, this.districtTimeMs, wallNowMs, this.staleAfterMs);
  }

  /** Frame columns with stale values as NaN. Returns reused arrays: encode them before the next call. */
  frameValues(wallNowMs: number): FrameValues {
    const { occupancy, computeLoad } = this.metrics;
    const { frameOcc, frameCmp, frameOccIngest, frameCmpIngest, districtTimeMs, staleAfterMs, n } = this;
    for (let from = 0; from < n; from += CHUNK) {
      frameValuesChunk(from, Math.min(from + CHUNK, n), occupancy, computeLoad, districtTimeMs, wallNowMs, staleAfterMs, frameOcc, frameCmp, frameOccIngest, frameCmpIngest);
    }
    return { occupancy: frameOcc, computeLoad: frameCmp, occupancyIngest: frameOccIngest, computeIngest: frameCmpIngest };
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
