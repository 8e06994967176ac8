/**
 * The engine tick as the server runs it, for the benches that time it (scale.bench.ts tickCost, tick.alloc.ts):
 * simulate, precedence, encode, publish and the minute sampler's per-tick sample, its history writes discarded (the
 * minute write has its own bench row).
 */
import v8 from 'node:v8';
import type { District } from '@models/district.ts';
import { LiveState } from '../../server/src/live/live.state.ts';
import { DistrictEngine } from '../../server/src/engine/district.engine.ts';
import { MinuteSampler } from '../../server/src/history/history.sampler.ts';
import type { HistoryRepository } from '../../server/src/history/history.repository.ts';

export function benchEngine(district: District, now: () => number): DistrictEngine {
  const state = new LiveState(district, 120);
  const engine = new DistrictEngine(state, { simulator: { mode: 'fill', seed: 1, speed: 1 }, tickMs: 1000, now });
  const sampler = new MinuteSampler(state, { backend: 'sqlite', writeSampledMinute: async () => {} } as unknown as HistoryRepository);
  engine.afterPublish.push((wall) => sampler.sample(wall));
  return engine;
}

const newSpaceUsed = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

/**
 * One tick: process CPU (getrusage: exact, where /proc schedstat is only as fine as the scheduler tick), wall clock,
 * and the young-generation bytes it allocated (new space's growth; negative when a scavenge ran inside the tick, which
 * empties new space: no figure for that tick).
 */
export function measureTick(engine: DistrictEngine): { cpuMs: number; wallMs: number; youngBytes: number } {
  const y0 = newSpaceUsed();
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  engine.tick();
  const wallMs = performance.now() - w0;
  const c = process.cpuUsage(c0);
  const youngBytes = newSpaceUsed() - y0;
  return { cpuMs: (c.user + c.system) / 1000, wallMs, youngBytes };
}
