// History writer thread: owns the server's one SQLite write connection, so ingest transactions (with the commit's fsync,
// synchronous=FULL), the minute sampler's rows and retention's deletes run here, never on the event loop. The main
// thread (history.writer.ts) sends one message per step and awaits the answer; steps of one ingest transaction arrive
// between `begin` and `commit`/`rollback`, one transaction at a time (the repository serialises writes).
//
// The main thread has already opened the file and run its migrations (start-up errors are reported there, in one line).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SqliteWrites } from './history.writes.mjs';

let db = null;
let writes = null;

/** Open the write connection; on failure (storage gone, permissions changed) the step that needed it gets the error. */
function open() {
  const conn = new Database(workerData.file, { fileMustExist: true });
  try {
    conn.pragma('journal_mode = WAL');
    // FULL: an acknowledged batch survives power loss (see history.store.ts); sampled minutes lower it per transaction.
    conn.pragma('synchronous = FULL');
    conn.pragma('busy_timeout = 5000');
    conn.pragma('cache_size = -65536');
    writes = new SqliteWrites(conn);
  } catch (err) {
    conn.close();
    throw err;
  }
  db = conn;
}

try {
  open();
} catch {
  // answered to the first step that needs the connection (it tries again then)
}

const ops = {
  begin() {
    db.exec('BEGIN IMMEDIATE');
  },
  commit() {
    db.exec('COMMIT');
  },
  rollback() {
    if (db.inTransaction) db.exec('ROLLBACK');
    writes.forgetEntities();
  },
  /** rows: [{ reading, tsMs }] → outcomes without the fresh reading (the main thread rebuilds it from `fields`). */
  insertReadings({ rows, receivedMs }) {
    return rows.map((r) => writes.insertReadingFields(r.reading, r.tsMs, receivedMs));
  },
  addBuildingReadings({ rows }) {
    for (const r of rows) writes.addBuildingReadings(r.buildingId, r.metric, r.minute, r.mean, r.count);
  },
  saveCurrent({ buildings, pools, companies }) {
    for (const b of buildings) writes.saveCurrentBuilding(b.buildingId, b.metric, b.value, b.tsMs);
    for (const p of pools) writes.saveCurrentPool(p);
    for (const c of companies) writes.saveCurrentCompany(c);
  },
  writeSampledMinute({ minute, buildings, pools }) {
    writes.writeSampledMinute(minute, buildings, pools);
  },
  pruneBatch({ cutoffMs, limit }) {
    return writes.pruneBatch(cutoffMs, limit);
  },
  /** A PRAGMA on this connection (tests use query_only to stand in for storage that refuses writes). */
  pragma({ sql }) {
    return db.pragma(sql);
  },
  close() {
    if (!db) return;
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
    db = null;
  },
};

parentPort.on('message', ({ id, op, args }) => {
  try {
    const fn = ops[op];
    if (!fn) throw new Error(`unknown history write "${op}"`);
    if (!db && op !== 'close') open();
    parentPort.postMessage({ id, result: fn(args) });
  } catch (err) {
    // The SQLite code travels with the message: the health tracker names it (SQLITE_READONLY, SQLITE_FULL, …).
    parentPort.postMessage({ id, error: { message: err instanceof Error ? err.message : String(err), code: err?.code } });
  }
});
