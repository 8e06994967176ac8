import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { District } from '@models/district.ts';
import { Q_MAX, Q_NA, Q_NONE } from '@models/frame.codec.ts';
import { clusterFigures } from '../../client/src/tools/clusterFigures.ts';
import { loadDistrict } from '../../server/src/district/district.loader.ts';

const DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));

describe('cluster figures on the shipped district', () => {
  let d: District;
  beforeAll(async () => {
    d = await loadDistrict(DATA_DIR);
  });

  function values() {
    const n = d.buildings.length;
    const occupancyQ = new Uint8Array(n);
    const computeQ = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      occupancyQ[i] = (i * 37) % (Q_MAX + 1);
      computeQ[i] = (i * 11) % (Q_MAX + 1);
    }
    occupancyQ[0] = Q_NONE;
    computeQ[1] = Q_NA;
    const headcount = new Float64Array(n);
    for (const c of d.companies) headcount[d.buildings.findIndex((b) => b.id === c.buildingId)]! += c.headcount;
    return { occupancyQ, computeQ, sources: new Uint8Array(Math.ceil(n / 4)).fill(0b01010101), headcount };
  }

  it('sum, over the six clusters, to the district', () => {
    const { clusters, district } = clusterFigures(d, values());
    expect(clusters).toHaveLength(6);
    const sum = (k: 'buildings' | 'floorAreaM2' | 'capacityPeople' | 'companies' | 'headcount' | 'registeredModels' | 'allocatedPflops') =>
      clusters.reduce((s, c) => s + c[k], 0);
    expect(sum('buildings')).toBe(d.buildings.length);
    expect(district.buildings).toBe(d.buildings.length);
    expect(sum('companies')).toBe(d.companies.length);
    expect(district.companies).toBe(d.companies.length);
    expect(sum('headcount')).toBe(d.companies.reduce((s, c) => s + c.headcount, 0));
    expect(sum('registeredModels')).toBe(d.companies.reduce((s, c) => s + c.registeredModels, 0));
    expect(sum('floorAreaM2')).toBeCloseTo(d.buildings.reduce((s, b) => s + b.gfaM2, 0), 3);
    expect(sum('capacityPeople')).toBe(d.buildings.reduce((s, b) => s + b.capacityPeople, 0));
    expect(sum('allocatedPflops')).toBeCloseTo(district.allocatedPflops, 6);
    expect(clusters.reduce((s, c) => s + c.ingestBuildings, 0)).toBe(district.ingestBuildings);
    // every building with a fresh occupancy value has its source counted (all are ingest here)
    expect(district.ingestBuildings).toBe(d.buildings.length - 1 - d.buildings.filter((b) => b.capacityPeople === 0).length + (d.buildings[0]!.capacityPeople === 0 ? 1 : 0));
    expect(district.simulatedBuildings).toBe(0);
  });

  it('weights occupancy by capacity and compute by allocation, so the clusters\' means combine to the district\'s', () => {
    const v = values();
    const { clusters, district } = clusterFigures(d, v);
    // capacity actually counted (with a fresh value) per cluster recombines to the district mean
    let people = 0;
    let places = 0;
    for (const c of clusters) {
      if (c.occupancy === null) continue;
      people += c.occupancy * c.capacityPeople * c.occupancyCoverage;
      places += c.capacityPeople * c.occupancyCoverage;
    }
    expect(district.occupancy).toBeCloseTo(people / places, 9);
    // and equals the direct definition
    let num = 0;
    let den = 0;
    d.buildings.forEach((b, i) => {
      if (v.occupancyQ[i]! <= Q_MAX) {
        num += (v.occupancyQ[i]! / Q_MAX) * b.capacityPeople;
        den += b.capacityPeople;
      }
    });
    expect(district.occupancy).toBeCloseTo(num / den, 9);
    expect(district.occupancyCoverage).toBeLessThan(1);
    expect(district.computeLoad).not.toBeNull();
    expect(district.computeLoad!).toBeGreaterThan(0);
    expect(district.computeLoad!).toBeLessThan(1);
  });

  it('leaves occupancy and compute empty without live values or when they are stale', () => {
    const none = clusterFigures(d, null);
    expect(none.district.occupancy).toBeNull();
    expect(none.district.headcount).toBe(d.companies.reduce((s, c) => s + c.headcount, 0));
    const stale = clusterFigures(d, values(), true);
    expect(stale.district.occupancy).toBeNull();
    expect(stale.district.computeLoad).toBeNull();
  });
});
