/**
 * The soak's view of the server: one sample from `GET /metrics` (Prometheus text format), `GET /healthz` and the
 * database files on disk. Kept apart from soak.ts so an integration test can check the parser against a real
 * /metrics answer (tests/integration/soak.metrics.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HealthResponse } from '@models/api.ts';

/** Series key (`name` or `name{a="x",b="y"}` with labels sorted) → value. Comments and blank lines are skipped. */
export type Scrape = Map<string, number>;

/** Labels sorted by name, so a lookup does not depend on the order prom-client writes them in. */
export function seriesKey(name: string, labels: Record<string, string> = {}): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return name;
  return `${name}{${keys.map((k) => `${k}="${labels[k]}"`).join(',')}}`;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parse the Prometheus text exposition format (version 0.0.4). A value such as `NaN` or `+Inf` parses as a number. */
export function parsePrometheus(text: string): Scrape {
  const out: Scrape = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const v = m[3]!;
    out.set(seriesKey(m[1]!, labels), v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v));
  }
  return out;
}

/** One series' value, NaN when absent. */
export function value(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  return scrape.get(seriesKey(name, labels)) ?? NaN;
}

/** Sum of every series of a metric whose labels include `match` (e.g. all transports of one outcome). */
export function sum(scrape: Scrape, name: string, match: Record<string, string> = {}): number {
  let total = 0;
  const wanted = Object.entries(match).map(([k, v]) => `${k}="${v}"`);
  for (const [key, v] of scrape) {
    if (key !== name && !key.startsWith(`${name}{`)) continue;
    if (wanted.every((w) => key.includes(w))) total += v;
  }
  return total;
}

/** Database files on disk: history.sqlite and its -wal and -shm. */
export function databaseBytes(dataDir: string): { total: number; files: Record<string, number> } {
  const files: Record<string, number> = {};
  let total = 0;
  let names: string[] = [];
  try {
    names = fs.readdirSync(dataDir).filter((f) => f.startsWith('history.sqlite'));
  } catch {
    // no directory yet
  }
  for (const f of names) {
    try {
      const size = fs.statSync(path.join(dataDir, f)).size;
      files[f] = size;
      total += size;
    } catch {
      // removed between listing and stat (the WAL at checkpoint)
    }
  }
  return { total, files };
}

/** What the soak keeps of each sample. Bytes, seconds, counts; cumulative counters as the server reports them (a labelled
 * counter appears only once incremented, so those are summed: absent is 0). */
export interface Sample {
  /** Seconds since the load started. */
  t: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** Event-loop delay since the previous scrape (prom-client resets its histogram on every scrape), seconds. */
  lagMaxS: number;
  lagP99S: number;
  screens: number;
  sessions: number;
  ticks: number;
  tickMaxBucketOver100ms: number;
  framesBroadcast: number;
  frameDeliveries: number;
  ingestAccepted: number;
  ingestRefused: number;
  readingsStored: number;
  readingsDuplicate: number;
  sessionsRefused: number;
  historyWrites: number;
  /** History write transactions slower than 100 ms (count minus the ≤ 0.1 s bucket). */
  historyWritesOver100ms: number;
  /** … and slower than a second (an fsync on a busy disk blocks the loop for as long: better-sqlite3 is synchronous). */
  historyWritesOver1s: number;
  historyWriteErrors: number;
  /** CPU the server process has used (user + system), seconds. */
  cpuSeconds: number;
  /** The machine's 1-minute load average when the sample was taken (the machine is shared). */
  loadavg1: number;
  /** The server's own figure (database and WAL). */
  databaseBytesReported: number;
  /** Measured here: every history.sqlite* file. */
  databaseBytesOnDisk: number;
  health: HealthResponse['status'] | 'unreachable';
  healthReasons: string[];
  healthClients: number;
}

/** Turn one scrape (and the health answer and file sizes) into a sample. */
export function toSample(t: number, scrape: Scrape, health: HealthResponse | null, dbOnDisk: number): Sample {
  const accepted = sum(scrape, 'wbt_ingest_batches_total', { outcome: 'accepted' });
  const tickCount = value(scrape, 'wbt_tick_duration_seconds_count');
  return {
    t,
    rssBytes: value(scrape, 'process_resident_memory_bytes'),
    heapUsedBytes: value(scrape, 'nodejs_heap_size_used_bytes'),
    heapTotalBytes: value(scrape, 'nodejs_heap_size_total_bytes'),
    externalBytes: value(scrape, 'nodejs_external_memory_bytes'),
    lagMaxS: value(scrape, 'nodejs_eventloop_lag_max_seconds'),
    lagP99S: value(scrape, 'nodejs_eventloop_lag_p99_seconds'),
    screens: value(scrape, 'wbt_screens_connected'),
    sessions: value(scrape, 'wbt_engine_sessions'),
    ticks: tickCount,
    // ticks slower than 100 ms: the count minus those in the ≤ 0.1 s bucket
    tickMaxBucketOver100ms: tickCount - value(scrape, 'wbt_tick_duration_seconds_bucket', { le: '0.1' }),
    framesBroadcast: value(scrape, 'wbt_frames_broadcast_total'),
    frameDeliveries: value(scrape, 'wbt_frame_deliveries_total'),
    ingestAccepted: accepted,
    ingestRefused: sum(scrape, 'wbt_ingest_batches_total') - accepted,
    readingsStored: sum(scrape, 'wbt_ingest_readings_total', { outcome: 'stored' }),
    readingsDuplicate: sum(scrape, 'wbt_ingest_readings_total', { outcome: 'duplicate' }),
    sessionsRefused: sum(scrape, 'wbt_sessions_refused_total'),
    historyWrites: value(scrape, 'wbt_history_write_seconds_count'),
    historyWritesOver100ms: value(scrape, 'wbt_history_write_seconds_count') - value(scrape, 'wbt_history_write_seconds_bucket', { le: '0.1' }),
    historyWritesOver1s: value(scrape, 'wbt_history_write_seconds_count') - value(scrape, 'wbt_history_write_seconds_bucket', { le: '1' }),
    historyWriteErrors: value(scrape, 'wbt_history_write_errors_total'),
    cpuSeconds: value(scrape, 'process_cpu_seconds_total'),
    loadavg1: os.loadavg()[0]!,
    databaseBytesReported: value(scrape, 'wbt_database_bytes'),
    databaseBytesOnDisk: dbOnDisk,
    health: health?.status ?? 'unreachable',
    healthReasons: health?.reasons ?? [],
    healthClients: health?.clients ?? NaN,
  };
}

/** Scrape /metrics and /healthz once. */
export async function takeSample(url: string, dataDir: string, t: number): Promise<Sample> {
  const [metricsText, health] = await Promise.all([
    fetch(`${url}/metrics`).then((r) => {
      if (!r.ok) throw new Error(`/metrics answered ${r.status}`);
      return r.text();
    }),
    fetch(`${url}/healthz`)
      .then((r) => r.json() as Promise<HealthResponse>)
      .catch(() => null),
  ]);
  return toSample(t, parsePrometheus(metricsText), health, databaseBytes(dataDir).total);
}
