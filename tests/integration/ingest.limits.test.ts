/**
 * Ingest admission on both transports: token guessing is throttled per address, HTTP requests and /ingest batches share
 * one budget per client, and the budget is counted only after the token is accepted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Manager, type Socket } from 'socket.io-client';
import type { Ack } from '@models/api.ts';
import { INGEST_NAMESPACE, type IngestClientToServerEvents, type IngestServerToClientEvents } from '@models/events.ts';
import type { IngestAccepted, TelemetryBatch } from '@models/telemetry.ts';
import { testOptions } from '../../server/src/config.ts';
import { occupancyReading, postTelemetry, startServer, TOKEN, type Running } from './ingest.helpers.ts';

type Device = Socket<IngestServerToClientEvents, IngestClientToServerEvents>;
type Refusal = Error & { data?: { status: number; retryAfterS?: number } };

const running: Running[] = [];
const managers: Manager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) m.engine?.close();
  for (const r of running.splice(0)) await r.close();
});

async function server(ingestRateLimit: number, authFailuresPerMinute: number): Promise<Running> {
  const s = await startServer({ ingestRateLimit, limits: { ...testOptions().limits, authFailuresPerMinute } });
  running.push(s);
  return s;
}

/** One Engine.IO connection: every (re)connect of its /ingest socket is a new handshake on the same connection. */
function connection(url: string): Device {
  const manager = new Manager(url, { transports: ['websocket'], reconnection: false });
  managers.push(manager);
  return manager.socket(INGEST_NAMESPACE, { auth: {} }) as Device;
}

/** Present a token on the /ingest handshake: 'connected', or the refusal. */
function attempt(s: Device, token: string): Promise<'connected' | Refusal> {
  return new Promise((resolve) => {
    s.auth = { token };
    s.once('connect', () => {
      s.off('connect_error');
      resolve('connected');
    });
    s.once('connect_error', (err: Refusal) => {
      s.off('connect');
      resolve(err);
    });
    s.connect();
  });
}

const send = (s: Device, batch: unknown) => new Promise<Ack<IngestAccepted>>((resolve) => s.emit('telemetry:batch', batch as TelemetryBatch, resolve));

const batch = (r: Running) => ({ readings: [occupancyReading(r.app.district.buildings.find((b) => b.capacityPeople > 0)!.id, 0.4, Date.now() - Math.floor(Math.random() * 60_000))] });

describe('token guessing', () => {
  it('should refuse every attempt from an address past AUTH_FAILURES_PER_MINUTE wrong tokens on one socket connection, on both transports', async () => {
    const r = await server(600, 3);
    const s = connection(r.url);
    const outcomes: Array<number | string> = [];
    for (let i = 0; i < 10; i++) {
      const res = await attempt(s, `guess-${i}-0123456789abcdef`);
      outcomes.push(res === 'connected' ? 'connected' : res.data!.status);
    }
    expect(outcomes).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    const locked = (await attempt(s, TOKEN)) as Refusal;
    expect(locked.message).toMatch(/too many wrong ingest tokens from .*: at most 3 per minute; retry in \d+ s/);
    expect(locked.data?.retryAfterS).toBeGreaterThan(0);
    // The HTTP route shares the count: the right token gets no answer about itself from this address either.
    const http = await postTelemetry(r.url, batch(r));
    expect(http.status).toBe(429);
    expect(Number(http.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('should refuse every attempt from an address past AUTH_FAILURES_PER_MINUTE wrong tokens over HTTP, on both transports', async () => {
    const r = await server(600, 3);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await postTelemetry(r.url, batch(r), { token: `guess-${i}-0123456789abcdef` })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    expect((await postTelemetry(r.url, batch(r))).status).toBe(429);
    const s = connection(r.url);
    expect(((await attempt(s, TOKEN)) as Refusal).data?.status).toBe(429);
  });

  it('should not count requests without a token as guesses', async () => {
    const r = await server(600, 3);
    for (let i = 0; i < 6; i++) expect((await postTelemetry(r.url, batch(r), { token: null })).status).toBe(401);
    expect((await postTelemetry(r.url, batch(r))).status).toBe(200);
  });
});

describe('the ingest budget', () => {
  it('should be one budget per client for HTTP requests and /ingest batches together', async () => {
    const r = await server(4, 10);
    const s = connection(r.url);
    expect(await attempt(s, TOKEN)).toBe('connected');
    expect((await postTelemetry(r.url, batch(r))).status).toBe(200);
    expect((await send(s, batch(r))).ok).toBe(true);
    expect((await postTelemetry(r.url, batch(r))).status).toBe(200);
    expect((await send(s, batch(r))).ok).toBe(true);
    const overHttp = await postTelemetry(r.url, batch(r));
    expect(overHttp.status).toBe(429);
    expect(((await overHttp.json()) as { error: string }).error).toMatch(/at most 4 per minute per client \(HTTP requests and \/ingest batches count together\)/);
    const overSocket = await send(s, batch(r));
    expect(overSocket).toMatchObject({ ok: false, retryAfterS: expect.any(Number) });
  });

  it('should be counted after authentication: an unauthenticated neighbour on the same address cannot use up a device budget', async () => {
    const r = await server(3, 10);
    // A neighbour without the token (a misconfigured device, a scanner) on the same address.
    for (let i = 0; i < 10; i++) expect((await postTelemetry(r.url, batch(r), { token: null })).status).toBe(401);
    const device: number[] = [];
    for (let i = 0; i < 4; i++) device.push((await postTelemetry(r.url, batch(r))).status);
    expect(device).toEqual([200, 200, 200, 429]);
  });
});
