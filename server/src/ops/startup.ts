/** Opening the history database, with one line naming the file and what to do when it cannot be (instead of a stack). */
import path from 'node:path';
import { HISTORY_FILE, HistoryStore } from '../history/history.store.ts';
import { SchemaError } from '../history/history.migrations.ts';
import { PostgresHistoryRepository, SchemaErrorPg } from '../history/history.postgres.ts';
import { HistoryReader } from '../history/history.reader.ts';
import { SqliteHistoryRepository, type HistoryRepository } from '../history/history.repository.ts';
import { DEFAULT_HISTORY_READ_LIMITS } from '../history/history.limits.ts';
import type { AppOptions } from '../config.ts';

/** A start-up problem the operator can fix; main.ts prints the message alone and exits 1. */
export class StartupError extends Error {}

export function openHistory(dataDir: string): HistoryStore {
  const file = path.join(dataDir, HISTORY_FILE);
  try {
    return HistoryStore.open(dataDir);
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    const why = (err as Error).message;
    if (err instanceof SchemaError) throw new StartupError(`History database ${file}: ${why}. The server did not start.`);
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new StartupError(`History database ${file} is damaged (${why}): move it aside (the server then starts with empty history) or restore it from a backup. The server did not start.`);
    }
    if (code === 'SQLITE_FULL') throw new StartupError(`History database ${file}: the disk is full: free space on it. The server did not start.`);
    if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM' || code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
      throw new StartupError(`History database ${file} cannot be opened for writing (${why}): make DATA_DIR writable by this user or point DATA_DIR elsewhere. The server did not start.`);
    }
    throw err;
  }
}

/** The history repository the options ask for: PostgreSQL at `historyUrl`, else SQLite in `dataDir` with its reader threads. */
export async function openHistoryRepository(options: Pick<AppOptions, 'dataDir' | 'historyUrl' | 'historyReads'>): Promise<{ repository: HistoryRepository; store: HistoryStore | null }> {
  const reads = { ...DEFAULT_HISTORY_READ_LIMITS, ...options.historyReads };
  if (options.historyUrl) {
    const where = redactUrl(options.historyUrl);
    try {
      const repository = await PostgresHistoryRepository.open({ url: options.historyUrl, max: reads.threads + 4, maxQueuedReads: reads.maxQueued });
      return { repository, store: null };
    } catch (err) {
      const why = (err as Error).message;
      if (err instanceof SchemaErrorPg) throw new StartupError(`History database ${where}: ${why}. The server did not start.`);
      const code = (err as { code?: string }).code ?? '';
      throw new StartupError(`History database ${where} cannot be used (${code ? `${code}: ` : ''}${why}): check that PostgreSQL is running there and the user may create tables, or unset HISTORY_URL to keep history in SQLite. The server did not start.`);
    }
  }
  const store = openHistory(options.dataDir);
  return { repository: new SqliteHistoryRepository(store, new HistoryReader(store.file, { threads: reads.threads, maxQueued: reads.maxQueued })), store };
}

/** A URL fit for a log line: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'HISTORY_URL';
  }
}
