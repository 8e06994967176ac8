import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { District } from '@models/district.ts';
import { NOT_APPLICABLE } from '@models/frame.codec.ts';
import { LiveState } from '../../server/src/live/live.state.ts';
import { HistoryStore, MINUTE_MS, STORED_INGEST, STORED_SIMULATED } from '../../server/src/history/history.store.ts';
import { MinuteSampler } from '../../server/src/history/history.sampler.ts';
import { SqliteHistoryRepository } from '../../server/src/history/history.repository.ts';

const M0 = Date.parse('2026-11-28T02:00:00Z') / MINUTE_MS;
const T0 = M0 * MINUTE_MS;
const district = { version: 1, buildings: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], companies: [], suppliers: [] } as unknown as District;

let dir: string;
let store: HistoryStore;
let state: LiveState;
let sampler: MinuteSampler;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-sampler-'));
  store = HistoryStore.open(dir);
  state = new LiveState(district, 120);
  sampler = new MinuteSampler(state, new SqliteHistoryRepository(store, null));
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const rows = () => store.db.prepare('SELECT minute, e.key AS building_id, metric, value, source FROM building_minute JOIN entity e ON e.id = building ORDER BY minute, e.key, metric').all();

describe('minute sampler', () => {
  it('should write a minute once, when the clock moves into the next, as the mean of its samples', async () => {
    for (let s = 0; s < 60; s++) {
      const t = T0 + s * 1000;
      state.districtTimeMs = t;
      state.setSimulated('occupancy', 0, s < 30 ? 0.2 : 0.4, t, t);
      sampler.sample(t);
    }
    expect(rows()).toEqual([]);
    sampler.sample(T0 + MINUTE_MS);
    // written in chunks after the tick, off the tick's path
    await sampler.settled();
    expect(rows()).toEqual([{ minute: M0, building_id: 'a', metric: 0, value: expect.closeTo(0.3), source: STORED_SIMULATED }]);
  });

  it('should prefer ingested samples within a minute and skip stale and not-applicable values', async () => {
    state.districtTimeMs = T0;
    state.setSimulated('occupancy', 0, 0.9, T0, T0);
    state.setSimulated('computeLoad', 1, NOT_APPLICABLE, T0, T0);
    state.setSimulated('occupancy', 2, 0.5, T0 - 10 * MINUTE_MS, T0); // stale
    sampler.sample(T0);
    state.setIngested('occupancy', 0, 0.1, T0 + 1000);
    sampler.sample(T0 + 1000);
    await sampler.flush();
    expect(rows()).toEqual([{ minute: M0, building_id: 'a', metric: 0, value: expect.closeTo(0.1), source: STORED_INGEST }]);
  });

  it('should write the minute so far on flush, and nothing before the first sample', async () => {
    await sampler.flush();
    expect(rows()).toEqual([]);
    state.districtTimeMs = T0;
    state.setSimulated('computeLoad', 1, 0.6, T0, T0);
    sampler.sample(T0 + 5_000);
    await sampler.flush();
    expect(rows()).toEqual([{ minute: M0, building_id: 'b', metric: 1, value: expect.closeTo(0.6), source: STORED_SIMULATED }]);
  });
});
