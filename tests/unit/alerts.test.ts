import { describe, expect, it } from 'vitest';
import type { District } from '@models/district.ts';
import { Q_NA, Q_NONE, quantise } from '@models/frame.codec.ts';
import type { AlertRule } from '@models/view.ts';
import { ALERTS_STORAGE_KEY, AlertEvaluator, loadStoredAlerts, saveStoredAlerts } from '../../client/src/tools/alerts.ts';

// A small district: the evaluator reads only the buildings' ids and clusters.
const district = {
  clusters: [{ id: 'north' }, { id: 'south' }],
  buildings: [
    { id: 'n-1', clusterId: 'north' },
    { id: 'n-2', clusterId: 'north' },
    { id: 's-1', clusterId: 'south' },
  ],
  companies: [],
} as unknown as District;

const MIN = 60_000;
const T0 = Date.parse('2026-11-28T02:00:00Z');

function frame(occupancyPct: (number | 'none' | 'na')[], computePct: (number | 'none' | 'na')[] = [0, 0, 0]) {
  const q = (v: number | 'none' | 'na') => (v === 'none' ? Q_NONE : v === 'na' ? Q_NA : quantise(v / 100));
  return { occupancyQ: Uint8Array.from(occupancyPct.map(q)), computeQ: Uint8Array.from(computePct.map(q)) };
}

const computeFor10: AlertRule = { metric: 'computeLoad', op: 'gt', threshold: 80, forMinutes: 10 };

