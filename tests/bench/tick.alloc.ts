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
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { loadDistrict } from '../../server/src/district/district.loader.ts';
import { REPO_ROOT } from '../../server/src/config.ts';
import { benchEngine, measureTick } from './engineTick.ts';
import { stats } from './stats.ts';
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
const engine = benchEngine(district, () => clock);

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
  const t = measureTick(engine);
  cpu.push(t.cpuMs);
  wall.push(t.wallMs);
  if (t.youngBytes >= 0) young.push(t.youngBytes);
  // between ticks the loop turns (the sampler's minute write, timers), as in the server
  await new Promise((r) => setImmediate(r));
}
const profile = session ? ((await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } }).profile : null;
await new Promise((r) => setTimeout(r, 50));
obs.disconnect();
session?.disconnect();

const [cpuS, wallS, youngS] = [stats(cpu), stats(wall), stats(young)];
console.log(
  JSON.stringify({
    buildings: n,
    ticks,
    cpuP50: +cpuS.median.toFixed(2),
    cpuP95: +cpuS.p95.toFixed(2),
    wallP50: +wallS.median.toFixed(2),
    wallP95: +wallS.p95.toFixed(2),
    scavengesPerTick: +(scavenges / ticks).toFixed(3),
    markCompacts: majors,
    gcMsPerTick: +(gcMs / ticks).toFixed(2),
    youngKBPerTick: +(youngS.median / 1024).toFixed(1),
    youngKBMaxTick: +(youngS.max / 1024).toFixed(1),
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
