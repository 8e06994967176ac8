/**
 * Which buildings match the planner's filters: one byte per building index (1 = matches), for the scene to dim the
 * rest and for the filter panel's count.
 *
 * Static facts (cluster, use, the industries of its tenants, whether a tenant has registered models, floor area) are
 * tabulated once per district object; a call then allocates nothing, so it may run on every frame.
 * Tenants are the companies of the data set (their `buildingId`); a company that moves at run time is not followed here.
 */
import { BUILDING_USES, INDUSTRIES, type District } from '@models/district.ts';
import { METRICS, type MetricId } from '@models/metrics.ts';
import { Q_MAX } from '@models/frame.codec.ts';
import type { Filters } from '@models/view.ts';
import type { LiveValues } from './liveValues.ts';

export type FilterValues = Pick<LiveValues, 'occupancyQ' | 'computeQ' | 'headcount'>;

interface FilterTable {
  clusterIndex: Int32Array;
  clusterIndexById: Map<string, number>;
  /** Scratch: 1 for each cluster index the current filter keeps (reused, never reallocated). */
  clusterKeep: Uint8Array;
  useBit: Uint8Array;
  /** Bit i set when a tenant has industry INDUSTRIES[i]. */
  industryBits: Uint16Array;
  hasModels: Uint8Array;
  gfaM2: Float64Array;
}

const tables = new WeakMap<District, FilterTable>();

function tableOf(district: District): FilterTable {
  let t = tables.get(district);
  if (t) return t;
  const n = district.buildings.length;
  const clusterIndexById = new Map(district.clusters.map((c, i) => [c.id, i]));
  const buildingIndexById = new Map(district.buildings.map((b, i) => [b.id, i]));
  t = {
    clusterIndex: new Int32Array(n),
    clusterIndexById,
    clusterKeep: new Uint8Array(district.clusters.length),
    useBit: new Uint8Array(n),
    industryBits: new Uint16Array(n),
    hasModels: new Uint8Array(n),
    gfaM2: new Float64Array(n),
  };
  district.buildings.forEach((b, i) => {
    t!.clusterIndex[i] = clusterIndexById.get(b.clusterId) ?? -1;
    t!.useBit[i] = 1 << BUILDING_USES.indexOf(b.use);
    t!.gfaM2[i] = b.gfaM2;
  });
  for (const c of district.companies) {
    const i = buildingIndexById.get(c.buildingId);
    if (i === undefined) continue;
    t.industryBits[i]! |= 1 << INDUSTRIES.indexOf(c.industry);
    if (c.registeredModels > 0) t.hasModels[i] = 1;
  }
  tables.set(district, t);
  return t;
}

/** Whether any filter is set (no filter = every building matches). */
export function filtersActive(f: Filters): boolean {
  return f.clusters.length > 0 || f.uses.length > 0 || f.industries.length > 0 || f.hasRegisteredModels || f.range !== null;
}

/**
 * The value of `metric` for building `i` in display units, or NaN when it has none (no fresh value, or the metric does
 * not apply to it). Quantised values are read as the scene reads them.
 */
export function displayValue(metric: MetricId, values: FilterValues, gfaM2: number, i: number): number {
  const def = METRICS[metric];
  if (def.live) {
    const q = (metric === 'computeLoad' ? values.computeQ : values.occupancyQ)[i];
    // multiply first: (225 / 250) × 100 is 90.00000000000001, (225 × 100) / 250 is 90
    return q === undefined || q > Q_MAX ? NaN : (q * def.displayScale) / Q_MAX;
  }
  return gfaM2 > 0 ? ((values.headcount[i] ?? NaN) / gfaM2) * 10_000 * def.displayScale : NaN;
}

/**
 * Write 1 (matches every set filter) or 0 per building index into `out` and return how many match. A value range
 * (display units of `metric`, both ends included) excludes buildings without a value for the metric.
 */
export function filterMask(district: District, filters: Filters, metric: MetricId, values: FilterValues, out: Uint8Array): number {
  const n = district.buildings.length;
  if (out.length < n) throw new RangeError(`filter mask too small: ${out.length} < ${n} buildings`);
  const t = tableOf(district);

  const byCluster = filters.clusters.length > 0;
  if (byCluster) {
    t.clusterKeep.fill(0);
    for (const id of filters.clusters) {
      const ci = t.clusterIndexById.get(id);
      if (ci !== undefined) t.clusterKeep[ci] = 1;
    }
  }
  let useMask = 0;
  for (const u of filters.uses) useMask |= 1 << BUILDING_USES.indexOf(u);
  let industryMask = 0;
  for (const ind of filters.industries) industryMask |= 1 << INDUSTRIES.indexOf(ind);
  const models = filters.hasRegisteredModels;
  const range = filters.range;
  const lo = range ? Math.min(range[0], range[1]) : 0;
  const hi = range ? Math.max(range[0], range[1]) : 0;

  let count = 0;
  for (let i = 0; i < n; i++) {
    let keep = 1;
    if (byCluster) {
      const ci = t.clusterIndex[i]!;
      if (ci < 0 || t.clusterKeep[ci] === 0) keep = 0;
    }
    if (keep && useMask !== 0 && (t.useBit[i]! & useMask) === 0) keep = 0;
    if (keep && industryMask !== 0 && (t.industryBits[i]! & industryMask) === 0) keep = 0;
    if (keep && models && t.hasModels[i] === 0) keep = 0;
    if (keep && range) {
      const v = displayValue(metric, values, t.gfaM2[i]!, i);
      // NaN fails both comparisons: no value, no match
      if (!(v >= lo && v <= hi)) keep = 0;
    }
    out[i] = keep;
    count += keep;
  }
  return count;
}
