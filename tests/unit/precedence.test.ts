/**
 * The one precedence rule (server/src/engine/precedence.ts), and that every writer of the live state goes through it:
 * building metrics, pools and companies alike, from the simulator (the engine's tick), ingest (the engine's
 * applyIngest) and a restore. Real engine, real state, a small district.
 */
import { describe, expect, it } from 'vitest';
import type { CompanyState, PoolState } from '@models/api.ts';
import type { District } from '@models/district.ts';
import { replaces, replacesCode, SOURCE_INGEST, SOURCE_NONE, SOURCE_SIMULATED, type PrecedenceRules } from '../../server/src/engine/precedence.ts';
import { LiveState } from '../../server/src/live/live.state.ts';
import { DistrictEngine } from '../../server/src/engine/district.engine.ts';
import type { EngineOutput, IngestChanges, TickMessage } from '../../server/src/engine/engine.interface.ts';

const NOW = Date.parse('2026-11-28T02:00:00Z');
const STALE_MS = 120_000;
const rules = (over: Partial<PrecedenceRules> = {}): PrecedenceRules => ({ wallNowMs: NOW, ingestHoldsMs: STALE_MS, simulatorOverridesIngest: false, ...over });

describe('precedence rule', () => {
  it('should let a real reading replace a simulated value, the data set or nothing, whatever the times', () => {
    expect(replacesCode(SOURCE_SIMULATED, NOW, SOURCE_INGEST, NOW - 3_600_000, rules())).toBe(true);
    expect(replacesCode(SOURCE_NONE, 0, SOURCE_INGEST, NOW, rules())).toBe(true);
    expect(replaces({ source: 'data', tsMs: 0 }, { source: 'ingest', tsMs: NOW }, rules())).toBe(true);
    expect(replaces(undefined, { source: 'ingest', tsMs: NOW }, rules())).toBe(true);
  });

  it('should never let an older real reading replace a newer one (equal times: the later arrival wins)', () => {
    expect(replacesCode(SOURCE_INGEST, NOW, SOURCE_INGEST, NOW - 1, rules())).toBe(false);
    expect(replacesCode(SOURCE_INGEST, NOW, SOURCE_INGEST, NOW, rules())).toBe(true);
    expect(replacesCode(SOURCE_INGEST, NOW, SOURCE_INGEST, NOW + 1, rules())).toBe(true);
    // SIMULATOR=on does not change how real readings order among themselves
    expect(replacesCode(SOURCE_INGEST, NOW, SOURCE_INGEST, NOW - 1, rules({ simulatorOverridesIngest: true }))).toBe(false);
  });

  it('should keep the simulator off a real reading while it holds, and let it back after (or always with SIMULATOR=on)', () => {
    expect(replacesCode(SOURCE_INGEST, NOW - STALE_MS, SOURCE_SIMULATED, NOW, rules())).toBe(false);
    expect(replacesCode(SOURCE_INGEST, NOW - STALE_MS - 1, SOURCE_SIMULATED, NOW, rules())).toBe(true);
    expect(replacesCode(SOURCE_INGEST, NOW, SOURCE_SIMULATED, NOW, rules({ simulatorOverridesIngest: true }))).toBe(true);
    // a hold of Infinity (company records): never, until a newer real reading
    expect(replacesCode(SOURCE_INGEST, NOW - 86_400_000 * 365, SOURCE_SIMULATED, NOW, rules({ ingestHoldsMs: Infinity }))).toBe(false);
    expect(replacesCode(SOURCE_SIMULATED, NOW, SOURCE_SIMULATED, NOW + 1000, rules())).toBe(true);
  });
});

// Two offices with a tenant each that draws compute, so the simulator writes occupancy, compute, a pool and companies.
const district = {
  version: 7,
  buildings: [
    { id: 'tower', use: 'office', capacityPeople: 1000, name: { zh: '塔', en: 'Tower' } },
    { id: 'annex', use: 'office', capacityPeople: 800, name: { zh: '楼', en: 'Annex' } },
  ],
  companies: [
    { id: 'acme', name: { zh: '甲', en: 'Acme' }, industry: 'foundation-models', buildingId: 'tower', headcount: 500, registeredModels: 1, compute: { supplierId: 'pool-a', pflops: 100 } },
    { id: 'beta', name: { zh: '乙', en: 'Beta' }, industry: 'compute', buildingId: 'annex', headcount: 300, registeredModels: 0, compute: { supplierId: 'pool-a', pflops: 50 } },
  ],
  suppliers: [{ id: 'pool-a', capacityPflops: 1000 }],
} as unknown as District;

function engineAt(clock: { now: number }, mode: 'fill' | 'on' = 'fill') {
  const state = new LiveState(district, STALE_MS / 1000, { simulatorOverridesIngest: mode === 'on' });
  const engine = new DistrictEngine(state, { simulator: { mode, seed: 3, speed: 1 }, tickMs: 1000, now: () => clock.now });
  const ticks: TickMessage[] = [];
  const companyMessages: CompanyState[][] = [];
  const output: EngineOutput = { tick: (m) => ticks.push(m), companies: (c) => companyMessages.push(c) };
  engine.publishTo(output);
  return { state, engine, ticks, companyMessages };
}

