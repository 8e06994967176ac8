/**
 * Measure 6, issue 9: the same history figures on PostgreSQL beside SQLite, through the one HistoryRepository
 * interface the app uses (SQLite: reads in a reader thread, writes on the event loop; PostgreSQL: a pg Pool). Runs
 * when TEST_POSTGRES_URL is set (scripts/ci-postgres.sh starts a throwaway local cluster: fsync on, default settings
 * apart from shared_buffers = 64 MB); otherwise it reports nothing and says why.
 *
 * Both get the same fill: DAYS days of sampled minutes for the real district, written minute by minute through
 * `writeSampledMinute` (the sampler's call). Then, on each: one building's 24 h series (1,440 points), the whole
 * district at one minute, and 10,000-reading ingest batches through `write` (insertReadings + minute sums + current
 * values: what TelemetryService does per batch), with the longest event-loop stall during a batch beside its time.
 * PostgreSQL runs on the same 2-core machine as the bench; across machines add the network round trips (a batch is
 * four to six statements).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import type { District } from '@models/district.ts';
import { LIVE_METRICS } from '@models/metrics.ts';
import type { Reading } from '@models/telemetry.ts';
import { PostgresHistoryRepository } from '../../server/src/history/history.postgres.ts';
import { HistoryReader } from '../../server/src/history/history.reader.ts';
import { SqliteHistoryRepository, type BuildingReadings, type CurrentBuilding, type HistoryRepository } from '../../server/src/history/history.repository.ts';
import { HistoryStore, MINUTE_MS, STORED_SIMULATED, minuteOf, type MinuteValue } from '../../server/src/history/history.store.ts';
import { log, row, stats, type Row, type Stats } from './stats.ts';

const DAYS = Number(process.env.BENCH_BACKEND_DAYS ?? 7);
const READS = 40;
const BATCH = 10_000;
const BATCHES = 8;

interface Figures {
  fillS: number;
  minuteWrite: Stats;
  series24h: Stats;
  districtMinute: Stats;
  batch: Stats;
  batchStallMax: Stats;
}

async function measure(repo: HistoryRepository, district: District, endMinute: number): Promise<Figures> {
  const ids = district.buildings.map((b) => b.id);
  const startMinute = endMinute - DAYS * 1440 + 1;
  const minuteWrites: number[] = [];
  const t0 = performance.now();
  for (let m = startMinute; m <= endMinute; m++) {
    const rows: MinuteValue[] = [];
    for (const metric of LIVE_METRICS) for (let i = 0; i < ids.length; i++) rows.push({ buildingId: ids[i]!, metric, value: ((m * 7 + i * 13) % 1000) / 1000, source: STORED_SIMULATED });
    const w0 = performance.now();
    await repo.writeSampledMinute(m, rows, []);
    minuteWrites.push(performance.now() - w0);
    if ((m - startMinute) % 1440 === 1439) log(`history backends (${repo.backend}): day ${(m - startMinute + 1) / 1440} of ${DAYS} filled`);
  }
  const fillS = (performance.now() - t0) / 1000;

  const timeAsync = async (fn: (i: number) => Promise<unknown>, reps: number) => {
    for (let i = 0; i < 3; i++) await fn(i);
    const samples: number[] = [];
    for (let i = 0; i < reps; i++) {
      const s0 = performance.now();
      await fn(i);
      samples.push(performance.now() - s0);
    }
    return stats(samples);
  };
  const series24h = await timeAsync((i) => repo.series([ids[(i * 97) % ids.length]!], 'occupancy', { from: endMinute - 1439, to: endMinute, bucket: 1 }), READS);
  const districtMinute = await timeAsync((i) => repo.districtMinute(startMinute + ((i * 7919) % (DAYS * 1440))), READS);

  // Ingest: 10,000 building readings (occupancy + compute load) per batch, distinct times after the filled range.
  const batchMs: number[] = [];
  const stalls: number[] = [];
  for (let k = 0; k < BATCHES; k++) {
    const base = (endMinute + 1) * MINUTE_MS + k * BATCH;
    const rows = Array.from({ length: BATCH }, (_, j) => {
      const reading: Reading = { kind: 'building', buildingId: ids[j % ids.length]!, ts: new Date(base + j).toISOString(), occupancy: ((j * 37) % 1000) / 1000, computeLoad: ((j * 53) % 1000) / 1000 };
      return { reading, tsMs: base + j };
    });
    const sums = new Map<string, BuildingReadings>();
    const newest = new Map<string, CurrentBuilding>();
    for (const { reading, tsMs } of rows) {
      if (reading.kind !== 'building') continue;
      for (const metric of LIVE_METRICS) {
        const value = reading[metric]!;
        const key = `${reading.buildingId}:${metric}:${minuteOf(tsMs)}`;
        const s = sums.get(key);
        if (s) {
          s.mean = (s.mean * s.count + value) / (s.count + 1);
          s.count += 1;
        } else sums.set(key, { buildingId: reading.buildingId, metric, minute: minuteOf(tsMs), mean: value, count: 1 });
        newest.set(`${reading.buildingId}:${metric}`, { buildingId: reading.buildingId, metric, value, tsMs });
      }
    }
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    // The histogram records from its second sample on: give it a baseline before the batch starts.
    await new Promise((r) => setTimeout(r, 5));
    const b0 = performance.now();
    await repo.write(async (tx) => {
      await tx.insertReadings(rows, base + BATCH);
      await tx.addBuildingReadings([...sums.values()]);
      await tx.saveCurrent({ buildings: [...newest.values()] });
    });
    batchMs.push(performance.now() - b0);
    // Let a timer fire after the batch, so a stall that ends with it is recorded.
    await new Promise((r) => setTimeout(r, 2));
    h.disable();
    stalls.push(h.max / 1e6);
  }
  return { fillS, minuteWrite: stats(minuteWrites), series24h, districtMinute, batch: stats(batchMs), batchStallMax: stats(stalls) };
}

export async function historyBackendsBench(district: District): Promise<{ rows: Row[]; raw: unknown }> {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) {
    log('history backends: SKIPPED (TEST_POSTGRES_URL is not set; export TEST_POSTGRES_URL="$(scripts/ci-postgres.sh)" to measure PostgreSQL beside SQLite)');
    return { rows: [], raw: { skipped: 'TEST_POSTGRES_URL is not set' } };
  }
  const endMinute = minuteOf(Date.parse('2026-11-28T00:00:00Z')) - 1;
  const scope = `real district (${district.buildings.length}), ${DAYS} d of minutes`;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-backends-'));
  const store = HistoryStore.open(dir);
  const sqlite = new SqliteHistoryRepository(store, new HistoryReader(store.file, { threads: 1, maxQueued: 4 }));
  let lite: Figures;
  try {
    lite = await measure(sqlite, district, endMinute);
  } finally {
    await sqlite.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const schema = `wbt_bench_${process.pid}`;
  const postgres = await PostgresHistoryRepository.open({ url, schema });
  let pgf: Figures;
  let version = '?';
  try {
    version = (await postgres.pool.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    pgf = await measure(postgres, district, endMinute);
  } finally {
    await postgres.close();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }

  const baseline = 'SQLite (the embedded default), same repository call';
  const perS = (ms: number) => (BATCH * 1000) / ms;
  const rows: Row[] = [
    row({ section: 6, measure: "history backends: one building's 24 h (PostgreSQL beside SQLite)", scope, unit: 'ms', ours: pgf.series24h.median, oursP95: pgf.series24h.p95, naive: lite.series24h.median, naiveP95: lite.series24h.p95, baseline, budget: '≤ 20 ms', withinBudget: pgf.series24h.p95 <= 20, note: `PostgreSQL ${version}: index-only scan of (building, metric, minute) INCLUDE (value, source) through the pg Pool; SQLite: covering index in a reader thread, incl. the message round trip` }),
    row({ section: 6, measure: 'history backends: whole district at one minute (PostgreSQL beside SQLite)', scope, unit: 'ms', ours: pgf.districtMinute.median, oursP95: pgf.districtMinute.p95, naive: lite.districtMinute.median, naiveP95: lite.districtMinute.p95, baseline, budget: '≤ 20 ms', withinBudget: pgf.districtMinute.p95 <= 20, note: `${district.buildings.length * 2} rows; primary key range scan on both` }),
    row(
      { section: 6, measure: 'history backends: 10,000-reading ingest batch throughput (PostgreSQL beside SQLite)', scope, unit: 'readings/s', ours: perS(pgf.batch.median), oursP95: perS(pgf.batch.p95), naive: perS(lite.batch.median), naiveP95: perS(lite.batch.p95), baseline, note: `${BATCHES} batches of insertReadings + minute sums + current values, one durable commit each (PostgreSQL synchronous_commit on; SQLite synchronous = FULL); batch ${pgf.batch.median.toFixed(0)} ms vs ${lite.batch.median.toFixed(0)} ms` },
      true,
    ),
    row({ section: 6, measure: 'history backends: longest event-loop stall during a 10,000-reading batch', scope, unit: 'ms', ours: pgf.batchStallMax.median, oursP95: pgf.batchStallMax.p95, naive: lite.batchStallMax.median, naiveP95: lite.batchStallMax.p95, baseline, note: 'wall-clock loop delay; PostgreSQL: the loop only builds arrays and parses replies; SQLite: the writes run in the writer thread, the loop builds and posts the rows 1,000 a message' }),
    row({ section: 6, measure: 'history backends: sampler writes one minute (PostgreSQL beside SQLite, info)', scope, unit: 'ms', ours: pgf.minuteWrite.median, oursP95: pgf.minuteWrite.p95, naive: lite.minuteWrite.median, naiveP95: lite.minuteWrite.p95, baseline, note: `${district.buildings.length * 2} rows a minute, one commit each without waiting for the flush; the fill of ${DAYS} d took ${pgf.fillS.toFixed(0)} s vs ${lite.fillS.toFixed(0)} s` }),
  ];
  return { rows, raw: { postgresVersion: version, days: DAYS, sqlite: lite, postgres: pgf } };
}
