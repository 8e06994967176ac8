/**
 * Health that tells the truth: `/healthz` says `degraded`, and why, while history cannot be written (disk full, read-only
 * or failing storage, PostgreSQL unreachable or refusing), and `ok` again once a write succeeds. Every history write
 * goes through the repository's `write` (ingest batches), `writeSampledMinute` (sampled minutes) or `pruneBatch`
 * (retention), for SQLite and PostgreSQL alike, so those three methods are observed: each write is timed for /metrics
 * and its outcome recorded here.
 */
import type { HealthResponse } from '@models/api.ts';
import type { HistoryRepository } from '../history/history.repository.ts';
import { metrics } from './metrics.ts';

export type HealthVerdict = Pick<HealthResponse, 'status' | 'reasons'>;

/**
 * A storage failure, as opposed to a bug in the caller: SQLite's SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR, …;
 * PostgreSQL's SQLSTATE classes 08 (connection), 53 (insufficient resources: disk full, out of memory), 57 (operator
 * intervention: shutting down), 58 (system / I/O error) and 25006 (read-only transaction); a refused or dropped socket.
 */
const PG_STORAGE = /^(08|53|57|58)...$|^25006$/;
const NET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);
const isStorageError = (err: unknown): err is Error & { code: string } => {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_') || PG_STORAGE.test(code) || NET_ERRORS.has(code));
};

export class HealthTracker {
  private historyFailure: { sinceMs: number; message: string } | null = null;

  constructor(private readonly now: () => number) {}

  /** Observe every write of this history repository (ingest transactions, sampled minutes, retention batches). */
  watchHistory(history: HistoryRepository): void {
    const observe = async <T>(run: () => Promise<T>): Promise<T> => {
      const end = metrics.historyWrite.startTimer();
      try {
        const result = await run();
        this.historyFailure = null;
        return result;
      } catch (err) {
        if (isStorageError(err)) {
          metrics.historyWriteErrors.inc();
          // since the first failure; the reason is the latest one (a dropped connection may come first, then the real cause)
          this.historyFailure = { sinceMs: this.historyFailure?.sinceMs ?? this.now(), message: `${err.code}: ${err.message}` };
        }
        throw err;
      } finally {
        end();
      }
    };
    const write = history.write.bind(history);
    const writeSampledMinute = history.writeSampledMinute.bind(history);
    history.write = (fn) => observe(() => write(fn));
    history.writeSampledMinute = (...args) => observe(() => writeSampledMinute(...args));
    const pruneBatch = history.pruneBatch.bind(history);
    history.pruneBatch = (...args) => observe(() => pruneBatch(...args));
  }

  verdict(): HealthVerdict {
    const reasons: string[] = [];
    if (this.historyFailure) {
      reasons.push(
        `history cannot be written since ${new Date(this.historyFailure.sinceMs).toISOString()} (${this.historyFailure.message}): ingest is refused and minutes are not kept; live values still flow. Free disk space or fix DATA_DIR permissions (PostgreSQL: check that the server at HISTORY_URL is up and has room).`,
      );
    }
    return { status: reasons.length === 0 ? 'ok' : 'degraded', reasons };
  }
}
