/**
 * The engine's output, pinned: a few hundred ticks of a real DistrictEngine (simulator, precedence against ingest,
 * frame encoding, the minute sampler) with a fixed seed and a fixed clock, at the real district and at a 10,000-building
 * synthetic one, hashed — every published frame's bytes, pools, company records and events, the company changes ingest
 * published, and every row the minute sampler handed to history. The expected hashes were computed on the code before
 * the tick's allocations were removed (issue 9), so a change that alters a single byte of what screens or history
 * receive fails here. It also checks that a published frame is never written again after it went out (gateways and
 * snapshots hold it: `TickMessage.frame` is shared).
 */
import { createHash, type Hash } from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { District } from '@models/district.ts';
import type { LiveMetric } from '@models/metrics.ts';
import { mulberry32 } from '@models/random.ts';
import { loadDistrict } from '../../server/src/district/district.loader.ts';
import { REPO_ROOT } from '../../server/src/config.ts';
import { LiveState } from '../../server/src/live/live.state.ts';
import { DistrictEngine } from '../../server/src/engine/district.engine.ts';
import type { IngestChanges } from '../../server/src/engine/engine.interface.ts';
import { MinuteSampler } from '../../server/src/history/history.sampler.ts';
import type { HistoryRepository } from '../../server/src/history/history.repository.ts';
import type { MinuteValue, PoolMinute } from '../../server/src/history/history.store.ts';
import { generateDataset, toDistrict } from '../../data/synthetic.ts';

const START = Date.parse('2026-11-25T08:30:00+08:00'); // a Wednesday morning: offices filling, traffic rising
const TICKS = 300;
const TICK_MS = 1000;
/** 10 simulated minutes a tick: 50 simulated hours in the run, so jobs end, companies grow, register and move. */
const SPEED = 600;
const SEED = 7;
/** Ingest every INGEST_EVERY ticks; its readings hold for 120 s of wall clock (120 ticks), then go stale. */
const INGEST_EVERY = 23;

interface Run {
  hash: string;
  ticks: number;
  events: number;
  companyChanges: number;
  minuteRows: number;
  /** The first published frame as it was when published, and the object the engine published. */
  firstFrameCopy: Uint8Array;
  firstFrame: Uint8Array;
}

/** A history repository that only records what the sampler writes (the sampler is its only caller here). */
function recordingHistory(hash: Hash, counts: { rows: number }): HistoryRepository {
  const writeSampledMinute = async (minute: number, rows: readonly MinuteValue[], pools: readonly PoolMinute[]) => {
    // Chunk boundaries depend on timing; rows are hashed one by one, so only their content and order count.
    for (const r of rows) hash.update(`m${minute}|${r.buildingId}|${r.metric}|${r.value}|${r.source}\n`);
    for (const p of pools) hash.update(`p${minute}|${JSON.stringify(p)}\n`);
    counts.rows += rows.length;
  };
  return { backend: 'sqlite', writeSampledMinute } as unknown as HistoryRepository;
}

