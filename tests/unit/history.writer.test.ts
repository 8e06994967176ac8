/**
 * The history writer thread (issue 9): SQLite writes run on their own thread, and a transaction stays all or nothing
 * even when that thread dies in the middle of it — its steps still to come fail instead of running outside the
 * transaction, and the next write runs on a new thread.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reading } from '../../models/telemetry.ts';
import { SqliteHistoryRepository } from '../../server/src/history/history.repository.ts';
import { HistoryStore } from '../../server/src/history/history.store.ts';

const T0 = Date.parse('2026-11-28T02:00:00Z');
const reading = (j: number): Reading => ({ kind: 'building', buildingId: `b${j % 7}`, ts: new Date(T0 + j).toISOString(), occupancy: (j % 10) / 10 });
const rows = (n: number) => Array.from({ length: n }, (_, j) => ({ reading: reading(j), tsMs: T0 + j }));

let dir: string;
let store: HistoryStore;
let repo: SqliteHistoryRepository;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-writer-'));
  store = HistoryStore.open(dir);
  repo = new SqliteHistoryRepository(store, null);
});
afterEach(async () => {
  await repo.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
const count = (table: string) => (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('SqliteHistoryRepository writes', () => {
  it('should run on a thread of their own, and be read back on the main connection once committed', async () => {
    await repo.write(async (tx) => {
      await tx.insertReadings(rows(2500), T0 + 60_000);
      // not committed yet: the main thread's connection does not see the rows
      expect(count('reading')).toBe(0);
    });
    expect(count('reading')).toBe(2500);
    expect(repo.writer!.threadId).toBeGreaterThan(0);
    expect(repo.writer!.threadId).not.toBe(threadId);
  });

  it('should write nothing of a transaction whose thread dies in the middle, and go on with a new thread', async () => {
    const killed = repo.write(async (tx) => {
      await tx.insertReadings(rows(1500), T0 + 60_000);
      await (repo.writer as unknown as { worker: Worker }).worker.terminate();
      await tx.saveCurrent({ buildings: [{ buildingId: 'b1', metric: 'occupancy', value: 0.5, tsMs: T0 }] });
    });
    await expect(killed).rejects.toThrow(/history writer/);
    expect(count('reading')).toBe(0);
    expect(count('current_building')).toBe(0);

    const outcomes = await repo.write((tx) => tx.insertReadings(rows(1500), T0 + 60_000));
    expect(outcomes.every((o) => o.status === 'new')).toBe(true);
    expect(count('reading')).toBe(1500);
  });
});
