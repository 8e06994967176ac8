/**
 * Measure 5 (issue 3): ingest throughput into SQLite through the real ingest service (`TelemetryService.ingest`:
 * zod validation of the batch, one transaction with raw readings + minute aggregates + newest values, durable
 * `synchronous = FULL` as HistoryStore opens it, then applied to the live state) — exactly what the HTTP route and
 * the /ingest namespace call, minus the transport.
 *
 * Batches of 1,000 and 10,000 building readings (occupancy + compute load, distinct timestamps so idempotency never
 * drops one) vs the naive baseline: the same service called with one reading per call, i.e. one transaction and one
 * WAL sync per reading. Fair: same code path, same database settings, same disk; each mode gets a fresh DATA_DIR in
 * the OS temp directory. Readings/s are per batch (median, and from the p95 batch time for the slow tail).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { District } from '@models/district.ts';
import { LiveState } from '../../server/src/live/live.state.ts';
import { HistoryStore } from '../../server/src/history/history.store.ts';
import { SqliteHistoryRepository } from '../../server/src/history/history.repository.ts';
import { TelemetryService } from '../../server/src/telemetry/telemetry.service.ts';
import { log, row, stats, type Row, type Stats } from './stats.ts';

interface Mode {
  batch: number;
  batches: number;
}

const MODES: readonly Mode[] = [
  { batch: 10_000, batches: 12 },
  { batch: 1_000, batches: 40 },
];
/** One reading per call: stop after this many readings or this long, whichever comes first. */
const SINGLE_MAX = 2_000;
const SINGLE_MAX_MS = 4_000;

async function withService<T>(district: District, fn: (service: TelemetryService, store: HistoryStore) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-ingest-'));
  const store = HistoryStore.open(dir);
  // The server's repository: writes in the writer thread (scale.bench.ts sets it beside writes on the loop).
  const repo = new SqliteHistoryRepository(store, null);
  try {
    const state = new LiveState(district, 120);
    const service = new TelemetryService({ state, history: repo, options: { ingestToken: 'bench-token-0123456789', now: Date.now } });
    return await fn(service, store);
  } finally {
    await repo.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function makeReadings(ids: readonly string[], count: number, startTs: number) {
  return Array.from({ length: count }, (_, j) => ({
    kind: 'building' as const,
    buildingId: ids[j % ids.length]!,
    ts: new Date(startTs + j).toISOString(),
    occupancy: ((j * 37) % 1000) / 1000,
    computeLoad: ((j * 53) % 1000) / 1000,
  }));
}

/** Milliseconds per batch → readings per second, keeping the median and the slow tail. */
function throughput(batch: number, ms: Stats): { median: number; p95: number } {
  return { median: (batch * 1000) / ms.median, p95: (batch * 1000) / ms.p95 };
}

export async function ingestBench(district: District): Promise<{ rows: Row[]; raw: unknown }> {
  // Occupancy needs a people capacity (the service rejects it otherwise).
  const ids = district.buildings.filter((b) => b.capacityPeople > 0).map((b) => b.id);
  const raw: Record<string, unknown> = {};

  log('ingest: one reading per transaction');
  const single = await withService(district, async (service) => {
    let ts = Date.now() - 6 * 3_600_000;
    const samples: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < SINGLE_MAX && performance.now() - t0 < SINGLE_MAX_MS; i++) {
      const readings = makeReadings(ids.slice(i % ids.length), 1, ts++);
      const s = performance.now();
      const out = await service.ingest({ readings });
      samples.push(performance.now() - s);
      if (!out.ok) throw new Error(`ingest rejected: ${JSON.stringify(out.issues.slice(0, 3))}`);
    }
    return stats(samples);
  });
  const naive = throughput(1, single);
  raw.single = single;

  const rows: Row[] = [];
  for (const mode of MODES) {
    log(`ingest: batches of ${mode.batch.toLocaleString('en-US')}`);
    const perBatch = await withService(district, async (service, store) => {
      let ts = Date.now() - 3 * 3_600_000;
      const samples: number[] = [];
      for (let b = 0; b < mode.batches + 1; b++) {
        const readings = makeReadings(ids, mode.batch, ts); // built outside the timing: the body a route has parsed
        ts += mode.batch;
        const s = performance.now();
        const out = await service.ingest({ readings });
        const ms = performance.now() - s;
        if (!out.ok) throw new Error(`ingest rejected: ${JSON.stringify(out.issues.slice(0, 3))}`);
        if (out.accepted.stored !== mode.batch) throw new Error(`stored ${out.accepted.stored} of ${mode.batch}`);
        if (b > 0) samples.push(ms); // the first batch warms up zod and the statements
      }
      const synchronous = store.db.pragma('synchronous', { simple: true });
      return { ...stats(samples), synchronous };
    });
    const ours = throughput(mode.batch, perBatch);
    raw[`batch ${mode.batch}`] = perBatch;
    rows.push(
      row(
        {
          section: 5,
          measure: 'ingest readings/s (durable)',
          scope: `batches of ${mode.batch.toLocaleString('en-US')}`,
          unit: 'readings/s',
          ours: ours.median,
          oursP95: ours.p95,
          naive: naive.median,
          naiveP95: naive.p95,
          baseline: 'same service, 1 reading per transaction',
          budget: '≥ 50,000',
          withinBudget: ours.median >= 50_000,
          note: `p95 columns: throughput at the p95 batch time; ack after commit: batch median ${perBatch.median.toFixed(1)} ms, p95 ${perBatch.p95.toFixed(1)} ms over ${perBatch.n} batches; single reading median ${single.median.toFixed(2)} ms over ${single.n}; synchronous=${perBatch.synchronous === 2 ? 'FULL' : perBatch.synchronous}`,
        },
        true,
      ),
    );
  }
  return { rows, raw };
}
