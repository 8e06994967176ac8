/**
 * Measures 7 and 8 (issue 6), in Node with the client's own modules:
 *
 * 7 pick time: the building under a screen point. Ours is client/src/scene/picking.ts `pickIndex` (a three-mesh-bvh
 *   tree over the merged buildings geometry; the one-off tree build is reported on its own row). Naive: a plain
 *   three.js `Raycaster.intersectObject` on the same mesh (every triangle tested). Both use the same camera (the
 *   client's home view for an 800×500 screen, CameraRig.tsx `homePose`) and the same points: the projected roof
 *   centres of random buildings (hits) and random screen points (hits and misses), so both do the same job.
 * 8 switch to a replayed minute: from asking for a minute to its colours written into the building texture's bytes.
 *   Ours: the client's path — socket `history:minute` (binary replay frame), store.ts `applyReplayFrame`, then
 *   buildingColours.ts `writeBuildingColours` (what Buildings.tsx does before the GPU upload). Naive: the JSON endpoint
 *   `GET /api/v1/history/district?at=`, JSON.parse, and the same colour pass fed by looking every building up by id.
 *   A real server (createApp, real SQLite) on port 0 with one minute of history written by its own sampler.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Mesh, MeshBasicMaterial, PerspectiveCamera, Raycaster, Vector2, Vector3 } from 'three';
import { io as connect, type Socket } from 'socket.io-client';
import type { Ack, DistrictMinuteResponse } from '@models/api.ts';
import type { District } from '@models/district.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '@models/events.ts';
import { Q_MAX, Q_NONE } from '@models/frame.codec.ts';
import { buildBuildingsGeometry, projectRing } from '../../client/src/scene/geometry.ts';
import { homePose } from '../../client/src/scene/CameraRig.tsx';
import { bvhOf, pickIndex } from '../../client/src/scene/picking.ts';
import { writeBuildingColours } from '../../client/src/scene/buildingColours.ts';
import { allocateLive, applyReplayFrame, replayBuffer } from '../../client/src/state/store.ts';
import { createApp } from '../../server/src/app.ts';
import { testOptions } from '../../server/src/config.ts';
import { log, row, stats, type Row } from './stats.ts';

const PICKS = 400;
const NAIVE_PICKS = 60;
const SWITCHES = 40;

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pickBench(districts: Array<{ label: string; district: District }>): { rows: Row[]; raw: unknown } {
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  for (const { label, district } of districts) {
    log(`pick: ${label}`);
    const geo = buildBuildingsGeometry(district);
    const mesh = new Mesh(geo.geometry, new MeshBasicMaterial());
    const camera = new PerspectiveCamera(34, 800 / 500, 5, 60_000);
    const outline = projectRing(district.geography.origin, district.geography.boundary.polygon);
    const pose = homePose(geo.bounds, outline, 800 / 500, 34, { position: new Vector3(), target: new Vector3() });
    camera.position.copy(pose.position);
    camera.lookAt(pose.target);
    camera.near = Math.max(1, pose.position.distanceTo(pose.target) * 0.02);
    camera.far = 1e6;
    camera.updateProjectionMatrix();
    camera.updateMatrixWorld();

    const rnd = mulberry(district.buildings.length);
    const points: Vector2[] = [];
    const v = new Vector3();
    while (points.length < PICKS) {
      if (points.length % 2 === 0) {
        const i = Math.floor(rnd() * district.buildings.length);
        v.set(geo.roofCentres[i * 3]!, geo.roofCentres[i * 3 + 1]!, geo.roofCentres[i * 3 + 2]!).project(camera);
        if (Math.abs(v.x) <= 1 && Math.abs(v.y) <= 1) points.push(new Vector2(v.x, v.y));
        else points.push(new Vector2(rnd() * 2 - 1, rnd() * 2 - 1));
      } else points.push(new Vector2(rnd() * 2 - 1, rnd() * 2 - 1));
    }

    const t0 = performance.now();
    bvhOf(geo.geometry);
    const buildMs = performance.now() - t0;

    const raycaster = new Raycaster();
    const naivePick = (p: Vector2) => {
      raycaster.setFromCamera(p, camera);
      const hit = raycaster.intersectObject(mesh, false)[0];
      return hit?.face ? Math.round(geo.geometry.getAttribute('aBuilding').getX(hit.face.a)) : -1;
    };
    // both answer the same building (checked on the naive sample): the bench times equal work
    let agree = 0;
    for (let k = 0; k < NAIVE_PICKS; k++) if (pickIndex(mesh, camera, points[k]!) === naivePick(points[k]!)) agree++;

    for (let k = 0; k < 20; k++) pickIndex(mesh, camera, points[k]!);
    const ours: number[] = [];
    for (const p of points) {
      const s = performance.now();
      pickIndex(mesh, camera, p);
      ours.push(performance.now() - s);
    }
    const naive: number[] = [];
    for (let k = 0; k < NAIVE_PICKS; k++) {
      const s = performance.now();
      naivePick(points[k]!);
      naive.push(performance.now() - s);
    }
    const o = stats(ours);
    const n = stats(naive);
    rows.push(
      row({
        section: 7,
        measure: 'pick the building under a point',
        scope: label,
        unit: 'ms',
        ours: o.median,
        oursP95: o.p95,
        naive: n.median,
        naiveP95: n.p95,
        baseline: 'three.js Raycaster over every triangle of the merged mesh',
        budget: '≤ 2 ms at 50,000',
        withinBudget: o.p95 <= 2,
        note: `same answer on ${agree}/${NAIVE_PICKS} points; BVH built once per district`,
      }),
      row({ section: 7, measure: 'build the picking BVH (once per district)', scope: label, unit: 'ms', ours: buildMs }),
    );
    raw[label] = { ours: o, naive: n, buildMs, agree, triangles: (geo.geometry.index?.count ?? 0) / 3 };
    geo.geometry.dispose();
  }
  return { rows, raw };
}

export async function replaySwitchBench(datasetDir: string, label: string): Promise<{ rows: Row[]; raw: unknown }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-replay-'));
  const app = await createApp(testOptions({ dataDir, datasetDir, tickMs: 200, simulator: { mode: 'on', seed: 3, speed: 1 } }));
  const url = await app.listen();
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(url, { transports: ['websocket'], reconnection: false });
  try {
    const district = app.district;
    const n = district.buildings.length;
    // one minute of history, written by the server's own sampler path (flush = what close() does)
    await new Promise((r) => setTimeout(r, 600));
    const minuteMs = Math.floor(Date.now() / 60_000) * 60_000;
    app.engine.afterPublish.forEach((f) => f(minuteMs + 60_000));
    await app.sampler.settled();
    if (!socket.connected) await new Promise<void>((resolve) => socket.once('connect', () => resolve()));

    const client = { ...district };
    allocateLive(client);
    const texel = new Uint8Array(n * 4);
    const at = new Date(minuteMs).toISOString();

    const ours = async () => {
      const t0 = performance.now();
      const frame = await new Promise<ArrayBuffer | Uint8Array>((resolve, reject) =>
        socket.emit('history:minute', { at }, (res: Ack<ArrayBuffer | Uint8Array>) => (res.ok ? resolve(res.data) : reject(new Error(res.error)))),
      );
      if (applyReplayFrame(frame, replayBuffer) !== 'applied') throw new Error('replay frame not applied');
      writeBuildingColours('occupancy', replayBuffer, client, texel, performance.now(), 10);
      return performance.now() - t0;
    };
    const index = new Map(district.buildings.map((b, i) => [b.id, i]));
    const naive = async () => {
      const t0 = performance.now();
      const res = await fetch(`${url}/api/v1/history/district?at=${encodeURIComponent(at)}`);
      const body = (await res.json()) as DistrictMinuteResponse;
      replayBuffer.occupancyQ.fill(Q_NONE);
      for (const b of body.buildings) {
        const i = index.get(b.id);
        const v = b.metrics.occupancy?.value;
        if (i !== undefined && v !== undefined) replayBuffer.occupancyQ[i] = Math.round(v * Q_MAX);
      }
      replayBuffer.hasFrame = true;
      writeBuildingColours('occupancy', replayBuffer, client, texel, performance.now(), 10);
      return performance.now() - t0;
    };
    for (let k = 0; k < 5; k++) {
      await ours();
      await naive();
    }
    const o: number[] = [];
    const nv: number[] = [];
    for (let k = 0; k < SWITCHES; k++) {
      o.push(await ours());
      nv.push(await naive());
    }
    const so = stats(o);
    const sn = stats(nv);
    return {
      rows: [
        row({
          section: 8,
          measure: 'switch to a replayed minute (request → colours written)',
          scope: label,
          unit: 'ms',
          ours: so.median,
          oursP95: so.p95,
          naive: sn.median,
          naiveP95: sn.p95,
          baseline: 'GET /api/v1/history/district JSON, parse, look each building up by id, same colour pass',
          note: 'Node client on the same machine (no network latency, no GPU upload)',
        }),
      ],
      raw: { ours: so, naive: sn },
    };
  } finally {
    socket.close();
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
