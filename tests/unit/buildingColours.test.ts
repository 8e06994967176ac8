import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NA_RGB, RAMP_RGB, RAMP_SIZE, STALE_RGB } from '@models/colour.ts';
import type { District } from '@models/district.ts';
import { encodeFrame, FRAME_KIND, NOT_APPLICABLE } from '@models/frame.codec.ts';
import { FLAG_ALERT, FLAG_CONTEXT, FLAG_DIMMED, FLAG_STALE, writeBuildingColours } from '../../client/src/scene/buildingColours.ts';
import { allocateLive, applyFrame, live } from '../../client/src/state/store.ts';
import { loadDistrict } from '../../server/src/district/district.loader.ts';
import { REPO_ROOT } from '../../server/src/config.ts';

let district: District;
let out: Uint8Array;
const NOW = 1_000_000;

beforeAll(async () => {
  district = await loadDistrict(path.join(REPO_ROOT, 'data'));
  allocateLive(district);
  out = new Uint8Array(district.buildings.length * 4);
  const n = district.buildings.length;
  const occupancy = new Float32Array(n).fill(0.5);
  const computeLoad = new Float32Array(n).fill(0.5);
  // building 0: lowest, 1: no fresh value, 2: not applicable, 3: highest
  computeLoad.set([0, NaN, NOT_APPLICABLE, 1]);
  const frame = encodeFrame({ kind: FRAME_KIND.live, datasetVersion: district.version, seq: 1, tsMs: 0 }, { occupancy, computeLoad, occupancyIngest: new Uint8Array(n), computeIngest: new Uint8Array(n) });
  expect(applyFrame(frame, NOW)).toBe('applied');
});

const rgbOf = (i: number) => [...out.slice(i * 4, i * 4 + 3)];
const flagsOf = (i: number) => out[i * 4 + 3]!;

describe('building colours (the one colour pass)', () => {
  it('takes live values from the viridis ramp over the metric domain', () => {
    writeBuildingColours('computeLoad', live, district, out, NOW, 120);
    expect(rgbOf(0)).toEqual([...RAMP_RGB.slice(0, 3)]);
    expect(rgbOf(3)).toEqual([...RAMP_RGB.slice((RAMP_SIZE - 1) * 3)]);
  });

  it('shows a building without a fresh value grey and hatched, never in a ramp colour', () => {
    const stale = writeBuildingColours('computeLoad', live, district, out, NOW, 120);
    expect(rgbOf(1)).toEqual([...STALE_RGB]);
    expect(flagsOf(1) & FLAG_STALE).toBe(FLAG_STALE);
    expect(stale).toBe(1);
  });

  it('shows "not applicable" in its own plain colour, not as stale', () => {
    writeBuildingColours('computeLoad', live, district, out, NOW, 120);
    expect(rgbOf(2)).toEqual([...NA_RGB]);
    expect(flagsOf(2) & FLAG_STALE).toBe(0);
  });

  it('greys every building when no frame has arrived for longer than STALE_AFTER_S', () => {
    const stale = writeBuildingColours('occupancy', live, district, out, NOW + 121_000, 120);
    expect(stale).toBe(district.buildings.length);
    expect(rgbOf(5)).toEqual([...STALE_RGB]);
  });

  it('colours headcount density from company records, which do not go stale with the live feed', () => {
    const stale = writeBuildingColours('headcountDensity', live, district, out, NOW + 121_000, 120);
    expect(stale).toBe(0);
    const occupied = district.buildings.findIndex((b) => district.companies.some((c) => c.buildingId === b.id));
    expect(rgbOf(occupied)).not.toEqual([...STALE_RGB]);
  });

  it("dims what does not match the planner's filters and flags alert matches, keeping every data colour", () => {
    writeBuildingColours('occupancy', live, district, out, NOW, 120);
    const plain = out.slice();
    const n = district.buildings.length;
    const mask = new Uint8Array(n).fill(1);
    mask[5] = 0;
    const marks = new Uint8Array(n);
    marks[6] = 1;
    writeBuildingColours('occupancy', live, district, out, NOW, 120, -1, null, mask, marks);
    expect(flagsOf(5) & FLAG_DIMMED).toBe(FLAG_DIMMED);
    expect(flagsOf(4) & FLAG_DIMMED).toBe(0);
    expect(flagsOf(6) & FLAG_ALERT).toBe(FLAG_ALERT);
    expect(flagsOf(5) & FLAG_ALERT).toBe(0);
    // the colour itself is untouched: the shader dims and marks, the legend still reads
    for (let i = 0; i < n; i++) expect([...out.slice(i * 4, i * 4 + 3)]).toEqual([...plain.slice(i * 4, i * 4 + 3)]);
  });

  it('fades every building outside the selected cluster to context, and only those, keeping every data colour', () => {
    writeBuildingColours('occupancy', live, district, out, NOW, 120);
    const plain = out.slice();
    const focus = district.clusters[1]!.id;
    writeBuildingColours('occupancy', live, district, out, NOW, 120, -1, null, null, null, focus);
    const n = district.buildings.length;
    let inside = 0;
    for (let i = 0; i < n; i++) {
      const outside = district.buildings[i]!.clusterId !== focus;
      if (!outside) inside++;
      expect(flagsOf(i) & FLAG_CONTEXT, district.buildings[i]!.id).toBe(outside ? FLAG_CONTEXT : 0);
      expect([...out.slice(i * 4, i * 4 + 3)]).toEqual([...plain.slice(i * 4, i * 4 + 3)]);
    }
    expect(inside).toBeGreaterThan(0);
    // no cluster selected: nothing faded
    writeBuildingColours('occupancy', live, district, out, NOW, 120);
    for (let i = 0; i < n; i++) expect(flagsOf(i) & FLAG_CONTEXT).toBe(0);
  });
});