describe('AlertEvaluator', () => {
  it('marks a building at once for a rule without duration, limited to the rule\'s cluster', () => {
    const ev = new AlertEvaluator(district, { maxGapMs: 5 * MIN });
    ev.setRules([{ metric: 'occupancy', op: 'gt', threshold: 90, forMinutes: 0, cluster: 'north' }]);
    ev.update(frame([95, 80, 99]), T0);
    expect(ev.matches().map((m) => m.buildingId)).toEqual(['n-1']);
    expect(ev.matches()[0]!.sinceMs).toBe(T0);
    expect(ev.matches()[0]!.value).toBeCloseTo(95, 0);
    expect(Array.from(ev.marked)).toEqual([1, 0, 0]);
    expect(ev.markedCount).toBe(1);
  });

  it('"above 80 % for 10 minutes" matches only after 10 minutes of data time, and says since when', () => {
    const ev = new AlertEvaluator(district, { maxGapMs: 5 * MIN });
    ev.setRules([computeFor10]);
    for (let m = 0; m < 10; m++) {
      ev.update(frame([0, 0, 0], [85, 50, 'na']), T0 + m * MIN);
      expect(ev.matches(), `minute ${m}`).toEqual([]);
    }
    const before = ev.version;
    ev.update(frame([0, 0, 0], [85, 50, 'na']), T0 + 10 * MIN);
    expect(ev.matches().map((m) => [m.buildingId, m.sinceMs])).toEqual([['n-1', T0]]);
    expect(ev.version).toBeGreaterThan(before);
    // still matching: the version does not move when nothing changes
    const v = ev.version;
    ev.update(frame([0, 0, 0], [90, 50, 'na']), T0 + 11 * MIN);
    expect(ev.version).toBe(v);
    expect(ev.matches()[0]!.sinceMs).toBe(T0);
  });

  it('a dip below the threshold restarts the 10 minutes', () => {
    const ev = new AlertEvaluator(district, { maxGapMs: 5 * MIN });
    ev.setRules([computeFor10]);
    ev.update(frame([0, 0, 0], [85, 0, 0]), T0);
    ev.update(frame([0, 0, 0], [85, 0, 0]), T0 + 5 * MIN);
    ev.update(frame([0, 0, 0], [79, 0, 0]), T0 + 6 * MIN);
    ev.update(frame([0, 0, 0], [85, 0, 0]), T0 + 7 * MIN);
    ev.update(frame([0, 0, 0], [85, 0, 0]), T0 + 12 * MIN);
    expect(ev.matches()).toEqual([]);
    ev.update(frame([0, 0, 0], [85, 0, 0]), T0 + 17 * MIN);
    expect(ev.matches().map((m) => m.sinceMs)).toEqual([T0 + 7 * MIN]);
  });

  it('exactly at the threshold is not above it', () => {
    const ev = new AlertEvaluator(district, { maxGapMs: 5 * MIN });
    ev.setRules([{ metric: 'occupancy', op: 'gt', threshold: 90, forMinutes: 0 }, { metric: 'occupancy', op: 'lt', threshold: 90, forMinutes: 0 }]);
    expect(quantise(0.9)).toBe(225);
    ev.update({ occupancyQ: Uint8Array.from([225, 226, 224]), computeQ: new Uint8Array(3) }, T0);
    expect(ev.matches().map((m) => [m.rule, m.buildingId])).toEqual([
      [0, 'n-2'],
      [1, 's-1'],
    ]);
  });

  it('no fresh value, a long gap between frames or time going back breaks the hold; not applicable never matches', () => {
    const ev = new AlertEvaluator(district, { maxGapMs: 2 * MIN });
    ev.setRules([computeFor10]);
    for (let m = 0; m <= 4; m++) ev.update(frame([0, 0, 0], [85, 85, 'na']), T0 + m * MIN);
    ev.update(frame([0, 0, 0], ['none', 85, 'na']), T0 + 5 * MIN);
    for (let m = 6; m <= 10; m++) ev.update(frame([0, 0, 0], [85, 85, 'na']), T0 + m * MIN);
    // n-1 lost its value at minute 5; n-2 held all along
    expect(ev.matches().map((m) => [m.buildingId, m.sinceMs])).toEqual([['n-2', T0]]);
    // a 3-minute gap (> maxGap): nobody saw those minutes
    ev.update(frame([0, 0, 0], [85, 85, 'na']), T0 + 13 * MIN);
    expect(ev.matches()).toEqual([]);
    ev.update(frame([0, 0, 0], [85, 85, 'na']), T0 + 15 * MIN);
    // time going back (a replay seek) starts a new timeline
    ev.update(frame([0, 0, 0], [85, 85, 'na']), T0 + 24 * MIN - 30 * MIN);
    expect(ev.matches()).toEqual([]);
    expect(ev.marked[2]).toBe(0);
  });

  it('keeps the holds of unchanged rules when the rules change, and starts new rules afresh', () => {
    const ev = new AlertEvaluator(district, { maxGapMs: 5 * MIN });
    const occ: AlertRule = { metric: 'occupancy', op: 'gt', threshold: 50, forMinutes: 0 };
    ev.setRules([computeFor10]);
    for (let m = 0; m <= 10; m++) ev.update(frame([60, 0, 0], [85, 0, 0]), T0 + m * MIN);
    ev.setRules([occ, computeFor10]);
    expect(ev.matches().map((m) => [m.rule, m.buildingId, m.sinceMs])).toEqual([[1, 'n-1', T0]]);
    ev.update(frame([60, 0, 0], [85, 0, 0]), T0 + 11 * MIN);
    expect(ev.matches().map((m) => [m.rule, m.buildingId, m.sinceMs])).toEqual([
      [1, 'n-1', T0],
      [0, 'n-1', T0 + 11 * MIN],
    ]);
    expect(ev.markedCount).toBe(1);
    ev.setRules([]);
    expect(ev.matches()).toEqual([]);
    expect(ev.markedCount).toBe(0);
  });
});

describe('stored alert rules', () => {
  function memoryStorage() {
    const m = new Map<string, string>();
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k), m };
  }

  it('round-trip through storage, and an unreadable entry reads as no rules', () => {
    const s = memoryStorage();
    saveStoredAlerts([computeFor10, { metric: 'occupancy', op: 'gt', threshold: 90, forMinutes: 0, cluster: 'digital-intelligence-center' }], s);
    expect(loadStoredAlerts(s)).toHaveLength(2);
    expect(loadStoredAlerts(s)[0]).toEqual(computeFor10);
    saveStoredAlerts([], s);
    expect(s.m.has(ALERTS_STORAGE_KEY)).toBe(false);
    s.setItem(ALERTS_STORAGE_KEY, '{not json');
    expect(loadStoredAlerts(s)).toEqual([]);
    s.setItem(ALERTS_STORAGE_KEY, JSON.stringify([{ metric: 'occupancy', op: 'gt', threshold: 900, forMinutes: 0 }]));
    expect(loadStoredAlerts(s)).toEqual([]);
  });
});

