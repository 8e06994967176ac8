import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { Ack } from '@models/api.ts';
import { INGEST_NAMESPACE, type IngestClientToServerEvents, type IngestServerToClientEvents } from '@models/events.ts';
import { decodeFrame } from '@models/frame.codec.ts';
import type { IngestAccepted, TelemetryBatch } from '@models/telemetry.ts';
import { getState, ingestedIn, ingestRows, liveClient, occupancyReading, rowCount, startServer, TOKEN, type LiveClient, type Running } from './ingest.helpers.ts';

type Device = Socket<IngestServerToClientEvents, IngestClientToServerEvents>;

let server: Running;
let buildingId: string;
const sockets: Array<Device | LiveClient> = [];

beforeAll(async () => {
  server = await startServer();
  buildingId = server.app.district.buildings.find((b) => b.capacityPeople > 0)!.id;
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

function device(url: string, auth: Record<string, unknown>): Device {
  const s: Device = connect(`${url}${INGEST_NAMESPACE}`, { transports: ['websocket'], reconnection: false, auth });
  sockets.push(s);
  return s;
}

const refusal = (s: Device) => new Promise<Error & { data?: { status: number } }>((resolve) => s.once('connect_error', resolve));
const send = (s: Device, batch: unknown) => new Promise<Ack<IngestAccepted>>((resolve) => s.emit('telemetry:batch', batch as TelemetryBatch, resolve));

describe(`the ${INGEST_NAMESPACE} namespace`, () => {
  it('should refuse a connection without a token or with a wrong one, saying why', async () => {
    const without = await refusal(device(server.url, {}));
    expect(without.message).toMatch(/missing ingest token/);
    expect(without.data?.status).toBe(401);
    const wrong = await refusal(device(server.url, { token: 'not-the-token-at-all' }));
    expect(wrong.message).toMatch(/wrong ingest token/);
  });

  it('should refuse every connection when ingest is off, saying how to turn it on', async () => {
    const off = await startServer({ ingestToken: null });
    try {
      const err = await refusal(device(off.url, { token: TOKEN }));
      expect(err.message).toMatch(/INGEST_TOKEN/);
      expect(err.data?.status).toBe(503);
    } finally {
      await off.close();
    }
  });

  it('should acknowledge a bad batch with its problems and write nothing', async () => {
    const s = device(server.url, { token: TOKEN });
    const ack = await send(s, { readings: [occupancyReading(buildingId, 0.5), occupancyReading(buildingId, Number.NaN, Date.now() - 1)] });
    expect(ack).toMatchObject({ ok: false, error: expect.stringContaining('nothing was stored') });
    if (ack.ok) throw new Error('unreachable');
    // NaN travels as null over Socket.IO's JSON encoding
    expect(ack.issues?.map((i) => i.path)).toEqual(['readings.1.occupancy']);
    const notABatch = await send(s, 'hello');
    expect(notABatch.ok).toBe(false);
    expect(ingestRows(server.app)).toBe(0);
    expect(ingestedIn(await getState(server.url))).toEqual([]);
  });

  it('should store a good batch, acknowledge it once durable, and show it in the next frame', async () => {
    const screen = liveClient(server.url);
    sockets.push(screen);
    const frames: Uint8Array[] = [];
    screen.on('metrics:frame', (f) => frames.push(new Uint8Array(f as ArrayBuffer)));

    const s = device(server.url, { token: TOKEN });
    const batch = { readings: [{ kind: 'building', buildingId, ts: new Date(Date.now() - 500).toISOString(), peopleCount: 1 }] };
    expect(await send(s, batch)).toEqual({ ok: true, data: { received: 1, stored: 1, applied: 1 } });
    const seqAtAck = server.app.loop.seq;
    expect(rowCount(server.app, 'reading')).toBe(1);
    expect(await send(s, batch)).toEqual({ ok: true, data: { received: 1, stored: 0, applied: 0 } });

    const index = server.app.state.index.get(buildingId)!;
    await expect.poll(() => frames.some((f) => decodeFrame(f).seq > seqAtAck), { timeout: 2000 }).toBe(true);
    expect(decodeFrame(frames.find((f) => decodeFrame(f).seq > seqAtAck)!).occupancyIngest[index]).toBe(true);
    expect(ingestedIn(await getState(server.url))).toEqual([`${buildingId}.occupancy`]);
  });

  it('should refuse batches past INGEST_RATE_LIMIT a minute per client, saying when to retry, and store none of them', async () => {
    const limited = await startServer({ ingestRateLimit: 2 });
    try {
      const s = device(limited.url, { token: TOKEN });
      const batch = (k: number) => ({ readings: [{ kind: 'building', buildingId, ts: new Date(Date.now() - 1000 - k).toISOString(), occupancy: 0.5 }] });
      expect((await send(s, batch(1))).ok).toBe(true);
      expect((await send(s, batch(2))).ok).toBe(true);
      const refused = await send(s, batch(3));
      expect(refused.ok).toBe(false);
      if (refused.ok) return;
      expect(refused.error).toMatch(/too many ingest batches: at most 2 per minute/);
      expect(refused.retryAfterS).toBeGreaterThan(0);
      expect(refused.retryAfterS).toBeLessThanOrEqual(60);
      expect(rowCount(limited.app, 'reading')).toBe(2);
    } finally {
      await limited.close();
    }
  });
});
