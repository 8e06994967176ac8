import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { District } from '@models/district.ts';
import { Q_MAX, Q_NA, Q_NONE } from '@models/frame.codec.ts';
import { NO_FILTERS, type Filters } from '@models/view.ts';
import { filterMask, filtersActive } from '../../client/src/tools/filterMask.ts';
import { loadDistrict } from '../../server/src/district/district.loader.ts';

const DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));

describe('filterMask on the shipped district', () => {
  let d: District;
  let n: number;
  let values: { occupancyQ: Uint8Array; computeQ: Uint8Array; headcount: Float64Array };
  let out: Uint8Array;
  const f = (patch: Partial<Filters>): Filters => ({ ...NO_FILTERS, ...patch });
  const count = (filters: Filters, metric: 'occupancy' | 'computeLoad' | 'headcountDensity' = 'occupancy') => filterMask(d, filters, metric, values, out);

  beforeAll(async () => {
    d = await loadDistrict(DATA_DIR);
    n = d.buildings.length;
    // occupancy i % 251 (0..250 quantised), with a few buildings without a value and one "not applicable"
    const occupancyQ = new Uint8Array(n);
    for (let i = 0; i < n; i++) occupancyQ[i] = i % (Q_MAX + 1);
    occupancyQ[3] = Q_NONE;
    occupancyQ[4] = Q_NA;
    const headcount = new Float64Array(n);
    for (const c of d.companies) headcount[d.buildings.findIndex((b) => b.id === c.buildingId)]! += c.headcount;
    values = { occupancyQ, computeQ: new Uint8Array(n).fill(Q_NONE), headcount };
    out = new Uint8Array(n).fill(7);
  });

  it('keeps every building when no filter is set', () => {
    expect(filtersActive(NO_FILTERS)).toBe(false);
    expect(count(NO_FILTERS)).toBe(n);
    expect(out.every((v) => v === 1)).toBe(true);
  });

  it('counts the buildings of the chosen clusters', () => {
    for (const c of d.clusters) {
      const expected = d.buildings.filter((b) => b.clusterId === c.id).length;
      expect(count(f({ clusters: [c.id] })), c.id).toBe(expected);
    }
    const [a, b] = [d.clusters[0]!.id, d.clusters[1]!.id];
    expect(count(f({ clusters: [a, b] }))).toBe(d.buildings.filter((x) => x.clusterId === a || x.clusterId === b).length);
    expect(count(f({ clusters: ['no-such-cluster'] }))).toBe(0);
  });

  it('counts by use, by tenant industry and by registered models, and combines filters with AND', () => {
    expect(count(f({ uses: ['office', 'lab'] }))).toBe(d.buildings.filter((b) => b.use === 'office' || b.use === 'lab').length);
    const withIndustry = new Set(d.companies.filter((c) => c.industry === 'foundation-models').map((c) => c.buildingId));
    expect(withIndustry.size).toBeGreaterThan(0);
    expect(count(f({ industries: ['foundation-models'] }))).toBe(d.buildings.filter((b) => withIndustry.has(b.id)).length);
    const withModels = new Set(d.companies.filter((c) => c.registeredModels > 0).map((c) => c.buildingId));
    expect(count(f({ hasRegisteredModels: true }))).toBe(withModels.size);
    const cluster = d.buildings.find((b) => withModels.has(b.id))!.clusterId;
    const both = count(f({ hasRegisteredModels: true, clusters: [cluster] }));
    expect(both).toBe(d.buildings.filter((b) => withModels.has(b.id) && b.clusterId === cluster).length);
    for (let i = 0; i < n; i++) expect(out[i]).toBe(withModels.has(d.buildings[i]!.id) && d.buildings[i]!.clusterId === cluster ? 1 : 0);
  });

  it('keeps a value range of the current metric, both ends included, and never a building without a value', () => {
    // occupancy 90 % is q = 225 exactly
    const expected = d.buildings.filter((_, i) => {
      const q = values.occupancyQ[i]!;
      return q <= Q_MAX && (q * 100) / Q_MAX >= 50 && (q * 100) / Q_MAX <= 90;
    }).length;
    expect(count(f({ range: [50, 90] }))).toBe(expected);
    expect(count(f({ range: [90, 50] }))).toBe(expected);
    expect(out[3]).toBe(0);
    expect(out[4]).toBe(0);
    // the whole domain still leaves out the buildings without a value
    expect(count(f({ range: [0, 100] }))).toBe(n - 2);
    // compute load has no values at all here
    expect(count(f({ range: [0, 100] }), 'computeLoad')).toBe(0);
  });

  it('filters headcount density from the tenants and the floor area', () => {
    const dens = d.buildings.map((b, i) => (values.headcount[i]! / b.gfaM2) * 10_000);
    expect(count(f({ range: [100, 1000] }), 'headcountDensity')).toBe(dens.filter((v) => v >= 100 && v <= 1000).length);
  });

  it('refuses an output buffer smaller than the district', () => {
    expect(() => filterMask(d, NO_FILTERS, 'occupancy', values, new Uint8Array(n - 1))).toThrow(/too small/);
  });
});
