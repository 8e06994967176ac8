/**
 * The soak (tests/bench/soak.ts) reads the server through /metrics, /healthz and the database files. Its verdicts are
 * only as good as that reading: check the parser and the sample against a real server's answers, with counts that are
 * known exactly (no timings).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthResponse } from '@models/api.ts';
import { databaseBytes, parsePrometheus, seriesKey, sum, toSample, value, type Scrape } from '../bench/soak.metrics.ts';
import { liveClient, occupancyReading, postTelemetry, startServer, type Running } from './ingest.helpers.ts';

let server: Running;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const scrape = async (): Promise<Scrape> => parsePrometheus(await (await fetch(`${server.url}/metrics`)).text());
const health = async () => (await (await fetch(`${server.url}/healthz`)).json()) as HealthResponse;

describe('soak sampling', () => {
  it('should parse every line of a real /metrics answer, labels in any order', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const parsed = parsePrometheus(text);
    const samples = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(parsed.size).toBe(samples.length);
    expect(value(parsed, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(value(parsed, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(Number.isFinite(value(parsed, 'nodejs_eventloop_lag_max_seconds'))).toBe(true);
    expect(value(parsed, 'wbt_tick_duration_seconds_bucket', { le: '+Inf' })).toBe(value(parsed, 'wbt_tick_duration_seconds_count'));
    expect(seriesKey('m', { b: '2', a: '1' })).toBe(seriesKey('m', { a: '1', b: '2' }));
    expect(value(parsed, 'no_such_metric')).toBeNaN();
  });

  it('should count ingest outcomes, readings, screens and database files as the server did', async () => {
    const buildingId = server.app.district.buildings.find((b) => b.capacityPeople > 0)!.id;
    const screen = liveClient(server.url);
    await new Promise((r) => screen.once('district:snapshot', r));
    const before = toSample(0, await scrape(), await health(), databaseBytes(server.dataDir).total);

    expect((await postTelemetry(server.url, { readings: [occupancyReading(buildingId, 0.4, Date.now() - 1000), occupancyReading(server.app.district.buildings[1]!.id, 0.5)] })).status).toBe(200);
    expect((await postTelemetry(server.url, { readings: [occupancyReading('no-such-building', 0.4)] })).status).toBe(400);
    const afterScrape = await scrape();
    const after = toSample(1, afterScrape, await health(), databaseBytes(server.dataDir).total);
    screen.close();

    expect(after.ingestAccepted - before.ingestAccepted).toBe(1);
    expect(after.ingestRefused - before.ingestRefused).toBe(1);
    expect(sum(afterScrape, 'wbt_ingest_batches_total', { transport: 'http', outcome: 'invalid' })).toBe(1);
    expect(after.readingsStored - before.readingsStored).toBe(2);
    expect(after.screens).toBe(1);
    expect(after.sessions).toBe(1);
    expect(after.health).toBe('ok');
    expect(after.healthClients).toBe(1);
    // the history.sqlite* files on disk, as the soak measures them, and the server's own figure: both there
    const files = databaseBytes(server.dataDir);
    expect(Object.keys(files.files)).toContain('history.sqlite');
    expect(after.databaseBytesOnDisk).toBeGreaterThan(0);
    expect(after.databaseBytesReported).toBeGreaterThan(0);
    expect(after.rssBytes).toBeGreaterThan(after.heapUsedBytes);
    expect(after.cpuSeconds).toBeGreaterThan(0);
  });
});
