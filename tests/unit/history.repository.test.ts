/** The async history repository over SQLite: one transaction per write (all or nothing), reads through reader threads. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryReader } from '../../server/src/history/history.reader.ts';
import { SqliteHistoryRepository } from '../../server/src/history/history.repository.ts';
import { HistoryStore, MINUTE_MS, STORED_INGEST, STORED_SIMULATED } from '../../server/src/history/history.store.ts';

const T0 = Date.parse('2026-11-28T02:00:00Z');
const M0 = T0 / MINUTE_MS;
const ts = new Date(T0).toISOString();

let dir: string;
let repo: SqliteHistoryRepository;
let store: HistoryStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-repo-'));
  store = HistoryStore.open(dir);
  repo = new SqliteHistoryRepository(store, new HistoryReader(store.file, { threads: 1, maxQueued: 8 }));
});
afterEach(async () => {
  await repo.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SqliteHistoryRepository', () => {
  it('should commit a write transaction across awaits, and read it back downsampled from a reader thread', async () => {
    const outcome = await repo.write(async (tx) => {
      const o = await tx.insertReading({ kind: 'building', buildingId: 'b1', ts, occupancy: 0.4 }, T0, T0);
      await tx.addBuildingReadings('b1', 'occupancy', M0, 0.4, 1);
      await tx.saveCurrentBuilding('b1', 'occupancy', 0.4, T0);
      return o.status;
    });
    expect(outcome).toBe('new');
    await repo.writeSampledMinute(M0 + 1, [{ buildingId: 'b1', metric: 'occupancy', value: 0.8, source: STORED_SIMULATED }], []);
    expect(await repo.series(['b1'], 'occupancy', { from: M0, to: M0 + 1, bucket: 2 })).toEqual([[{ b: 0, value: expect.closeTo(0.6, 9), source: STORED_INGEST }]]);
    expect((await repo.current()).buildings).toEqual([{ building_id: 'b1', metric: 0, value: 0.4, ts_ms: T0 }]);
    expect(await repo.occupancyPercentile(M0, M0 + 1, 90)).toEqual([{ key: 'b1', p: 0.8, minutes: 2, ingestMinutes: 1 }]);
  });

  it('should write nothing when the body of a write throws, and serialise concurrent writes', async () => {
    const failing = repo.write(async (tx) => {
      await tx.insertReading({ kind: 'building', buildingId: 'b2', ts, occupancy: 0.1 }, T0, T0);
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('refused');
    });
    const next = repo.write(async (tx) => (await tx.insertReading({ kind: 'building', buildingId: 'b3', ts, occupancy: 0.2 }, T0, T0)).status);
    await expect(failing).rejects.toThrow('refused');
    expect(await next).toBe('new');
    const keys = store.db.prepare('SELECT key FROM entity ORDER BY key').pluck().all();
    expect(keys).toEqual(['b3']);
    expect(store.db.prepare('SELECT count(*) FROM reading').pluck().get()).toBe(1);
    // The id cache forgot the rolled-back entity: b2 can be written again.
    expect(await repo.write(async (tx) => (await tx.insertReading({ kind: 'building', buildingId: 'b2', ts, occupancy: 0.1 }, T0, T0)).status)).toBe('new');
  });
});
