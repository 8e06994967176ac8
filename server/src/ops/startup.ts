/** Opening the history database, with one line naming the file and what to do when it cannot be (instead of a stack). */
import path from 'node:path';
import { HISTORY_FILE, HistoryStore } from '../history/history.store.ts';
import { SchemaError } from '../history/history.migrations.ts';

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
