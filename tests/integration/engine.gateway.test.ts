/**
 * The engine/gateway split as a screen and an operator see it: the tick's frame goes out before the minute is written
 * (and keeps going when the write fails), one snapshot per tick however many connect, the district compressed and
 * cached by version, full precision in /api/v1/state, a contradicting batch refused with 409 on both transports
 * before the engine sees it, and a 50,000-building data set from `npm run data:generate` that the loader accepts.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { Ack } from '@models/api.ts';
import { INGEST_NAMESPACE, type IngestClientToServerEvents, type IngestServerToClientEvents } from '@models/events.ts';
import type { IngestAccepted, TelemetryBatch } from '@models/telemetry.ts';
import { decodeFrame, decodeHeader, FRAME_MAGIC } from '@models/frame.codec.ts';
import { decodeSnapshot } from '@models/snapshot.codec.ts';
import { REPO_ROOT } from '../../server/src/config.ts';
import { loadDistrict } from '../../server/src/district/district.loader.ts';
import { getState, iso, liveClient, postTelemetry, startServer, TOKEN, type LiveClient, type Running } from './ingest.helpers.ts';

const sockets: LiveClient[] = [];
afterAll(() => {
  for (const s of sockets) s.close();
});

/** GET without fetch's automatic decompression: the bytes as sent. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('the frame goes out before any history write', () => {
  let server: Running;
  beforeAll(async () => {
    // The wall clock runs 120× fast so a minute ends every half second; the minute write then fails every time.
    const base = Date.now();
    server = await startServer({ tickMs: 100, now: () => base + (Date.now() - base) * 120, simulator: { mode: 'fill', seed: 4, speed: 1 } });
  });
  afterAll(() => server.close());

  it('should hand the tick’s frame to every screen before the minute is written, and keep ticking when the write fails', async () => {
    const { app, url } = server;
    const s = liveClient(url);
    sockets.push(s);
    const received = new Set<number>();
    s.on('metrics:frame', (f) => received.add(decodeFrame(new Uint8Array(f as ArrayBuffer)).seq));
    await new Promise((resolve) => s.once('district:snapshot', resolve));

    // What the server actually handed to this screen's transport, in order.
    const [serverSocket] = app.io.sockets.sockets.values();
    const sentSeqs: number[] = [];
    serverSocket!.conn.on('packetCreate', (packet: { data?: unknown }) => {
      const d = packet.data;
      if (d instanceof Uint8Array && d[0] === FRAME_MAGIC) sentSeqs.push(decodeHeader(d).seq);
    });
    const writes: Array<{ tickSeq: number; lastSentSeq: number | undefined }> = [];
    const write = app.repository.writeSampledMinute;
    onTestFinished(() => void (app.repository.writeSampledMinute = write));
    app.repository.writeSampledMinute = async () => {
      writes.push({ tickSeq: app.engine.seq, lastSentSeq: sentSeqs.at(-1) });
      throw new Error('disk unavailable (test)');
    };

    await expect.poll(() => writes.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    for (const w of writes) expect(w.lastSentSeq).toBe(w.tickSeq);
    // The failing write stopped nothing: frames after it keep arriving, including the minute's own.
    const after = writes[1]!.tickSeq;
    await expect.poll(() => [...received].some((seq) => seq > after + 2), { timeout: 10_000 }).toBe(true);
    expect(received.has(writes[0]!.tickSeq)).toBe(true);
  }, 40_000);
});

describe('gateway payloads', () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer({ tickMs: 1000 });
  });
  afterAll(() => server.close());

  it('should serve the district gzip- and brotli-compressed, decoding to the same JSON, with 304 on its ETag', async () => {
    const url = `${server.url}/api/v1/district`;
    const json = JSON.stringify(server.app.district);
    const gz = await rawGet(url, { 'accept-encoding': 'gzip' });
    expect(gz.status).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toMatch(/accept-encoding/i);
    expect(gz.body.length).toBeLessThan(json.length / 4);
    expect(zlib.gunzipSync(gz.body).toString()).toBe(json);

    // brotli is made in the background (gzip is served meanwhile); wait for it
    await expect.poll(async () => (await rawGet(url, { 'accept-encoding': 'gzip, br' })).headers['content-encoding'], { timeout: 30_000 }).toBe('br');
    const br = await rawGet(url, { 'accept-encoding': 'gzip, br' });
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(json);

    const plain = await rawGet(url, { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(json);

    const again = await rawGet(url, { 'accept-encoding': 'gzip', 'if-none-match': gz.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    // the compressed copies are cached on disk by data-set version for the next start
    expect(fs.readdirSync(path.join(server.dataDir, 'cache')).some((f) => f.includes(server.app.district.version.toString(16)))).toBe(true);
  });

  it('should give an ingested 0.091 back as 0.091 from /api/v1/state', async () => {
    const buildingId = server.app.district.buildings.find((b) => b.capacityPeople > 0)!.id;
    const res = await postTelemetry(server.url, { readings: [{ kind: 'building', buildingId, ts: iso(Date.now() - 1000), occupancy: 0.091, computeLoad: 0.3337 }] });
    expect(res.status).toBe(200);
    const b = (await getState(server.url)).buildings.find((x) => x.id === buildingId)!;
    expect(b.metrics.occupancy.value).toBe(0.091);
    expect(b.metrics.computeLoad.value).toBe(0.3337);
  });

  it('should encode at most one snapshot per tick however many screens connect, each decoding to the same district', async () => {
    const { app, url } = server;
    const seq0 = app.engine.seq;
    const encoded0 = app.gateway.snapshotsEncoded;
    const clients = Array.from({ length: 12 }, () => liveClient(url));
    sockets.push(...clients);
    const snapshots = await Promise.all(clients.map((c) => new Promise<ArrayBuffer | Uint8Array>((resolve) => c.once('district:snapshot', resolve))));
    const ticks = app.engine.seq - seq0;
    expect(app.gateway.snapshotsEncoded - encoded0).toBeLessThanOrEqual(ticks + 1);
    for (const bytes of snapshots) {
      const snap = decodeSnapshot(bytes);
      expect(snap.datasetVersion).toBe(app.district.version);
      expect(decodeFrame(snap.frame as Uint8Array).count).toBe(app.district.buildings.length);
      expect(snap.companies).toHaveLength(app.district.companies.length);
    }
  });
});

describe('a batch that contradicts a stored reading, through the engine', () => {
  let server: Running;
  let device: Socket<IngestServerToClientEvents, IngestClientToServerEvents> | undefined;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    device?.close();
    await server.close();
  });

  it('should answer 409 over HTTP and a "conflicting batch" ack on /ingest, and leave the live state as stored', async () => {
    const [first, second] = server.app.district.buildings.filter((b) => b.capacityPeople > 0);
    const ts = iso(Date.now() - 5_000);
    expect((await postTelemetry(server.url, { readings: [{ kind: 'building', buildingId: first!.id, ts, occupancy: 0.42 }] })).status).toBe(200);

    // One new reading and one contradicting the stored one: the whole batch is refused, the new one included.
    const contradicting = { readings: [{ kind: 'building', buildingId: second!.id, ts, occupancy: 0.77 }, { kind: 'building', buildingId: first!.id, ts, occupancy: 0.43 }] };
    const res = await postTelemetry(server.url, contradicting);
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: string; issues: Array<{ path: string; message: string }> };
    expect(body.error).toMatch(/^conflicting batch: 1 problem/);
    expect(body.issues).toEqual([{ path: 'readings.1.occupancy', message: expect.stringContaining('already stored with occupancy 0.42') }]);

    device = connect(`${server.url}${INGEST_NAMESPACE}`, { transports: ['websocket'], reconnection: false, auth: { token: TOKEN } });
    const ack = await new Promise<Ack<IngestAccepted>>((resolve) => device!.emit('telemetry:batch', contradicting as TelemetryBatch, resolve));
    expect(ack).toMatchObject({ ok: false, error: expect.stringMatching(/^conflicting batch: 1 problem/), issues: [{ path: 'readings.1.occupancy' }] });

    const state = await getState(server.url);
    const shown = (id: string) => state.buildings.find((b) => b.id === id)!.metrics.occupancy;
    expect(shown(first!.id)).toMatchObject({ value: 0.42, source: 'ingest' });
    expect(shown(second!.id).source).not.toBe('ingest');
  });
});

describe('npm run data:generate -- --buildings 50000 --out DIR', () => {
  it('should write a 50,000-building data set that the server’s loader accepts', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-50k-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'data', 'cli.ts'), '--buildings', '50000', '--out', out], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const district = await loadDistrict(out);
      expect(district.buildings).toHaveLength(50_000);
      expect(new Set(district.buildings.map((b) => b.id)).size).toBe(50_000);
      expect(district.buildings.every((b) => b.confidence === 'synthetic')).toBe(true);
      expect(district.suppliers).toHaveLength(9);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);

  it('should refuse to overwrite the real data set', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'data', 'cli.ts'), '--buildings', '10', '--out', path.join(REPO_ROOT, 'data')], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await new Promise<number | null>((resolve) => child.on('exit', resolve))).not.toBe(0);
    expect(stderr).toMatch(/must not be data\//);
  }, 60_000);
});
