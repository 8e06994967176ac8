/**
 * History reads off the event loop: a small pool of worker threads (history.reader.worker.mjs), each with its own
 * read-only connection on the history file, and a bound on how many reads may wait at once. When the pool is full a
 * read is refused at once with ReadersBusyError (answered 429 / an ack error with retryAfterS), never queued without
 * limit: heavy readers slow each other down, never the tick.
 */
import { Worker } from 'node:worker_threads';
import type { StoredSource } from './history.store.ts';

export interface BucketRow {
  /** Bucket index from the range's first minute. */
  b: number;
  value: number;
  source: StoredSource;
}
export interface PoolBucketRow {
  b: number;
  capacityPflops: number;
  allocatedPflops: number;
  usedPflops: number;
  source: StoredSource;
}
export interface OccupancyPercentileRow {
  key: string;
  /** The percentile of occupancy (0..1, to within 0.001). */
  p: number;
  minutes: number;
  ingestMinutes: number;
}
export interface DistrictMinuteRows {
  buildings: Array<{ buildingId: string; metric: number; value: number; source: StoredSource }>;
  pools: Array<{ supplierId: string; capacityPflops: number; allocatedPflops: number; usedPflops: number; source: StoredSource }>;
}

interface Ops {
  series: { args: { keys: string[]; metric: number; from: number; to: number; bucket: number }; result: BucketRow[][] };
  cluster: { args: { weights: Record<string, number>; metric: number; from: number; to: number; bucket: number }; result: BucketRow[] };
  pool: { args: { key: string; from: number; to: number; bucket: number }; result: PoolBucketRow[] };
  districtMinute: { args: { minute: number }; result: DistrictMinuteRows };
  occupancyP90: { args: { from: number; to: number; percentile: number }; result: OccupancyPercentileRow[] };
}

export class ReadersBusyError extends Error {
  constructor(readonly retryAfterS: number) {
    super(`history readers are busy; retry in ${retryAfterS} s`);
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: number;
  pending: Map<number, Pending>;
}

export interface HistoryReaderOptions {
  /** Worker threads (each one read-only connection). */
  threads: number;
  /** Reads in flight or waiting, over all threads; one more is refused with ReadersBusyError. */
  maxQueued: number;
}

const WORKER_URL = new URL('./history.reader.worker.mjs', import.meta.url);

export class HistoryReader {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private inFlight = 0;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly options: HistoryReaderOptions,
  ) {
    for (let i = 0; i < Math.max(1, options.threads); i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL, { workerData: { file: this.file } });
    const slot: Slot = { worker, busy: 0, pending: new Map() };
    worker.unref();
    worker.on('message', ({ id, result, error }: { id: number; result?: unknown; error?: string }) => {
      const p = slot.pending.get(id);
      if (!p) return;
      slot.pending.delete(id);
      slot.busy--;
      this.inFlight--;
      if (error !== undefined) p.reject(new Error(`history read failed: ${error}`));
      else p.resolve(result);
    });
    const fail = (err: Error) => {
      for (const p of slot.pending.values()) p.reject(err);
      this.inFlight -= slot.pending.size;
      slot.pending.clear();
      slot.busy = 0;
      // A reader that died is replaced, so one bad read does not take history down for good.
      const i = this.slots.indexOf(slot);
      if (i >= 0 && !this.closed) this.slots[i] = this.spawn();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`history reader exited (code ${code})`));
    });
    return slot;
  }

  /** Reads in flight or waiting now. */
  get load(): number {
    return this.inFlight;
  }

  run<K extends keyof Ops>(op: K, args: Ops[K]['args']): Promise<Ops[K]['result']> {
    if (this.closed) return Promise.reject(new Error('history is closed'));
    if (this.inFlight >= this.options.maxQueued) return Promise.reject(new ReadersBusyError(1));
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.busy < slot.busy) slot = s;
    const id = this.nextId++;
    slot.busy++;
    this.inFlight++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      slot.worker.postMessage({ id, op, args });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    for (const s of this.slots) for (const p of s.pending.values()) p.reject(new Error('history is closed'));
  }
}