const pool = (tsMs: number, usedPflops: number): PoolState => ({ supplierId: 'pool-a', capacityPflops: 1000, allocatedPflops: 900, usedPflops, tsMs, source: 'ingest' });
const company = (tsMs: number, headcount: number, buildingId: string | null = 'tower'): CompanyState => ({ companyId: 'acme', buildingId, headcount, registeredModels: 1, tsMs, source: 'ingest' });
const changes = (c: Partial<Omit<IngestChanges, 'datasetVersion'>>): IngestChanges => ({ datasetVersion: 7, metrics: [], pools: [], companies: [], ...c });

describe('the engine applies the rule to buildings, pools and companies alike', () => {
  it('should let ingest beat the simulator for all three, and hold them against the next tick', () => {
    const clock = { now: NOW };
    const { state, engine } = engineAt(clock);
    expect(state.metrics.occupancy.source[0]).toBe(SOURCE_SIMULATED);
    expect(state.pools.get('pool-a')?.source).toBe('simulated');

    const out = engine.applyIngest(
      changes({ metrics: [{ buildingIndex: 0, metric: 'occupancy', value: 0.091, tsMs: NOW - 1000, reading: 0 }], pools: [{ pool: pool(NOW - 1000, 123), reading: 1 }], companies: [{ company: company(NOW - 1000, 42), reading: 2 }] }),
    );
    expect(out.applied).toBe(3);
    clock.now += 1000;
    engine.tick();
    expect(state.metrics.occupancy.value[0]).toBe(0.091);
    expect(state.metrics.occupancy.source[0]).toBe(SOURCE_INGEST);
    expect(state.pools.get('pool-a')).toMatchObject({ usedPflops: 123, source: 'ingest' });
    expect(state.companies.get('acme')).toMatchObject({ headcount: 42, source: 'ingest' });
    // the other building is still simulated
    expect(state.metrics.occupancy.source[1]).toBe(SOURCE_SIMULATED);
  });

  it('should never let an older reading replace a newer one, for all three', () => {
    const clock = { now: NOW };
    const { state, engine } = engineAt(clock);
    engine.applyIngest(changes({ metrics: [{ buildingIndex: 0, metric: 'computeLoad', value: 0.5, tsMs: NOW, reading: 0 }], pools: [{ pool: pool(NOW, 500), reading: 1 }], companies: [{ company: company(NOW, 77), reading: 2 }] }));
    const older = engine.applyIngest(
      changes({ metrics: [{ buildingIndex: 0, metric: 'computeLoad', value: 0.9, tsMs: NOW - 1, reading: 0 }], pools: [{ pool: pool(NOW - 1, 900), reading: 1 }], companies: [{ company: company(NOW - 1, 99), reading: 2 }] }),
    );
    expect(older.applied).toBe(0);
    expect(state.metrics.computeLoad.value[0]).toBe(0.5);
    expect(state.pools.get('pool-a')?.usedPflops).toBe(500);
    expect(state.companies.get('acme')?.headcount).toBe(77);
  });

  it('should give buildings and pools back to the simulator once the reading is stale, but keep a real company record', () => {
    const clock = { now: NOW };
    const { state, engine } = engineAt(clock);
    engine.applyIngest(changes({ metrics: [{ buildingIndex: 0, metric: 'occupancy', value: 0.2, tsMs: NOW, reading: 0 }], pools: [{ pool: pool(NOW, 1), reading: 1 }], companies: [{ company: company(NOW, 11), reading: 2 }] }));
    clock.now = NOW + STALE_MS + 1000;
    engine.tick();
    expect(state.metrics.occupancy.source[0]).toBe(SOURCE_SIMULATED);
    expect(state.pools.get('pool-a')?.source).toBe('simulated');
    expect(state.companies.get('acme')).toMatchObject({ headcount: 11, source: 'ingest' });
  });

  it('should let the simulator override real building and pool readings with SIMULATOR=on', () => {
    const clock = { now: NOW };
    const { state, engine } = engineAt(clock, 'on');
    engine.applyIngest(changes({ metrics: [{ buildingIndex: 0, metric: 'occupancy', value: 0.2, tsMs: NOW, reading: 0 }], pools: [{ pool: pool(NOW, 1), reading: 1 }] }));
    clock.now += 1000;
    engine.tick();
    expect(state.metrics.occupancy.source[0]).toBe(SOURCE_SIMULATED);
    expect(state.pools.get('pool-a')?.source).toBe('simulated');
  });

  it('should publish company changes from ingest with a move event, and none for a refused older record', () => {
    const clock = { now: NOW };
    const { engine, companyMessages } = engineAt(clock);
    engine.applyIngest(changes({ companies: [{ company: company(NOW, 500, 'annex'), reading: 0 }] }));
    expect(companyMessages).toEqual([[expect.objectContaining({ companyId: 'acme', buildingId: 'annex' })]]);
    engine.applyIngest(changes({ companies: [{ company: company(NOW - 5, 500, null), reading: 0 }] }));
    expect(companyMessages).toHaveLength(1);
  });

  it('should publish the tick (frame, pools) with every tick, and refuse ingest for another data set', () => {
    const clock = { now: NOW };
    const { engine, ticks } = engineAt(clock);
    clock.now += 1000;
    engine.tick();
    expect(ticks).toHaveLength(1);
    expect(ticks[0]!.seq).toBe(engine.seq);
    expect(ticks[0]!.frame).toBe(engine.lastFrame);
    expect(ticks[0]!.pools).toHaveLength(1);
    expect(() => engine.applyIngest({ ...changes({}), datasetVersion: 8 })).toThrow(/data set 8/);
  });
});
