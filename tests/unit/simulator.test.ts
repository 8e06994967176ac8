import { beforeAll, describe, expect, it } from 'vitest';
import type { District } from '@models/district.ts';
import { NOT_APPLICABLE } from '@models/frame.codec.ts';
import { loadDistrict } from '../../server/src/district/district.loader.ts';
import { Simulator } from '../../server/src/sim/simulator.ts';
import { REPO_ROOT } from '../../server/src/config.ts';
import path from 'node:path';

let district: District;
beforeAll(async () => {
  district = await loadDistrict(path.join(REPO_ROOT, 'data'));
});

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;

function occupancyAt(iso: string, seed = 7): Float32Array {
  const sim = new Simulator(district, { seed, startMs: at(iso) });
  return sim.occupancy.slice();
}

describe('simulator', () => {
  it('fills an office at 10:00 on a weekday more than at 03:00', () => {
    const morning = occupancyAt('2026-11-25T10:00:00+08:00'); // a Wednesday
    const night = occupancyAt('2026-11-25T03:00:00+08:00');
    const offices = district.buildings.map((b, i) => ({ b, i })).filter(({ b, i }) => b.use === 'office' && morning[i]! > 0);
    expect(offices.length).toBeGreaterThan(50);
    for (const { i } of offices) expect(morning[i]).toBeGreaterThan(night[i]! + 0.1);
  });

  it('keeps AI labs busier late in the evening than offices', () => {
    const late = occupancyAt('2026-11-25T21:30:00+08:00');
    const noon = occupancyAt('2026-11-25T10:30:00+08:00');
    const share = (use: string) => {
      const idx = district.buildings.map((b, i) => (b.use === use && noon[i]! > 0 ? i : -1)).filter((i) => i >= 0);
      return idx.reduce((s, i) => s + late[i]! / noon[i]!, 0) / idx.length;
    };
    expect(share('lab')).toBeGreaterThan(share('office') + 0.2);
  });

  it('fills culture venues on a Saturday evening more than on a weekday morning', () => {
    const saturday = occupancyAt('2026-11-28T20:00:00+08:00');
    const weekday = occupancyAt('2026-11-25T09:30:00+08:00');
    const venues = district.buildings.map((b, i) => (b.use === 'culture' && b.capacityPeople > 0 ? i : -1)).filter((i) => i >= 0);
    expect(venues.length).toBeGreaterThan(3);
    for (const i of venues) expect(saturday[i]).toBeGreaterThan(weekday[i]!);
  });

  it('never allocates more than a pool holds, nor uses more than is allocated, over two simulated weeks', () => {
    const start = at('2026-11-23T00:00:00+08:00');
    const sim = new Simulator(district, { seed: 3, startMs: start });
    let grew = false;
    const initialAllocated = sim.pools.map((p) => p.allocatedPflops);
    const violations: string[] = [];
    for (let t = start; t < start + 14 * 24 * 60 * MIN; t += 10 * MIN) {
      sim.step(t);
      for (const p of sim.pools) {
        if (p.allocatedPflops > p.capacityPflops + 1e-6) violations.push(`${p.supplierId} allocated ${p.allocatedPflops} > ${p.capacityPflops}`);
        if (p.usedPflops > p.allocatedPflops + 1e-6) violations.push(`${p.supplierId} used ${p.usedPflops} > ${p.allocatedPflops}`);
      }
      for (let i = 0; i < sim.computeLoad.length; i++) {
        const v = sim.computeLoad[i]!;
        if (!(v === NOT_APPLICABLE || (v >= 0 && v <= 1))) violations.push(`building ${i} load ${v}`);
      }
    }
    expect(violations).toEqual([]);
    sim.pools.forEach((p, i) => (grew ||= p.allocatedPflops > initialAllocated[i]! + 1e-6));
    expect(grew).toBe(true);
  });

  it('never puts more staff in a building than it holds, while companies grow and move', () => {
    const start = at('2026-11-23T00:00:00+08:00');
    const sim = new Simulator(district, { seed: 11, startMs: start });
    const kinds = new Set<string>();
    for (let t = start; t < start + 30 * 24 * 60 * MIN; t += 30 * MIN) {
      sim.step(t);
      for (const e of sim.events) kinds.add(e.kind);
    }
    const staff = new Map<string, number>();
    for (let i = 0; i < sim.companyCount; i++) {
      const r = sim.companyRecord(i);
      staff.set(r.buildingId, (staff.get(r.buildingId) ?? 0) + r.headcount);
    }
    for (const b of district.buildings) expect(staff.get(b.id) ?? 0).toBeLessThanOrEqual(b.capacityPeople);
    expect(kinds).toContain('headcount-grew');
    expect(kinds).toContain('moved-in');
  });

  it('gives the same output for the same seed and start time, and different output for another seed', () => {
    const start = at('2026-11-25T08:00:00+08:00');
    const run = (seed: number) => {
      const sim = new Simulator(district, { seed, startMs: start });
      for (let k = 1; k <= 600; k++) sim.step(start + k * MIN);
      return { occ: [...sim.occupancy], cmp: [...sim.computeLoad], pools: sim.pools.map((p) => p.usedPflops) };
    };
    const a = run(5);
    expect(run(5)).toEqual(a);
    expect(run(6).cmp).not.toEqual(a.cmp);
  });

  it('moves values between ticks a second apart, but only a little', () => {
    const start = at('2026-11-25T09:00:00+08:00');
    const sim = new Simulator(district, { seed: 1, startMs: start });
    const before = sim.occupancy.slice();
    sim.step(start + 60_000);
    let changed = 0;
    for (let i = 0; i < before.length; i++) {
      if (before[i] === NOT_APPLICABLE) continue;
      const d = Math.abs(sim.occupancy[i]! - before[i]!);
      if (d > 0) changed++;
      expect(d).toBeLessThan(0.1);
    }
    expect(changed).toBeGreaterThan(before.length / 2);
  });
});
