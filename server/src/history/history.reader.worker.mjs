// History reader thread: its own read-only better-sqlite3 connection on the history file (WAL: it reads committed data
// while the main thread writes), so heavy history reads never run on the server's event loop.
//
// Plain JavaScript on purpose: a worker thread does not inherit the TypeScript loader in every runner (tsx, vitest),
// and this file only needs SQL. The queries and their result shapes are typed on the calling side (history.reader.ts).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const BUILDING = 0;
const SUPPLIER = 1;
const HISTOGRAM_BINS = 1000; // occupancy is a ratio 0..1: p90 to within 0.001

const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma(`cache_size = -${workerData.cacheMiB ?? 32 * 1024}`);

const stmt = {
  series: db.prepare(`
    SELECT CAST((minute - :from) / :bucket AS INTEGER) AS b, avg(value) AS value, max(source) AS source
    FROM building_minute
    WHERE building = (SELECT id FROM entity WHERE kind = ${BUILDING} AND key = :key) AND metric = :metric AND minute BETWEEN :from AND :to
    GROUP BY b ORDER BY b`),
  cluster: db.prepare(`
    WITH w(building, weight) AS (SELECT e.id, j.value FROM json_each(:weights) j JOIN entity e ON e.kind = ${BUILDING} AND e.key = j.key)
    SELECT CAST((m.minute - :from) / :bucket AS INTEGER) AS b, sum(m.value * w.weight) / sum(w.weight) AS value, max(m.source) AS source
    FROM w CROSS JOIN building_minute m ON m.building = w.building AND m.metric = :metric AND m.minute BETWEEN :from AND :to
    GROUP BY b ORDER BY b`),
  pool: db.prepare(`
    SELECT CAST((minute - :from) / :bucket AS INTEGER) AS b, avg(capacity_pflops) AS capacityPflops, avg(allocated_pflops) AS allocatedPflops,
      avg(used_pflops) AS usedPflops, max(source) AS source
    FROM pool_minute
    WHERE supplier = (SELECT id FROM entity WHERE kind = ${SUPPLIER} AND key = :key) AND minute BETWEEN :from AND :to
    GROUP BY b ORDER BY b`),
  districtMinute: db.prepare('SELECT e.key AS buildingId, m.metric, m.value, m.source FROM building_minute m JOIN entity e ON e.id = m.building WHERE m.minute = ?'),
  poolsMinute: db.prepare('SELECT e.key AS supplierId, capacity_pflops AS capacityPflops, allocated_pflops AS allocatedPflops, used_pflops AS usedPflops, source FROM pool_minute p JOIN entity e ON e.id = p.supplier WHERE minute = ?'),
  occupancyRows: db.prepare('SELECT building, value, source FROM building_minute WHERE minute BETWEEN ? AND ? AND metric = 0').raw(),
  entityKey: db.prepare('SELECT key FROM entity WHERE id = ?').pluck(),
};

const ops = {
  /** One metric of several buildings, averaged into buckets of `bucket` minutes. */
  series({ keys, metric, from, to, bucket }) {
    return keys.map((key) => stmt.series.all({ key, metric, from, to, bucket }));
  },
  /** A weighted mean over buildings (weights: { buildingKey: weight }), in buckets. */
  cluster({ weights, metric, from, to, bucket }) {
    return stmt.cluster.all({ weights: JSON.stringify(weights), metric, from, to, bucket });
  },
  pool({ key, from, to, bucket }) {
    return stmt.pool.all({ key, from, to, bucket });
  },
  districtMinute({ minute }) {
    return { buildings: stmt.districtMinute.all(minute), pools: stmt.poolsMinute.all(minute) };
  },
  /** Per building: the 90th percentile of occupancy over minutes from..to, and how many minutes were ingest or simulated. */
  occupancyP90({ from, to, percentile }) {
    const hist = new Map();
    for (const [building, value, source] of stmt.occupancyRows.iterate(from, to)) {
      let h = hist.get(building);
      if (!h) hist.set(building, (h = { bins: new Uint32Array(HISTOGRAM_BINS + 1), n: 0, ingest: 0 }));
      h.bins[Math.max(0, Math.min(HISTOGRAM_BINS, Math.round(value * HISTOGRAM_BINS)))] += 1;
      h.n += 1;
      if (source === 2) h.ingest += 1;
    }
    const out = [];
    for (const [building, h] of hist) {
      const rank = Math.ceil((percentile / 100) * h.n);
      let seen = 0;
      let bin = 0;
      for (; bin <= HISTOGRAM_BINS; bin++) if ((seen += h.bins[bin]) >= rank) break;
      out.push({ key: stmt.entityKey.get(building), p: bin / HISTOGRAM_BINS, minutes: h.n, ingestMinutes: h.ingest });
    }
    return out;
  },
};

parentPort.on('message', ({ id, op, args }) => {
  try {
    const fn = ops[op];
    if (!fn) throw new Error(`unknown history read "${op}"`);
    parentPort.postMessage({ id, result: fn(args) });
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
