/**
 * Cross-record consistency of the district data set: what the zod schemas in `district.ts` cannot see on their own
 * (ids that must be unique or must exist, compute pools that must not be over-allocated, degenerate footprints).
 * Pure and free of Node imports: the server runs it at start-up, the client build and the tests may run it too.
 */
import type { CompaniesFile, DistrictFile, SuppliersFile } from './district.ts';
import { ringAreaM2 } from './geo.ts';

export interface DataIssue {
  /** Data file, relative to the data directory, e.g. `district.json`. */
  file: string;
  /** The record, e.g. `buildings[12] (id "mp-b07")`. */
  record: string;
  /** Dotted path inside the record, e.g. `clusterId` or `compute.supplierId`. */
  field: string;
  message: string;
}

/** `buildings[12] (id "mp-b07")`; the id part is left out when the record has no string id. */
export function recordLabel(collection: string, index: number, id?: unknown): string {
  return typeof id === 'string' ? `${collection}[${index}] (id ${JSON.stringify(id)})` : `${collection}[${index}]`;
}

/** Footprints smaller than this (m²) are treated as degenerate. */
const MIN_FOOTPRINT_M2 = 1;
/** Allocations are decimals; allow for float summation noise. */
const PFLOPS_EPSILON = 1e-6;

export function checkDistrictConsistency(d: {
  district: DistrictFile;
  companies: CompaniesFile;
  suppliers: SuppliersFile;
}): DataIssue[] {
  const issues: DataIssue[] = [];
  const { district, companies, suppliers } = d;
  const origin = district.geography.origin;

  const uniqueIds = (file: string, collection: string, records: readonly { id: string }[]): Set<string> => {
    const firstAt = new Map<string, number>();
    records.forEach((r, i) => {
      const first = firstAt.get(r.id);
      if (first === undefined) firstAt.set(r.id, i);
      else
        issues.push({
          file,
          record: recordLabel(collection, i, r.id),
          field: 'id',
          message: `duplicate id ${JSON.stringify(r.id)} (already used by ${recordLabel(collection, first, r.id)})`,
        });
    });
    return new Set(firstAt.keys());
  };

  // district.json
  const DF = 'district.json';
  const clusterIds = uniqueIds(DF, 'clusters', district.clusters);
  const buildingIds = uniqueIds(DF, 'buildings', district.buildings);
  uniqueIds(DF, 'geography.water', district.geography.water);
  uniqueIds(DF, 'geography.roads', district.geography.roads);

  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  for (const [lon, lat] of district.geography.boundary.polygon) {
    minLon = Math.min(minLon, lon);
    maxLon = Math.max(maxLon, lon);
    minLat = Math.min(minLat, lat);
    maxLat = Math.max(maxLat, lat);
  }
  const bboxText = `[${minLon}, ${minLat}] – [${maxLon}, ${maxLat}]`;

  district.buildings.forEach((b, i) => {
    const record = recordLabel('buildings', i, b.id);
    if (!clusterIds.has(b.clusterId)) {
      issues.push({ file: DF, record, field: 'clusterId', message: `unknown cluster ${JSON.stringify(b.clusterId)}` });
    }
    const area = Math.abs(ringAreaM2(origin, b.footprint));
    if (!(area >= MIN_FOOTPRINT_M2)) {
      issues.push({ file: DF, record, field: 'footprint', message: `footprint has no area (${area.toFixed(3)} m²)` });
    }
    const outside = b.footprint.findIndex(([lon, lat]) => lon < minLon || lon > maxLon || lat < minLat || lat > maxLat);
    if (outside >= 0) {
      const p = b.footprint[outside]!;
      issues.push({
        file: DF,
        record,
        field: `footprint.${outside}`,
        message: `point [${p[0]}, ${p[1]}] lies outside the district boundary's extent ${bboxText}`,
      });
    }
  });

  // suppliers.json
  const SF = 'suppliers.json';
  const supplierIds = uniqueIds(SF, 'suppliers', suppliers.suppliers);

  // companies.json
  const CF = 'companies.json';
  uniqueIds(CF, 'companies', companies.companies);
  const allocated = new Map<string, { sum: number; count: number }>();
  companies.companies.forEach((c, i) => {
    const record = recordLabel('companies', i, c.id);
    if (!buildingIds.has(c.buildingId)) {
      issues.push({ file: CF, record, field: 'buildingId', message: `unknown building ${JSON.stringify(c.buildingId)}` });
    }
    if (c.compute) {
      if (!supplierIds.has(c.compute.supplierId)) {
        issues.push({
          file: CF,
          record,
          field: 'compute.supplierId',
          message: `unknown compute supplier ${JSON.stringify(c.compute.supplierId)}`,
        });
      } else {
        const a = allocated.get(c.compute.supplierId) ?? { sum: 0, count: 0 };
        a.sum += c.compute.pflops;
        a.count += 1;
        allocated.set(c.compute.supplierId, a);
      }
    }
  });

  const seen = new Set<string>();
  suppliers.suppliers.forEach((s, i) => {
    if (seen.has(s.id)) return; // duplicates are reported above; count the pool once
    seen.add(s.id);
    const a = allocated.get(s.id);
    if (a && a.sum > s.capacityPflops + PFLOPS_EPSILON) {
      issues.push({
        file: SF,
        record: recordLabel('suppliers', i, s.id),
        field: 'capacityPflops',
        message:
          `over-allocated: companies.json allocates ${+a.sum.toFixed(3)} PFLOPS to ${a.count} companies, ` +
          `more than the capacity of ${s.capacityPflops} PFLOPS`,
      });
    }
  });

  return issues;
}
