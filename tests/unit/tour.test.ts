/**
 * The /tour plan (derived from the district's clusters) and its captions (live numbers, capacity-weighted, with their
 * source): pure functions of client/src/tour/tourPlan.ts on the shipped district.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { District } from '@models/district.ts';
import { Q_MAX, Q_NONE } from '@models/frame.codec.ts';
import { METRIC_IDS } from '@models/metrics.ts';
import { KeyFigureRef } from '@models/story.ts';
import { ViewPatch } from '@models/view.ts';
import { clusterFigures } from '../../client/src/tools/clusterFigures.ts';
import { TOUR_FIGURES, stepAt, tourCaption, tourPlan } from '../../client/src/tour/tourPlan.ts';
import { loadDistrict } from '../../server/src/district/district.loader.ts';

const DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));
let d: District;
beforeAll(async () => {
  d = await loadDistrict(DATA_DIR);
});

/** Live values: `occ(i)` per building (null = no value), every building from the simulator or from the feed. */
function values(occ: (i: number) => number | null, ingest: boolean) {
  const n = d.buildings.length;
  const occupancyQ = new Uint8Array(n).fill(Q_NONE);
  const computeQ = new Uint8Array(n).fill(Q_NONE);
  for (let i = 0; i < n; i++) {
    const v = occ(i);
    if (v !== null) occupancyQ[i] = Math.round(v * Q_MAX);
  }
  return { occupancyQ, computeQ, sources: new Uint8Array(Math.ceil(n / 4)).fill(ingest ? 0b01010101 : 0), headcount: new Float64Array(n) };
}

describe('the tour plan', () => {
  it('is the district, then each of its six clusters once, in data order, as valid view patches', () => {
    const plan = tourPlan(d);
    expect(plan.map((s) => s.id)).toEqual(['district', ...d.clusters.map((c) => c.id)]);
    expect(plan).toHaveLength(7);
    for (const s of plan) {
      expect(ViewPatch.parse(s.patch)).toEqual(s.patch);
      expect(s.patch.selection ?? null).toEqual(s.clusterId ? { kind: 'cluster', id: s.clusterId } : null);
      expect(s.patch.metric).toBe(s.metric);
    }
    // the metric changes on its own: every metric is shown, and no two consecutive steps share one
    expect(new Set(plan.map((s) => s.metric))).toEqual(new Set(METRIC_IDS));
    for (let i = 0; i + 1 < plan.length; i++) expect(plan[i + 1]!.metric).not.toBe(plan[i]!.metric);
  });

  it('steps by the wall clock, so the walls of a room agree', () => {
    expect(stepAt(0, 20_000, 7)).toBe(0);
    expect(stepAt(19_999, 20_000, 7)).toBe(0);
    expect(stepAt(20_000, 20_000, 7)).toBe(1);
    expect(stepAt(7 * 20_000 + 5, 20_000, 7)).toBe(0);
    expect(stepAt(123, 20_000, 0)).toBe(0);
  });

  it('shows the four key figures the issue names, as references a story could carry', () => {
    expect(TOUR_FIGURES.map((f) => KeyFigureRef.parse(f).kind)).toEqual(['district-companies', 'district-headcount', 'registered-models', 'pool-total-used']);
  });
});

describe('tour captions', () => {
  it("weights a cluster's occupancy by capacity, says it in both languages, and says simulated", () => {
    const cluster = d.clusters[0]!;
    const idx = d.buildings.map((b, i) => (b.clusterId === cluster.id && b.capacityPeople > 0 ? i : -1)).filter((i) => i >= 0);
    // two buildings with values: the larger one full, the smaller empty; the rest without a value
    const [a, b] = [...idx].sort((x, y) => d.buildings[y]!.capacityPeople - d.buildings[x]!.capacityPeople);
    const capA = d.buildings[a!]!.capacityPeople;
    const capB = d.buildings[b!]!.capacityPeople;
    expect(capA).toBeGreaterThan(capB);
    const v = values((i) => (i === a ? 1 : i === b ? 0 : null), false);
    const step = tourPlan(d).find((s) => s.clusterId === cluster.id)!;
    const cap = tourCaption({ ...step, metric: 'occupancy' }, d, clusterFigures(d, v));
    const want = Math.round((capA / (capA + capB)) * 100);
    expect(cap.value).toBeCloseTo(capA / (capA + capB), 6);
    // not the plain mean of the two (50 %)
    expect(want).not.toBe(50);
    expect(cap.title).toEqual(cluster.name);
    expect(cap.figure).toEqual({ zh: `此刻 ${want} % 在岗`, en: `${want} % occupied now` });
    expect(cap.source).toBe('simulated');
  });

  it('says live feed when every value came from the feed, and "no live value" (no source) when there is none', () => {
    const plan = tourPlan(d);
    const district = plan[0]!;
    const fromFeed = tourCaption(district, d, clusterFigures(d, values(() => 0.5, true)));
    expect(fromFeed).toMatchObject({ title: { zh: '徐汇西岸', en: 'West Bund, Xuhui' }, figure: { zh: '此刻 50 % 在岗', en: '50 % occupied now' }, source: 'live', value: 0.5 });
    const none = tourCaption(plan[1]!, d, clusterFigures(d, values(() => null, false)));
    expect(none).toMatchObject({ figure: { zh: '暂无实时数值', en: 'no live value' }, source: null, value: null });
    // stale values are not "now": the same as none
    const stale = tourCaption(district, d, clusterFigures(d, values(() => 0.5, true), true));
    expect(stale.value).toBeNull();
  });
});
