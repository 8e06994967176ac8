/**
 * Measure 6 (issue 8): storage per reading and per minute row, before (schema 2: text ids, JSON body) and after
 * (schema 3: integer ids, one row per field, WITHOUT ROWID), measured with SQLite's dbstat (pages of each table and
 * its indexes ÷ rows); and the frame gap seen by one client while another floods history reads.
 *
 * Readings: 100,000 single-field building readings at 50 a second (ts 20 ms apart) over the district's buildings,
 * values with three decimals, received 0–999 ms after their ts. Minute rows: 60 minutes × buildings × 2 metrics.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { District } from '@models/district.ts';
import type { Ack } from '@models/api.ts';
import { io as connect } from 'socket.io-client';
import { createApp } from '../../server/src/app.ts';
import { testOptions } from '../../server/src/config.ts';
import { MIGRATIONS } from '../../server/src/history/history.migrations.ts';
import { HistoryStore, MINUTE_MS, STORED_SIMULATED, metricCode, minuteOf } from '../../server/src/history/history.store.ts';
import { log, row, stats, type Row } from './stats.ts';

const READINGS = 100_000;
const MINUTES = 60;

function bytesOf(db: Database.Database, tables: string[]): number {
  const rows = db.prepare(`SELECT sum(pgsize) AS bytes FROM dbstat WHERE name IN (${tables.map(() => '?').join(',')})`).get(...tables) as { bytes: number };
  return rows.bytes;
}
const indexesOf = (db: Database.Database, table: string): string[] => [table, ...(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?").pluck().all(table) as string[])];

export interface StorageFigures {
  readingBefore: number;
  readingAfter: number;
  minuteBefore: number;
  minuteAfter: number;
}

export function storageFigures(district: District): StorageFigures {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-storage-'));
  try {
    const t0 = Date.parse('2026-11-28T00:00:00Z');
    const ids = district.buildings.map((b) => b.id);
    const reading = (i: number) => {
      const ts = t0 + i * 20;
      const buildingId = ids[(i * 7919) % ids.length]!;
      const occupancy = ((i * 37) % 1000) / 1000;
      return { r: { kind: 'building' as const, buildingId, ts: new Date(ts).toISOString(), occupancy }, ts, received: ts + ((i * 131) % 1000) };
    };

    // Before: schema version 2, as the store wrote it.
    const old = new Database(path.join(dir, 'old.sqlite'));
    old.exec(MIGRATIONS[0]!);
    old.exec(MIGRATIONS[1]!);
    const addOld = old.prepare('INSERT INTO reading (kind, entity_id, ts_ms, received_ms, body) VALUES (?, ?, ?, ?, ?)');
    const addOldMinute = old.prepare('INSERT INTO building_minute (minute, building_id, metric, value, readings, source) VALUES (?, ?, ?, ?, 0, 1)');
    old.transaction(() => {
      for (let i = 0; i < READINGS; i++) {
        const { r, ts, received } = reading(i);
        addOld.run('building', r.buildingId, ts, received, JSON.stringify(r));
      }
      for (let m = 0; m < MINUTES; m++) for (const [k, id] of ids.entries()) for (const metric of [0, 1]) addOldMinute.run(minuteOf(t0) + m, id, metric, ((m + k) % 1000) / 1000);
    })();
    const minuteRows = MINUTES * ids.length * 2;
    const readingBefore = bytesOf(old, indexesOf(old, 'reading')) / READINGS;
    const minuteBefore = bytesOf(old, indexesOf(old, 'building_minute')) / minuteRows;
    old.close();

    // After: the current store, through its own insert path.
    const store = new HistoryStore(path.join(dir, 'new.sqlite'));
    store.db.pragma('synchronous = OFF');
    store.transaction(() => {
      for (let i = 0; i < READINGS; i++) {
        const { r, ts, received } = reading(i);
        store.insertReading(r, ts, received);
      }
    });
    const rows = [];
    for (const [k, id] of ids.entries()) for (const metric of ['occupancy', 'computeLoad'] as const) rows.push({ buildingId: id, metric, value: k / 1000, source: STORED_SIMULATED as 1 });
    for (let m = 0; m < MINUTES; m++) store.writeSampledMinute(minuteOf(t0) + m, rows.map((r, j) => ({ ...r, value: ((m + (j >> 1)) % 1000) / 1000 })), []);
    const readingAfter = bytesOf(store.db, indexesOf(store.db, 'reading')) / READINGS;
    const minuteAfter = bytesOf(store.db, indexesOf(store.db, 'building_minute')) / minuteRows;
    store.close();
    return { readingBefore, readingAfter, minuteBefore, minuteAfter };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One client floods history reads (socket and HTTP) while another counts frames; a day of minutes in the file. */
