/**
 * For the people who run it: /healthz tells the truth about history writes (degraded with the reason while they fail,
 * ok once they work again), and /metrics answers in the Prometheus format with the figures that matter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthResponse } from '@models/api.ts';
import type { SqliteHistoryRepository } from '../../server/src/history/history.repository.ts';
import { liveClient, occupancyReading, postTelemetry, startServer, type Running } from './ingest.helpers.ts';

let server: Running;
/** The server's wall clock runs this far ahead of the real one; a test moves it to the next minute. */
let offsetMs = 0;
let buildingId: string;

beforeAll(async () => {
  server = await startServer({ now: () => Date.now() + offsetMs });
  buildingId = server.app.district.buildings.find((b) => b.capacityPeople > 0)!.id;
});
afterAll(() => server.close());

const health = async () => (await (await fetch(`${server.url}/healthz`)).json()) as HealthResponse;
/** Disk full, read-only or failing storage, as SQLite reports it to the writer (the write connection, in its thread). */
const failWrites = (on: boolean) => (server.app.repository as SqliteHistoryRepository).pragmaOnWriter(`query_only = ${on ? 'ON' : 'OFF'}`);
const nextMinute = () => (offsetMs += 60_000);

describe('/healthz', () => {
  it('should say ok with no reasons while history is written', async () => {
    expect(await health()).toMatchObject({ status: 'ok', reasons: [] });
  });

  it('should say degraded, and why, while the minute cannot be written, and ok once it can', async () => {
    // The sampler hands a minute over only once it has sampled one: wait for a tick at the current clock first (the
    // first tick comes up to TICK_MS after listen), else moving the clock only starts the sampler's first minute.
    const seq = server.app.engine.seq;
    await expect.poll(() => server.app.engine.seq, { timeout: 10_000 }).toBeGreaterThan(seq);
    await failWrites(true);
    nextMinute(); // the sampler writes the finished minute on the next tick
    await expect.poll(async () => (await health()).status, { timeout: 10_000 }).toBe('degraded');
    const h = await health();
    expect(h.reasons).toHaveLength(1);
    expect(h.reasons[0]).toMatch(/^history cannot be written since .*SQLITE_READONLY.*live values still flow/);
    await failWrites(false);
    nextMinute();
    await expect.poll(async () => await health(), { timeout: 10_000 }).toMatchObject({ status: 'ok', reasons: [] });
  });

  it('should say degraded while ingest batches cannot be stored, and ok after the next one is', async () => {
    await failWrites(true);
    const refused = await postTelemetry(server.url, { readings: [occupancyReading(buildingId, 0.3)] });
    expect(refused.status).toBe(500);
    expect((await health()).status).toBe('degraded');
    await failWrites(false);
    expect((await postTelemetry(server.url, { readings: [occupancyReading(buildingId, 0.3)] })).status).toBe(200);
    expect(await health()).toMatchObject({ status: 'ok', reasons: [] });
  });
});

describe('/metrics', () => {
  const scrape = async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };
  const value = (text: string, series: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? NaN : Number(line.slice(series.length + 1));
  };

  it('should report ticks, frames, screens, ingest by outcome, event-loop lag, history writes and database size', async () => {
    const screen = liveClient(server.url);
    await new Promise((r) => screen.once('district:snapshot', r));
    const before = await scrape();
    expect((await postTelemetry(server.url, { readings: [occupancyReading(buildingId, 0.6)] })).status).toBe(200);
    expect((await postTelemetry(server.url, { readings: [occupancyReading(buildingId, 0.6)] }, { token: 'wrong-token-0123456789abc' })).status).toBe(401);
    expect((await postTelemetry(server.url, { readings: [{ kind: 'building', buildingId, ts: 'yesterday' }] })).status).toBe(400);
    // a couple more ticks with the screen connected
    const ticks = value(before, 'wbt_tick_duration_seconds_count');
    await expect.poll(async () => value(await scrape(), 'wbt_tick_duration_seconds_count'), { timeout: 10_000 }).toBeGreaterThan(ticks + 1);
    const after = await scrape();
    screen.close();

    expect(value(after, 'wbt_screens_connected')).toBe(1);
    expect(value(after, 'wbt_frame_deliveries_total')).toBeGreaterThan(value(before, 'wbt_frame_deliveries_total'));
    // exported: the gateway's count of frames a busy screen skipped (none expected here, but a loaded machine may)
    expect(value(after, 'wbt_frames_skipped_total')).toBeGreaterThanOrEqual(0);
    expect(value(after, 'wbt_frames_broadcast_total')).toBeGreaterThan(value(before, 'wbt_frames_broadcast_total'));
    const ingest = (outcome: string, text: string) => value(text, `wbt_ingest_batches_total{transport="http",outcome="${outcome}"}`) || 0;
    for (const outcome of ['accepted', 'unauthorized', 'invalid']) expect(ingest(outcome, after) - ingest(outcome, before), outcome).toBe(1);
    expect(value(after, 'wbt_ingest_readings_total{outcome="stored"}')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'wbt_history_write_seconds_count')).toBeGreaterThan(value(before, 'wbt_history_write_seconds_count'));
    expect(value(after, 'wbt_database_bytes')).toBeGreaterThan(0);
    expect(value(after, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(after).toContain('# TYPE wbt_tick_duration_seconds histogram');
  });
});
