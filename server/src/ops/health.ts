/**
 * Health that tells the truth: `/healthz` says `degraded`, and why, while history cannot be written (disk full, read-only
 * or failing storage), and `ok` again once a write succeeds. Every history write goes through HistoryStore.transaction
 * (ingest batches and sampled minutes alike), so that one method is observed: each write is timed for /metrics and its
 * outcome recorded here.
 */
import type { HealthResponse } from '@models/api.ts';
import type { HistoryStore } from '../history/history.store.ts';
import { metrics } from './metrics.ts';

export type HealthVerdict = Pick<HealthResponse, 'status' | 'reasons'>;

/** A storage failure (SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR, …), as opposed to a bug in the caller. */
const isStorageError = (err: unknown): err is Error & { code: string } => typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('SQLITE_');

export class HealthTracker {
  private historyFailure: { sinceMs: number; message: string } | null = null;

  constructor(private readonly now: () => number) {}

  /** Observe every write transaction of this store. */
  watchHistory(history: HistoryStore): void {
    const transaction = history.transaction.bind(history);
    history.transaction = <T>(fn: () => T): T => {
      const end = metrics.historyWrite.startTimer();
      try {
        const result = transaction(fn);
        this.historyFailure = null;
        return result;
      } catch (err) {
        if (isStorageError(err)) {
          metrics.historyWriteErrors.inc();
          this.historyFailure ??= { sinceMs: this.now(), message: `${err.code}: ${err.message}` };
        }
        throw err;
      } finally {
        end();
      }
    };
  }

  verdict(): HealthVerdict {
    const reasons: string[] = [];
    if (this.historyFailure) {
      reasons.push(
        `history cannot be written since ${new Date(this.historyFailure.sinceMs).toISOString()} (${this.historyFailure.message}): ingest is refused and minutes are not kept; live values still flow. Free disk space or fix DATA_DIR permissions.`,
      );
    }
    return { status: reasons.length === 0 ? 'ok' : 'degraded', reasons };
  }
}
