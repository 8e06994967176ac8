/**
 * The app with HISTORY_URL=postgres://…: ingest durable in PostgreSQL before its 2xx, read back through the history
 * routes, restored into the live state after a restart, 409 on a contradicting reading, and /healthz degraded while
 * PostgreSQL refuses writes. Each run gets a database of its own. Skipped (with the reason) without TEST_POSTGRES_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthResponse, HistoryResponse } from '@models/api.ts';
import { getState, ingestedIn, iso, occupancyReading, postTelemetry, startServer, type Running } from './ingest.helpers.ts';
import { createTestDatabase, type TestDatabase } from './pg.helpers.ts';

const PG_URL = process.env.TEST_POSTGRES_URL;
const title = PG_URL ? 'history in PostgreSQL (HISTORY_URL)' : 'history in PostgreSQL (SKIPPED: TEST_POSTGRES_URL is not set; export TEST_POSTGRES_URL="$(scripts/ci-postgres.sh)")';

describe.skipIf(!PG_URL)(title, () => {
  let db: TestDatabase;
  let historyUrl: string;
  let server: Running;
  let buildingId: string;
  const query = (sql: string) => db.query(sql);

  beforeAll(async () => {
    db = await createTestDatabase(PG_URL!, 'wbt_app');
    historyUrl = db.url;
    server = await startServer({ historyUrl });
    buildingId = server.app.district.buildings.find((b) => b.capacityPeople > 0)!.id;
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('should store an ingest batch in PostgreSQL before the 2xx, serve it from the history routes, and refuse a contradiction with 409', async () => {
    expect(server.app.repository.backend).toBe('postgres');
    expect(server.app.history).toBeNull();
    const tsMs = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
    const res = await postTelemetry(server.url, { readings: [occupancyReading(buildingId, 0.37, tsMs)] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: 1, stored: 1, applied: 1 });
    // Committed by the time the 2xx arrived: another connection sees it.
    expect(await query(`SELECT r.value FROM reading r JOIN entity e ON e.id = r.entity WHERE e.key = '${buildingId}'`)).toEqual([{ value: 0.37 }]);

    const history = (await (await fetch(`${server.url}/api/v1/history?building=${buildingId}&metric=occupancy&from=${iso(tsMs)}&to=${iso(tsMs)}`)).json()) as HistoryResponse;
    expect(history.points).toEqual([{ ts: iso(tsMs), value: 0.37, source: 'ingest' }]);

    const again = await postTelemetry(server.url, { readings: [occupancyReading(buildingId, 0.37, tsMs)] });
    expect(await again.json()).toEqual({ received: 1, stored: 0, applied: 0 });
    const conflict = await postTelemetry(server.url, { readings: [occupancyReading(buildingId, 0.5, tsMs)] });
    expect(conflict.status).toBe(409);
    expect(await conflict.text()).toContain('already stored with occupancy 0.37');
  });

  it('should restore the newest ingested values from PostgreSQL after a restart', async () => {
    const tsMs = Date.now() - 1000;
    expect((await postTelemetry(server.url, { readings: [occupancyReading(buildingId, 0.61, tsMs)] })).status).toBe(200);
    await server.close();
    server = await startServer({ historyUrl });
    const state = await getState(server.url);
    expect(ingestedIn(state)).toContain(`${buildingId}.occupancy`);
    expect(state.buildings.find((b) => b.id === buildingId)!.metrics.occupancy).toMatchObject({ value: expect.closeTo(0.61, 6), source: 'ingest' });
  });

  it('should say degraded while PostgreSQL refuses writes, and ok after the next batch is stored', async () => {
    const health = async () => (await (await fetch(`${server.url}/healthz`)).json()) as HealthResponse;
    expect(await health()).toMatchObject({ status: 'ok' });
    // Read-only from the next connection on; close the pool's open ones so the setting takes effect.
    await db.admin.query(`ALTER DATABASE ${db.name} SET default_transaction_read_only = on`);
    await db.admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db.name}' AND pid <> pg_backend_pid()`);
    try {
      // The first refused write may be the terminated connection (57P01); the next ones meet the read-only database (25006).
      await expect
        .poll(async () => {
          const status = (await postTelemetry(server.url, { readings: [occupancyReading(buildingId, 0.2)] })).status;
          const h = await health();
          return { status, health: h.status, reason: h.reasons[0] ?? '' };
        }, { timeout: 10_000 })
        .toMatchObject({ status: 500, health: 'degraded', reason: expect.stringMatching(/history cannot be written since .*25006/) });
    } finally {
      await db.admin.query(`ALTER DATABASE ${db.name} RESET default_transaction_read_only`);
      await db.admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db.name}' AND pid <> pg_backend_pid()`);
    }
    await expect.poll(async () => (await postTelemetry(server.url, { readings: [occupancyReading(buildingId, 0.25)] })).status, { timeout: 10_000 }).toBe(200);
    expect(await health()).toMatchObject({ status: 'ok', reasons: [] });
  });
});
