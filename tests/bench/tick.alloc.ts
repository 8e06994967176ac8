/**
 * What an engine tick costs and allocates (issue 9): a DistrictEngine with its minute sampler (history discarded: the
 * minute write has its own bench row) at a synthetic district of N buildings, warmed up, then TICKS ticks. Prints one
 * JSON line: process CPU per tick (getrusage) and wall clock, p50 / p95; scavenges (minor GCs) and mark-compacts per
 * tick and GC time (PerformanceObserver 'gc'); young-generation bytes allocated per tick (new space's growth across a
 * tick without a GC in it), median and max. The max is the tick at 10:10, where the drift noise draws its next knots for
 * every building (≈ 1.1 MB once every 10 simulated minutes; ≈ 18 kB in a window without a knot change).
 *
 * With `--profile`, the ticks run under V8's sampling heap profiler with objects already collected by scavenges kept in
 * the profile, so short-lived garbage shows up, by allocating function (the profiler slows the ticks: its CPU figures
 * are not the tick's).
 *
 *   npx tsx tests/bench/tick.alloc.ts [--buildings 50000] [--ticks 300] [--profile]
 */
import inspector from 'node:inspector/promises';
import path from 'node:path';
import v8 from 'node:v8';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { loadDistrict } from '../../server/src/district/district.loader.ts';
import { REPO_ROOT } from '../../server/src/config.ts';
import { LiveState } from '../../server/src/live/live.state.ts';
import { DistrictEngine } from '../../server/src/engine/district.engine.ts';
import { MinuteSampler } from '../../server/src/history/history.sampler.ts';
import type { HistoryRepository } from '../../server/src/history/history.repository.ts';
import { generateDataset, toDistrict } from './syntheticDistrict.ts';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const n = arg('buildings', 50_000);
const ticks = arg('ticks', 300);
const profiling = process.argv.includes('--profile');

const real = await loadDistrict(path.join(REPO_ROOT, 'data'));
const district = n === real.buildings.length ? real : toDistrict(generateDataset(real, n));
// 10:08: the measured ticks cross 10:10, where the drift noise draws its next knots for every building
let clock = Date.parse('2026-11-25T10:08:00+08:00');
const state = new LiveState(district, 120);
const engine = new DistrictEngine(state, { simulator: { mode: 'fill', seed: 1, speed: 1 }, tickMs: 1000, now: () => clock });
const discard = { backend: 'sqlite', writeSampledMinute: async () => {} } as unknown as HistoryRepository;
const sampler = new MinuteSampler(state, discard);
engine.afterPublish.push((wall) => sampler.sample(wall));
const newSpaceUsed = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

// Warm-up: the first ticks run before V8 has optimised the loops.
for (let i = 0; i < 30; i++) {
  clock += 1000;
  engine.tick();
}
await new Promise((r) => setImmediate(r));

let scavenges = 0;
let majors = 0;
let gcMs = 0;
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
    gcMs += e.duration;
  }
});
obs.observe({ entryTypes: ['gc'] });

const session = profiling ? new inspector.Session() : null;
if (session) {
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
}
const cpu: number[] = [];
const wall: number[] = [];
const young: number[] = [];
for (let i = 0; i < ticks; i++) {
  clock += 1000;
  const y0 = newSpaceUsed();
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  engine.tick();
  const w = performance.now() - w0;
  const c = process.cpuUsage(c0);
  const y = newSpaceUsed() - y0;
  cpu.push((c.user + c.system) / 1000);
  wall.push(w);
  if (y >= 0) young.push(y); // a scavenge in the tick empties new space: no figure for that tick
  // between ticks the loop turns (the sampler's minute write, timers), as in the server
  await new Promise((r) => setImmediate(r));
}
const profile = session ? ((await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } }).profile : null;
await new Promise((r) => setTimeout(r, 50));
obs.disconnect();
session?.disconnect();

console.log(
  JSON.stringify({
    buildings: n,
    ticks,
    cpuP50: +pct(cpu, 0.5).toFixed(2),
    cpuP95: +pct(cpu, 0.95).toFixed(2),
    wallP50: +pct(wall, 0.5).toFixed(2),
    wallP95: +pct(wall, 0.95).toFixed(2),
    scavengesPerTick: +(scavenges / ticks).toFixed(3),
    markCompacts: majors,
    gcMsPerTick: +(gcMs / ticks).toFixed(2),
    youngKBPerTick: +(pct(young, 0.5) / 1024).toFixed(1),
    youngKBMaxTick: +(pct(young, 1) / 1024).toFixed(1),
    profiled: profiling,
  }),
);

if (profile) {
  const sites = new Map<string, number>();
  const walk = (node: ProfileNode) => {
    if (node.selfSize > 0) {
      const f = node.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${path.basename(f.url)}`;
      sites.set(key, (sites.get(key) ?? 0) + node.selfSize);
    }
    for (const c of node.children) walk(c);
  };
  walk(profile.head);
  for (const [k, v] of [...sites.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${(v / ticks / 1024).toFixed(1).padStart(8)} kB/tick  ${k}`);
}
