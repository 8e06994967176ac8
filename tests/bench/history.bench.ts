/**
 * Measure 6 (issue 3): history queries on a week of per-minute rows for the real district.
 *
 * A real HistoryStore (its schema and migrations) is filled fast with a direct batched insert on its database handle:
 * the sampler's own INSERT statements, one transaction per simulated day, `synchronous = OFF` for the fill only —
 * 7 days × 1,440 minutes × buildings × 2 live metrics of building rows, plus the 9 pools per minute. (Calling
 * `writeSampledMinute` per minute costs a commit per minute and ≈ 8 min for a week; nesting it in a bigger transaction
 * turns each call into a savepoint, ≈ 3× slower than this.) The store is then closed and reopened, so the queries run
 * with its own settings (WAL, synchronous = FULL, 64 MiB cache). Then, at random buildings, windows and minutes:
 *   - one building's 24 h series: `store.series` (1,440 rows),
 *   - the whole district at one minute: `store.districtMinute` (buildings × 2 rows + pools),
 * each beside the naive baseline: the same SQL, in the same database and run, on a plain copy of building_minute
 * (an ordinary rowid table with the same rows and no index or clustering key), i.e. a full scan. The naive district
 * minute maps its rows the same way the store does, so both sides pay for the same JavaScript work.
 * Also reported (no baseline): the cost of the sampler's once-a-minute `writeSampledMinute` on the filled store, which
 * runs on the server's event loop right after a tick.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { District } from '@models/district.ts';
import { LIVE_METRICS } from '@models/metrics.ts';
import { HistoryStore, MINUTE_MS, STORED_SIMULATED, metricCode, minuteOf, type MinuteValue, type PoolMinute } from '../../server/src/history/history.store.ts';
import { HistoryReader } from '../../server/src/history/history.reader.ts';
import { log, row, stats, timeSync, type Row } from './stats.ts';

const DAYS = 7;
const MINUTES_PER_TX = 60;
const REPS = 200;
const NAIVE_REPS = 7;
const WRITE_REPS = 15;

export async function historyBench(district: District): Promise<{ rows: Row[]; raw: unknown }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-history-'));
  let store = HistoryStore.open(dir);
  try {
    const n = district.buildings.length;
    const last = minuteOf(Date.now()) - 1;
    const first = last - DAYS * 1440 + 1;
    const ids = district.buildings.map((b) => b.id);
    const seriesPerMinute = n * LIVE_METRICS.length;

    log(`history: filling ${DAYS} days of minutes for ${n} buildings`);
    const t0 = performance.now();
    store.db.pragma('synchronous = OFF');
    // The statements of HistoryStore.writeSampledMinute (the sampler's), batched one day per transaction.
    const addBuilding = store.db.prepare('INSERT INTO building_minute (minute, building, metric, value, readings, source) VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT DO NOTHING');
    const addPool = store.db.prepare('INSERT INTO pool_minute (minute, supplier, capacity_pflops, allocated_pflops, used_pflops, source) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
    const entityIds = store.transaction(() => ids.map((id) => store.entityId('building', id)));
    const supplierIds = store.transaction(() => district.suppliers.map((s) => store.entityId('supplier', s.id)));
    const fillDay = store.db.transaction((m0: number) => {
      for (let m = m0; m < m0 + 1440 && m <= last; m++) {
        for (let k = 0; k < seriesPerMinute; k++) addBuilding.run(m, entityIds[k >> 1], k & 1, ((m * 31 + k * 17) % 1000) / 1000, STORED_SIMULATED);
        for (const [j, s] of district.suppliers.entries()) addPool.run(m, supplierIds[j], s.capacityPflops, s.capacityPflops * 0.8, s.capacityPflops * 0.5, STORED_SIMULATED);
      }
    });
    for (let m0 = first; m0 <= last; m0 += 1440) fillDay(m0);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    const fillS = (performance.now() - t0) / 1000;
    const rowsFilled = (last - first + 1) * seriesPerMinute;
    const poolRows = (last - first + 1) * district.suppliers.length;
    store = HistoryStore.open(dir);
    const fileMB = fs.statSync(store.file).size / 1e6;
    log(`history: ${rowsFilled.toLocaleString('en-US')} building rows in ${fillS.toFixed(1)} s (${fileMB.toFixed(0)} MB); copying for the baseline`);

    // Baseline table: same rows, heap order, no index.
    const t1 = performance.now();
    store.db.exec('CREATE TABLE bench_naive_minute AS SELECT minute, e.key AS building_id, metric, value, readings, source FROM building_minute JOIN entity e ON e.id = building');
    const copyS = (performance.now() - t1) / 1000;
    const naiveSeries = store.db.prepare('SELECT minute, value, source FROM bench_naive_minute WHERE building_id = ? AND metric = ? AND minute BETWEEN ? AND ? ORDER BY minute');
    const naiveMinute = store.db.prepare('SELECT building_id AS buildingId, metric, value, source FROM bench_naive_minute WHERE minute = ?');
    const poolsMinute = store.db.prepare('SELECT e.key AS supplierId, capacity_pflops AS capacityPflops, allocated_pflops AS allocatedPflops, used_pflops AS usedPflops, source FROM pool_minute JOIN entity e ON e.id = supplier WHERE minute = ?');

    // Deterministic "random" picks so both sides see comparable positions.
    const pickBuilding = (i: number) => district.buildings[(i * 7919) % n]!.id;
    const pickDayStart = (i: number) => first + ((i * 104_729) % (last - first + 1 - 1440));
    const pickMinute = (i: number) => first + ((i * 15_485_863) % (last - first + 1));
    const check = (got: number, want: number, what: string) => {
      if (got !== want) throw new Error(`${what}: ${got} rows, expected ${want}`);
    };

    log('history: queries');
    const series = timeSync((i) => {
      const s = pickDayStart(i);
      check(store.series(pickBuilding(i), 'occupancy', s, s + 1439).length, 1440, 'series');
    }, REPS);
    const minute = timeSync((i) => check(store.districtMinute(pickMinute(i)).buildings.length, seriesPerMinute, 'district minute'), REPS);
    const seriesNaive = timeSync(
      (i) => {
        const s = pickDayStart(i);
        check(naiveSeries.all(pickBuilding(i), metricCode('occupancy'), s, s + 1439).length, 1440, 'naive series');
      },
      NAIVE_REPS,
      1,
    );
    const minuteNaive = timeSync(
      (i) => {
        const m = pickMinute(i);
        const rows = naiveMinute.all(m) as Array<Omit<MinuteValue, 'metric'> & { metric: number }>;
        const mapped = { buildings: rows.map((r) => ({ ...r, metric: LIVE_METRICS[r.metric]! })), pools: poolsMinute.all(m) };
        check(mapped.buildings.length, seriesPerMinute, 'naive district minute');
      },
      NAIVE_REPS,
      1,
    );

    // The sampler's once-a-minute write (its own transaction, synchronous = FULL), appended after the filled week.
    const minuteRows: MinuteValue[] = district.buildings.flatMap((b) => LIVE_METRICS.map((metric) => ({ buildingId: b.id, metric, value: 0.5, source: STORED_SIMULATED })));
    const poolRowsOne: PoolMinute[] = district.suppliers.map((s) => ({ supplierId: s.id, capacityPflops: s.capacityPflops, allocatedPflops: 0, usedPflops: 0, source: STORED_SIMULATED }));
    const sampleWrite = timeSync((i) => store.writeSampledMinute(last + 1 + i, minuteRows, poolRowsOne), WRITE_REPS, 0);

    // A week of one building in ≤ 1,000 points: downsampled in SQL in a reader thread (ours), beside the indexed query
    // of every minute (store.series, the covering index) bucketed in JavaScript on the event loop (the alternative).
    const bucket = Math.ceil((last - first + 1) / 1000);
    const reader = new HistoryReader(store.file, { threads: 1, maxQueued: 4 });
    const weekReader: number[] = [];
    const clusterReader: number[] = [];
    const minuteReader: number[] = [];
    const clusterWeights: Record<string, number> = {};
    for (const b of district.buildings) if (b.clusterId === district.buildings[0]!.clusterId && b.capacityPeople > 0) clusterWeights[b.id] = b.capacityPeople;
    try {
      for (let i = 0; i < 40; i++) {
        const t = performance.now();
        const [pts] = await reader.run('series', { keys: [pickBuilding(i)], metric: 0, from: first, to: last, bucket });
        if (i >= 5) weekReader.push(performance.now() - t);
        if (!pts || pts.length > 1000 || pts.length < 900) throw new Error(`downsampled week: ${pts?.length} points`);
      }
      for (let i = 0; i < 60; i++) {
        const t = performance.now();
        const rows = await reader.run('districtMinute', { minute: pickMinute(i) });
        if (i >= 10) minuteReader.push(performance.now() - t);
        check(rows.buildings.length, seriesPerMinute, 'district minute (reader)');
      }
      for (let i = 0; i < 8; i++) {
        const t = performance.now();
        await reader.run('cluster', { weights: clusterWeights, metric: 0, from: first, to: last, bucket });
        if (i >= 1) clusterReader.push(performance.now() - t);
      }
    } finally {
      await reader.close();
    }
    const weekIndexed = timeSync((i) => {
      const rows = store.series(pickBuilding(i), 'occupancy', first, last);
      const sums = new Float64Array(1000);
      const counts = new Uint32Array(1000);
      for (const r of rows) {
        const b = Math.floor((r.minute - first) / bucket);
        sums[b]! += r.value;
        counts[b]! += 1;
      }
      check(rows.length, last - first + 1, 'indexed week');
    }, 40, 5);
    const weekOurs = stats(weekReader);
    const clusterOurs = stats(clusterReader);
    const minuteOurs = stats(minuteReader);

    const scope = `${DAYS} d × ${n} buildings: ${(rowsFilled / 1e6).toFixed(2)} M rows`;
    const note = `filled by a direct batched insert (the sampler's statements, one transaction per day) in ${fillS.toFixed(1)} s (${rowsFilled.toLocaleString('en-US')} building rows + ${poolRows.toLocaleString('en-US')} pool rows, ${fileMB.toFixed(0)} MB); baseline table copied in ${copyS.toFixed(1)} s`;
    return {
      rows: [
        row({ section: 6, measure: "history: one building's 24 h series", scope, unit: 'ms', ours: series.median, oursP95: series.p95, naive: seriesNaive.median, naiveP95: seriesNaive.p95, baseline: 'same SQL on an unindexed copy (full scan)', budget: '≤ 20 ms', withinBudget: series.p95 <= 20, note: `${series.n} / ${seriesNaive.n} queries of 1,440 rows; ${note}` }),
        row({ section: 6, measure: 'history: whole district at one minute', scope, unit: 'ms', ours: minute.median, oursP95: minute.p95, naive: minuteNaive.median, naiveP95: minuteNaive.p95, baseline: 'same SQL on an unindexed copy (full scan)', budget: '≤ 20 ms', withinBudget: minute.p95 <= 20, note: `${minute.n} / ${minuteNaive.n} queries of ${seriesPerMinute} rows + pools` }),
        row({ section: 6, measure: "history: one building's 7 d in ≤ 1,000 points", scope, unit: 'ms', ours: weekOurs.median, oursP95: weekOurs.p95, naive: weekIndexed.median, naiveP95: weekIndexed.p95, baseline: 'indexed query of every minute (covering index) + bucketing in JS, on the event loop', note: `ours: GROUP BY bucket (${bucket} min) in a reader thread, wall time incl. the message round trip; the event loop is busy only for the message. The alternative holds the loop for its whole time` }),
        row({ section: 6, measure: 'history: whole district at one minute, as served (reader thread)', scope, unit: 'ms', ours: minuteOurs.median, oursP95: minuteOurs.p95, budget: '≤ 20 ms', withinBudget: minuteOurs.p95 <= 20, note: 'what GET /api/v1/history/district and history:minute wait for: the query in a reader thread plus the message round trip' }),
        row({ section: 6, measure: 'history: cluster 7 d, capacity-weighted, ≤ 1,000 points (info)', scope, unit: 'ms', ours: clusterOurs.median, oursP95: clusterOurs.p95, note: `${Object.keys(clusterWeights).length} buildings, in a reader thread (off the event loop)` }),
        row({ section: 6, measure: 'history: sampler writes one minute (info)', scope, unit: 'ms', ours: sampleWrite.median, oursP95: sampleWrite.p95, note: `${sampleWrite.n} minutes of ${seriesPerMinute} rows + pools, one commit each (synchronous = NORMAL for sampled minutes), on the server's event loop after a tick` }),
      ],
      raw: { weekOurs, weekIndexed, clusterOurs, minuteOurs, days: DAYS, buildings: n, rows: rowsFilled, poolRows, fillSeconds: fillS, fileMB, copySeconds: copyS, minuteMs: MINUTE_MS, series, minute, seriesNaive, minuteNaive, sampleWrite },
    };
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
