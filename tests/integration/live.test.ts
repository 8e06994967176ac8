import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { HealthResponse, StateResponse } from '@models/api.ts';
import type { District } from '@models/district.ts';
import type { ClientToServerEvents, ServerToClientEvents, Snapshot } from '@models/events.ts';
import { decodeFrame, FRAME_KIND } from '@models/frame.codec.ts';
import { decodeSnapshot } from '@models/snapshot.codec.ts';
import { createApp, type App } from '../../server/src/app.ts';
import { testOptions } from '../../server/src/config.ts';

let app: App;
let url: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-live-'));
  // 600× speed: two simulated minutes per tick, so values visibly move from frame to frame — from a weekday morning
  // in Shanghai (Wednesday 25 November 2026, 09:00), not whatever hour CI runs at: at 02:00 most buildings sit near
  // empty and hardly move.
  const started = Date.now();
  const morning = Date.UTC(2026, 10, 25, 1, 0);
  app = await createApp(testOptions({ dataDir, tickMs: 200, now: () => morning + (Date.now() - started), simulator: { mode: 'on', seed: 9, speed: 600 } }));
  url = await app.listen();
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await app.close();
});

function client(): Socket<ServerToClientEvents, ClientToServerEvents> {
  const s: Socket<ServerToClientEvents, ClientToServerEvents> = connect(url, { transports: ['websocket'], reconnection: false });
  sockets.push(s);
  return s;
}

describe('live server over Socket.IO', () => {
  it('sends a snapshot on connect, then frames whose values change', async () => {
    const s = client();
    const frames: Uint8Array[] = [];
    const snapshot = await new Promise<Snapshot>((resolve) => s.once('district:snapshot', (bytes) => resolve(decodeSnapshot(bytes))));
    s.on('metrics:frame', (f) => frames.push(new Uint8Array(f as ArrayBuffer)));
    await expect.poll(() => frames.length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);

    const district = (await (await fetch(`${url}/api/v1/district`)).json()) as District;
    expect(snapshot.datasetVersion).toBe(district.version);
    expect(snapshot.simulator.mode).toBe('on');
    const first = decodeFrame(snapshot.frame as Uint8Array);
    expect(first.count).toBe(district.buildings.length);
    expect(first.datasetVersion).toBe(district.version);

    const [a, b] = [decodeFrame(frames[0]!), decodeFrame(frames[2]!)];
    expect(a.kind).toBe(FRAME_KIND.live);
    expect(b.seq).toBeGreaterThan(a.seq);
    expect(b.tsMs).toBeGreaterThan(a.tsMs);
    const moved = a.occupancy.filter((v, i) => v !== b.occupancy[i]).length;
    expect(moved).toBeGreaterThan(district.buildings.length / 4);
    // everything the simulator writes is marked simulated
    expect(b.occupancyIngest.some(Boolean)).toBe(false);
    expect(snapshot.pools).toHaveLength(9);
  });

  it('sends the supplier pools, within capacity, while frames flow', async () => {
    const s = client();
    const pools = await new Promise<Parameters<ServerToClientEvents['pools:update']>[0]>((resolve) => s.once('pools:update', resolve));
    expect(pools).toHaveLength(9);
    for (const p of pools) {
      expect(p.source).toBe('simulated');
      expect(p.allocatedPflops).toBeLessThanOrEqual(p.capacityPflops);
      expect(p.usedPflops).toBeLessThanOrEqual(p.allocatedPflops);
    }
    expect(pools.find((p) => p.supplierId === 'sensetime')?.capacityPflops).toBe(1000);
  }, 10_000);

  it('gives every client the same frames', async () => {
    const [s1, s2] = [client(), client()];
    const seen = [new Map<number, string>(), new Map<number, string>()];
    [s1, s2].forEach((s, k) =>
      s.on('metrics:frame', (f) => {
        const bytes = new Uint8Array(f as ArrayBuffer);
        seen[k]!.set(decodeFrame(bytes).seq, Buffer.from(bytes).toString('base64'));
      }),
    );
    await expect.poll(() => [...seen[0]!.keys()].filter((k) => seen[1]!.has(k)).length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    for (const [seq, bytes] of seen[0]!) if (seen[1]!.has(seq)) expect(seen[1]!.get(seq)).toBe(bytes);
  });
});

describe('REST', () => {
  it('answers /healthz with status and counts', async () => {
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as HealthResponse;
    expect(body.status).toBe('ok');
    expect(body.buildings).toBe(app.district.buildings.length);
  });

  it('serves the district with six bilingual clusters, buildings, companies and nine suppliers', async () => {
    const res = await fetch(`${url}/api/v1/district`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const d = (await res.json()) as District;
    expect(d.clusters).toHaveLength(6);
    for (const c of d.clusters) expect(c.name.zh && c.name.en).toBeTruthy();
    expect(d.buildings.length).toBeGreaterThanOrEqual(250);
    expect(d.suppliers).toHaveLength(9);
    expect(d.companies.length).toBeGreaterThan(0);
    const again = await fetch(`${url}/api/v1/district`, { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('gives every building metric its value, time and source', async () => {
    const body = (await (await fetch(`${url}/api/v1/state`)).json()) as StateResponse;
    expect(body.buildings).toHaveLength(app.district.buildings.length);
    const occupancy = body.buildings.map((b) => b.metrics.occupancy);
    for (const v of occupancy) {
      expect(v.source).toBe('simulated');
      expect(Number.isNaN(Date.parse(v.ts!))).toBe(false);
      expect(v.stale).toBe(false);
    }
    expect(occupancy.some((v) => v.value !== null && v.value > 0)).toBe(true);
    expect(body.suppliers).toHaveLength(9);
    expect(body.simulator).toEqual({ mode: 'on', seed: 9, speed: 600 });
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const res = await fetch(`${url}/api/v1/nope`);
    expect(res.status).toBe(404);
  });
});
