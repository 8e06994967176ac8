/** Retention: delete history older than HISTORY_DAYS in the background, in small batches so ticks and ingest keep flowing. */
import type { HistoryRepository } from './history.repository.ts';

export interface RetentionOptions {
  historyDays: number;
  now: () => number;
  everyMs?: number;
  /** Rows per table per batch; each batch is one short write. */
  batchRows?: number;
  onError?: (err: unknown) => void;
}

/** Prune now and then every `everyMs`; returns a function that stops it. */
export function startRetention(history: HistoryRepository, { historyDays, now, everyMs = 3_600_000, batchRows = 2_000, onError }: RetentionOptions): () => void {
  let stopped = false;
  let running = false;
  const pruneStep = async () => {
    if (stopped) return void (running = false);
    try {
      const removed = await history.pruneBatch(now() - historyDays * 86_400_000, batchRows);
      if (removed > 0 && !stopped) return void setImmediate(() => void pruneStep());
    } catch (err) {
      onError?.(err);
    }
    running = false;
  };
  const run = () => {
    if (running || stopped) return;
    running = true;
    void pruneStep();
  };
  const first = setTimeout(run, 0);
  const timer = setInterval(run, everyMs);
  first.unref();
  timer.unref();
  return () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
  };
}
