/**
 * History writes off the event loop (issue 9): one worker thread (history.writer.worker.mjs) owns the SQLite write
 * connection; this side posts each step and awaits its answer, so a 10,000-reading ingest transaction, its durable
 * commit (an fsync), the minute sampler's rows and retention's deletes never hold the loop, and frames keep going out.
 *
 * One thread, because SQLite has one writer at a time anyway. The repository (history.repository.ts) serialises
 * writes, so steps of one transaction (`begin` … `commit`) never interleave with another's. A thread that dies is
 * replaced on the next call; a transaction it had open is gone with its connection (SQLite rolls it back), and the
 * steps still to come of that transaction fail instead of running outside it.
 */
import { Worker } from 'node:worker_threads';
import type { InsertFieldsOutcome, SampledBuildingRow, SampledPoolRow } from './history.writes.mjs';
import type { Reading } from '@models/telemetry.ts';

interface Ops {
  begin: { args: undefined; result: void };
  commit: { args: undefined; result: void };
  rollback: { args: undefined; result: void };
  insertReadings: { args: { rows: ReadonlyArray<{ reading: Reading; tsMs: number }>; receivedMs: number }; result: InsertFieldsOutcome[] };
  addBuildingReadings: { args: { rows: ReadonlyArray<{ buildingId: string; metric: number; minute: number; mean: number; count: number }> }; result: void };
  saveCurrent: {
    args: {
      buildings: ReadonlyArray<{ buildingId: string; metric: number; value: number; tsMs: number }>;
      pools: ReadonlyArray<{ supplierId: string; capacityPflops: number; allocatedPflops: number; usedPflops: number; tsMs: number }>;
      companies: ReadonlyArray<{ companyId: string; buildingId: string | null; headcount: number; registeredModels: number; tsMs: number }>;
    };
    result: void;
  };
  writeSampledMinute: { args: { minute: number; buildings: readonly SampledBuildingRow[]; pools: readonly SampledPoolRow[] }; result: void };
  pruneBatch: { args: { cutoffMs: number; limit: number }; result: number };
  pragma: { args: { sql: string }; result: unknown };
  close: { args: undefined; result: void };
}

/** An error from the writer thread, with the SQLite code it carried (the health tracker reports it). */
export class HistoryWriteError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

const WORKER_URL = new URL('./history.writer.worker.mjs', import.meta.url);

export class HistoryWriter {
  private worker: Worker | null = null;
  /** Which thread this is: a transaction begun on one thread may not go on on its replacement. */
  private generation = 0;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** Messages handled by the thread (a test proves the writes went there). */
  calls = 0;
  /** Steps sent and not yet answered (a test waits for a write to be in the thread). */
  get inFlight(): number {
    return this.pending.size;
  }
  /** The thread's id, once it is running (null before the first write). */
  get threadId(): number | null {
    return this.worker?.threadId ?? null;
  }

  constructor(private readonly file: string) {}

  private spawn(): Worker {
    const worker = new Worker(WORKER_URL, { workerData: { file: this.file } });
    this.generation++;
    worker.unref();
    worker.on('message', ({ id, result, error }: { id: number; result?: unknown; error?: { message: string; code?: string } }) => {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (this.pending.size === 0) worker.unref();
      if (error !== undefined) p.reject(new HistoryWriteError(error.message, error.code));
      else p.resolve(result);
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null; // replaced on the next call
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => fail(new HistoryWriteError(`history writer failed: ${err.message}`, (err as { code?: string }).code)));
    worker.on('exit', (code) => fail(new HistoryWriteError(`history writer exited (code ${code})`, undefined)));
    return worker;
  }

  private post<K extends keyof Ops>(worker: Worker, op: K, args: Ops[K]['args']): Promise<Ops[K]['result']> {
    const id = this.nextId++;
    this.calls++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.ref(); // an awaited write keeps the process alive until it is answered
      worker.postMessage({ id, op, args });
    });
  }

  /** Run one step on the writer thread (started on first use, or again after it died). */
  run<K extends keyof Ops>(op: K, args: Ops[K]['args']): Promise<Ops[K]['result']> {
    if (this.closed) return Promise.reject(new Error('history is closed'));
    this.worker ??= this.spawn();
    return this.post(this.worker, op, args);
  }

  /** Open a transaction; returns a token that steps of this transaction must present. */
  async begin(): Promise<number> {
    await this.run('begin', undefined);
    return this.generation;
  }

  /** A step of the transaction `token` opened: refused if the thread that holds it died meanwhile. */
  step<K extends keyof Ops>(token: number, op: K, args: Ops[K]['args']): Promise<Ops[K]['result']> {
    if (this.worker === null || token !== this.generation) return Promise.reject(new HistoryWriteError('history writer restarted during the transaction (rolled back)', undefined));
    return this.run(op, args);
  }

  /** Roll back what `token`'s transaction wrote, if its thread still holds it. */
  async rollback(token: number): Promise<void> {
    if (this.worker !== null && token === this.generation) await this.run('rollback', undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const worker = this.worker;
    if (worker) await this.post(worker, 'close', undefined).catch(() => undefined);
    this.closed = true;
    this.worker = null;
    if (worker) await worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error('history is closed'));
    this.pending.clear();
  }
}