async function floodGaps(withFlood: boolean): Promise<{ gaps: ReturnType<typeof stats>; p99: number; refused: number; sent: number; seconds: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-flood-'));
  const lastMinute = minuteOf(Date.now()) - 2;
  const store = HistoryStore.open(dir);
  const { loadDistrict } = await import('../../server/src/district/district.loader.ts');
  const district = await loadDistrict(testOptions().datasetDir);
  store.transaction(() => district.buildings.forEach((b) => store.entityId('building', b.id)));
  store.db
    .prepare(
      `WITH RECURSIVE m(x) AS (SELECT ? UNION ALL SELECT x + 1 FROM m WHERE x < ?)
       INSERT INTO building_minute (minute, building, metric, value, readings, source)
       SELECT m.x, e.id, k.metric, ((m.x + e.id) % 100) / 100.0, 0, ${STORED_SIMULATED} FROM m, entity e, (SELECT ${metricCode('occupancy')} AS metric UNION ALL SELECT ${metricCode('computeLoad')}) k WHERE e.kind = 0`,
    )
    .run(lastMinute - 1439, lastMinute);
  store.close();
  const app = await createApp(testOptions({ dataDir: dir, tickMs: 200 }));
  const url = await app.listen();
  const opts = { transports: ['websocket'], reconnection: false };
  const watcher = connect(url, opts);
  const flooder = connect(url, opts);
  try {
    const arrivals: number[] = [];
    watcher.on('metrics:frame', () => arrivals.push(performance.now()));
    while (arrivals.length < 3) await new Promise((r) => setTimeout(r, 50));
    const start = performance.now();
    let refused = 0;
    let sent = 0;
    if (withFlood) {
      const from = new Date((lastMinute - 31 * 1440) * MINUTE_MS).toISOString();
      const to = new Date(lastMinute * MINUTE_MS).toISOString();
      const http = Promise.all(Array.from({ length: 100 }, (_, i) => fetch(`${url}/api/v1/history?building=${district.buildings[i]!.id}&metric=occupancy&from=${from}&to=${to}`).then((r) => r.status)));
      const acks: Array<Promise<Ack<unknown>>> = [];
      for (; sent < 4000; ) {
        for (let k = 0; k < 200; k++, sent++) acks.push(new Promise((resolve) => flooder.emit('history:minute', { at: new Date((lastMinute - (sent % 1440)) * MINUTE_MS).toISOString() }, resolve)));
        await new Promise((r) => setImmediate(r));
      }
      const [statuses, answers] = await Promise.all([http, Promise.all(acks)]);
      refused = statuses.filter((s) => s === 429).length + answers.filter((a) => !a.ok).length;
      sent += 100;
    } else await new Promise((r) => setTimeout(r, 5000));
    const end = performance.now();
    const until = arrivals.length + 3;
    while (arrivals.length < until) await new Promise((r) => setTimeout(r, 50));
    const gaps = arrivals.flatMap((t, i) => (i > 0 && t >= start ? [t - arrivals[i - 1]!] : []));
    const sorted = [...gaps].sort((x, y) => x - y);
    return { gaps: stats(gaps), p99: sorted[Math.max(0, Math.ceil(0.99 * sorted.length) - 1)] ?? NaN, refused, sent, seconds: (end - start) / 1000 };
  } finally {
    watcher.close();
    flooder.close();
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function historyStorageBench(district: District, retentionDays: number): Promise<{ rows: Row[]; raw: unknown }> {
  log('history: bytes per reading and per minute row, before and after');
  const f = storageFigures(district);
  const perDay = (bytes: number, perSecond: number) => (bytes * perSecond * 86_400) / 2 ** 30;
  log('history: frame gaps while one client floods history reads');
  const quiet = await floodGaps(false);
  const flood = await floodGaps(true);
  const scope = `${district.buildings.length} buildings`;
  return {
    rows: [
      row({ section: 6, measure: 'history: bytes per stored raw reading', scope, unit: 'B', ours: f.readingAfter, naive: f.readingBefore, baseline: 'schema 2 (text ids, JSON body, rowid + 2 indexes)', note: `${READINGS.toLocaleString('en-US')} readings at 50/s; 50 readings/s × ${retentionDays} d ≈ ${(perDay(f.readingAfter, 50) * retentionDays).toFixed(2)} GiB (was ${(perDay(f.readingBefore, 50) * retentionDays).toFixed(2)} GiB)` }),
      row({ section: 6, measure: 'history: bytes per minute row (with its index)', scope, unit: 'B', ours: f.minuteAfter, naive: f.minuteBefore, baseline: 'schema 2 (text building ids)', note: `${scope} × 2 metrics × 1,440 min ≈ ${((f.minuteAfter * district.buildings.length * 2 * 1440) / 2 ** 20).toFixed(0)} MiB a day (was ${((f.minuteBefore * district.buildings.length * 2 * 1440) / 2 ** 20).toFixed(0)} MiB)` }),
      row({ section: 6, measure: 'history: frame gap at another client during a history flood', scope, unit: 'ms', ours: flood.gaps.max, naive: quiet.gaps.max, baseline: 'the same server with no flood (5 s)', budget: 'max < 2,000 ms', withinBudget: flood.gaps.max < 2000, note: `TICK_MS 200; ${flood.sent.toLocaleString('en-US')} reads in ${flood.seconds.toFixed(1)} s (4,000 history:minute + 100 HTTP 31-day series), ${flood.refused.toLocaleString('en-US')} refused with a retry time; max gap shown; p99 ${flood.p99.toFixed(0)} ms (quiet ${quiet.p99.toFixed(0)} ms), median ${flood.gaps.median.toFixed(0)} ms` }),
    ],
    raw: { storage: f, quiet, flood },
  };
}
