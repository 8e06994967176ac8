/**
 * A cluster's figures now: buildings, floor area, capacity, companies, headcount, registered models, and its
 * occupancy and compute load as weighted means over the buildings that have a fresh value.
 *
 * Weights: occupancy is a share of each building's design capacity, so the cluster's occupancy is
 * Σ(occupancy × capacity) / Σ capacity — people in the buildings over places. Compute load is a share of each
 * building's tenants' allocated compute, so it is weighted by the allocated PFLOPS: used PFLOPS over allocated PFLOPS.
 * Buildings without a fresh value are left out of both sums, and the share of the weight that had a value is reported
 * (`occupancyCoverage`), so a cluster mean over a few buildings is not read as the whole cluster's.
 */
import type { District } from '@models/district.ts';
import { Q_MAX } from '@models/frame.codec.ts';
import type { LiveValues } from './liveValues.ts';

export type FigureValues = Pick<LiveValues, 'occupancyQ' | 'computeQ' | 'sources' | 'headcount'>;

export interface ClusterFigures {
  /** Cluster id, or null for the whole district. */
  clusterId: string | null;
  buildings: number;
  floorAreaM2: number;
  capacityPeople: number;
  companies: number;
  /** Tenants' headcount (company records, updated by company state). */
  headcount: number;
  registeredModels: number;
  /** Allocated compute of the tenants, PFLOPS. */
  allocatedPflops: number;
  /** Capacity-weighted mean occupancy, 0..1; null when no building has a fresh value. */
  occupancy: number | null;
  /** Share of the capacity whose building had a fresh occupancy value, 0..1. */
  occupancyCoverage: number;
  /** Allocation-weighted mean compute load, 0..1; null when no building with compute tenants has a fresh value. */
  computeLoad: number | null;
  computeCoverage: number;
  /** Buildings whose occupancy value came from the live feed / from the simulator. */
  ingestBuildings: number;
  simulatedBuildings: number;
}

interface FigureTable {
  clusterIndex: Int32Array;
  allocatedPflops: Float64Array;
  companies: Int32Array;
  registeredModels: Int32Array;
}
const tables = new WeakMap<District, FigureTable>();

function tableOf(district: District): FigureTable {
  let t = tables.get(district);
  if (t) return t;
  const n = district.buildings.length;
  const clusterIndexById = new Map(district.clusters.map((c, i) => [c.id, i]));
  const buildingIndexById = new Map(district.buildings.map((b, i) => [b.id, i]));
  t = { clusterIndex: new Int32Array(n), allocatedPflops: new Float64Array(n), companies: new Int32Array(n), registeredModels: new Int32Array(n) };
  district.buildings.forEach((b, i) => (t!.clusterIndex[i] = clusterIndexById.get(b.clusterId) ?? -1));
  for (const c of district.companies) {
    const i = buildingIndexById.get(c.buildingId);
    if (i === undefined) continue;
    t.companies[i]!++;
    t.registeredModels[i]! += c.registeredModels;
    if (c.compute) t.allocatedPflops[i]! += c.compute.pflops;
  }
  tables.set(district, t);
  return t;
}

interface Acc {
  f: ClusterFigures;
  occW: number;
  occSum: number;
  cmpW: number;
  cmpSum: number;
}

function empty(clusterId: string | null): Acc {
  return {
    f: {
      clusterId,
      buildings: 0,
      floorAreaM2: 0,
      capacityPeople: 0,
      companies: 0,
      headcount: 0,
      registeredModels: 0,
      allocatedPflops: 0,
      occupancy: null,
      occupancyCoverage: 0,
      computeLoad: null,
      computeCoverage: 0,
      ingestBuildings: 0,
      simulatedBuildings: 0,
    },
    occW: 0,
    occSum: 0,
    cmpW: 0,
    cmpSum: 0,
  };
}

/**
 * Figures for every cluster (in district order) and for the whole district. `values` null (or `stale`) = no live
 * values: the static figures are filled and occupancy / compute load are null.
 */
export function clusterFigures(district: District, values: FigureValues | null, stale = false): { clusters: ClusterFigures[]; district: ClusterFigures } {
  const t = tableOf(district);
  const accs = district.clusters.map((c) => empty(c.id));
  const all = empty(null);
  const live = values !== null && !stale;
  district.buildings.forEach((b, i) => {
    const ci = t.clusterIndex[i]!;
    for (const a of ci >= 0 ? [accs[ci]!, all] : [all]) {
      const f = a.f;
      f.buildings++;
      f.floorAreaM2 += b.gfaM2;
      f.capacityPeople += b.capacityPeople;
      f.companies += t.companies[i]!;
      f.registeredModels += t.registeredModels[i]!;
      f.allocatedPflops += t.allocatedPflops[i]!;
      f.headcount += values ? (values.headcount[i] ?? 0) : 0;
      if (!live) continue;
      const oq = values.occupancyQ[i]!;
      if (oq <= Q_MAX && b.capacityPeople > 0) {
        a.occW += b.capacityPeople;
        a.occSum += (oq / Q_MAX) * b.capacityPeople;
        if ((values.sources[i >> 2]! >> ((i & 3) * 2)) & 1) f.ingestBuildings++;
        else f.simulatedBuildings++;
      }
      const cq = values.computeQ[i]!;
      const alloc = t.allocatedPflops[i]!;
      if (cq <= Q_MAX && alloc > 0) {
        a.cmpW += alloc;
        a.cmpSum += (cq / Q_MAX) * alloc;
      }
    }
  });
  for (const a of [...accs, all]) {
    const f = a.f;
    f.occupancy = a.occW > 0 ? a.occSum / a.occW : null;
    f.occupancyCoverage = f.capacityPeople > 0 ? a.occW / f.capacityPeople : 0;
    f.computeLoad = a.cmpW > 0 ? a.cmpSum / a.cmpW : null;
    f.computeCoverage = f.allocatedPflops > 0 ? a.cmpW / f.allocatedPflops : 0;
  }
  if (!values) {
    // headcount from the data file when no live buffer is given
    const buildingIndexById = new Map(district.buildings.map((b, i) => [b.id, i]));
    for (const c of district.companies) {
      const i = buildingIndexById.get(c.buildingId);
      if (i === undefined) continue;
      const ci = t.clusterIndex[i]!;
      if (ci >= 0) accs[ci]!.f.headcount += c.headcount;
      all.f.headcount += c.headcount;
    }
  }
  return { clusters: accs.map((a) => a.f), district: all.f };
}