async function run(district: District): Promise<Run> {
  const frames = createHash('sha256');
  const minutes = createHash('sha256');
  const counts = { rows: 0 };
  let clock = START;
  const state = new LiveState(district, 120);
  const engine = new DistrictEngine(state, { simulator: { mode: 'fill', seed: SEED, speed: SPEED }, tickMs: TICK_MS, now: () => clock });
  const sampler = new MinuteSampler(state, recordingHistory(minutes, counts));
  engine.afterPublish.push((wall) => sampler.sample(wall));
  let ticks = 0;
  let events = 0;
  let companyChanges = 0;
  let firstFrame: Uint8Array | null = null;
  let firstFrameCopy: Uint8Array | null = null;
  engine.publishTo({
    tick(m) {
      ticks++;
      events += m.events.length;
      if (!firstFrame) {
        firstFrame = m.frame;
        firstFrameCopy = m.frame.slice();
      }
      frames.update(m.frame);
      frames.update(JSON.stringify({ seq: m.seq, districtTimeMs: m.districtTimeMs, wallMs: m.wallMs, pools: m.pools, companies: m.companies, events: m.events }));
    },
    companies(changes, evs) {
      companyChanges += changes.length;
      frames.update(`c${JSON.stringify({ changes, evs })}`);
    },
  });

  const rand = mulberry32(SEED);
  const n = district.buildings.length;
  const metrics: LiveMetric[] = ['occupancy', 'computeLoad'];
  for (let t = 1; t <= TICKS; t++) {
    clock = START + t * TICK_MS;
    if (t % INGEST_EVERY === 0) {
      // Real readings: fresh ones, and some a minute older than the last (refused where a newer one is current).
      const changes: IngestChanges = { datasetVersion: district.version, metrics: [], pools: [], companies: [] };
      for (let k = 0; k < 40; k++) {
        const age = rand() < 0.25 ? 60_000 : 0;
        changes.metrics.push({ buildingIndex: Math.floor(rand() * n), metric: metrics[k % 2]!, value: Math.round(rand() * 1000) / 1000, tsMs: clock - age, reading: k });
      }
      const supplier = district.suppliers[t % district.suppliers.length]!;
      changes.pools.push({ pool: { supplierId: supplier.id, capacityPflops: supplier.capacityPflops, allocatedPflops: supplier.capacityPflops / 2, usedPflops: supplier.capacityPflops / 3, tsMs: clock, source: 'ingest' }, reading: 40 });
      const company = district.companies[(t * 7) % district.companies.length]!;
      const current = engine.company(company.id)!;
      changes.companies.push({ company: { ...current, headcount: current.headcount + 1, tsMs: clock, source: 'ingest' }, reading: 41 });
      engine.applyIngest(changes);
    }
    engine.tick();
  }
  await sampler.flush();
  // The gateway's view before the next tick.
  const current = engine.current();
  frames.update(current.frame);
  frames.update(JSON.stringify({ seq: current.seq, districtTimeMs: current.districtTimeMs, pools: current.pools, companies: current.companies }));
  return {
    hash: `${frames.digest('hex').slice(0, 16)}/${minutes.digest('hex').slice(0, 16)}`,
    ticks,
    events,
    companyChanges,
    minuteRows: counts.rows,
    firstFrame: firstFrame!,
    firstFrameCopy: firstFrameCopy!,
  };
}

let real: District;
let synthetic: District;
beforeAll(async () => {
  real = await loadDistrict(path.join(REPO_ROOT, 'data'));
  synthetic = toDistrict(generateDataset(real, 10_000));
}, 60_000);

describe('the engine tick gives the same output as before, byte for byte', () => {
  it('should publish the same frames, pools, companies and events, and sample the same minutes, at the real district', async () => {
    const r = await run(real);
    expect(r.ticks).toBe(TICKS);
    // The run exercises what the hash covers: simulated events, ingest company changes, several written minutes.
    expect(r.events).toBeGreaterThan(0);
    expect(r.companyChanges).toBeGreaterThan(0);
    expect(r.minuteRows).toBeGreaterThan(4 * real.buildings.length);
    expect(r.hash).toBe('51172b5b76396f72/37fb3eb1d8fd438c');
    // A published frame is never written again (double-buffering would break screens that still hold it).
    expect(Buffer.compare(r.firstFrame, r.firstFrameCopy)).toBe(0);
  });

  it('should do the same at a 10,000-building synthetic district', async () => {
    const r = await run(synthetic);
    expect(r.ticks).toBe(TICKS);
    expect(r.events).toBeGreaterThan(0);
    expect(r.minuteRows).toBeGreaterThan(4 * 10_000);
    expect(r.hash).toBe('50a40655937a6843/aaf37d825b305c79');
    expect(Buffer.compare(r.firstFrame, r.firstFrameCopy)).toBe(0);
  }, 60_000);
});
