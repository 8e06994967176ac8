/**
 * Load the district in two halves at once: the district worker (client/src/scene/district.worker.ts) fetches the
 * binary footprints and builds the merged geometry, then the picking tree; this thread fetches the rest of the district
 * as JSON without footprints (`/api/v1/district?footprints=omit`; the download and decompression happen off this thread,
 * only the parse is here). When both are in, the buildings get their footprints from the worker's arrays (unpacked on
 * first read, districtTransfer.ts restoreFootprints), the transferred geometry arrays are wrapped in BufferAttributes and
 * put in the geometry cache (districtCache.ts), so the meshes find them built, and the tree, when it arrives, is handed
 * to picking.ts. Where module workers are unavailable (Node tests, a very old browser) or the worker script fails to
 * start, the caller (net/api.ts) fetches the whole district on the main thread instead.
 */
import type { SerializedBVH } from 'three-mesh-bvh';
import type { District } from '@models/district.ts';
import { FOOTPRINTS_PATH } from '@models/footprints.codec.ts';
import { primeBuildingsGeometry } from '../scene/districtCache.ts';
import { DISTRICT_WORKER_NAME, deserializeBvh, restoreFootprints, unpackGeometry, type PackedFootprints, type PackedGeometry } from '../scene/districtTransfer.ts';
import { adoptBvh, expectBvh } from '../scene/picking.ts';
import { markOnce } from '../perfMarks.ts';

export type DistrictWorkerReply =
  /** First thing the worker says once its script runs (it is fetching by then). */
  | { ok: true; kind: 'started' }
  | {
      ok: true;
      kind: 'geometry';
      datasetVersion: number;
      count: number;
      footprints: PackedFootprints;
      geometry: PackedGeometry;
      /** When the worker started, had the bytes, had built (epoch ms), for the bench (performance marks `twin:worker:*`). */
      marks: Record<string, number>;
    }
  | { ok: true; kind: 'bvh'; bvh: SerializedBVH }
  | { ok: false; error: string };

/** A worker that could not start (its script failed to load or run), as opposed to a failed fetch inside it. */
export class DistrictWorkerStartError extends Error {}

let workerBroken = false;

/** Resolved when the last worker started (or failed to); null before any worker. */
let started: Promise<void> | null = null;

/**
 * Wait (at most `capMs`) for the district worker to be running. A worker starts only when the main thread has a free
 * moment after its script arrives, and the app's first commit (React, the WebGL context) holds the main thread for
 * seconds on a loaded machine: main.tsx renders after this, so the worker fetches and builds meanwhile.
 */
export function whenDistrictWorkerStarted(capMs: number): Promise<void> {
  if (!started) return Promise.resolve();
  return Promise.race([started, new Promise<void>((resolve) => setTimeout(resolve, capMs))]);
}

export function districtWorkerAvailable(): boolean {
  return !workerBroken && typeof Worker !== 'undefined' && typeof location !== 'undefined';
}

async function fetchDistrictJson(path: string, signal: AbortSignal): Promise<District> {
  const res = await fetch(`${path}?footprints=omit`, { headers: { accept: 'application/json' }, cache: 'no-store', signal });
  if (!res.ok) throw new Error(`GET ${path}?footprints=omit → ${res.status}`);
  const district = (await res.json()) as District;
  if (!district || !Array.isArray(district.buildings) || !district.geography) throw new Error(`GET ${path}?footprints=omit: not a district`);
  markOnce('twin:district-json');
  return district;
}

/**
 * The district (`path`, without footprints) here and its shape (`footprintsPath`) in a fresh worker; resolves with the
 * district, its geometry already cached.
 */
export function fetchDistrictInWorker(path: string, footprintsPath: string = FOOTPRINTS_PATH): Promise<District> {
  return new Promise<District>((resolve, reject) => {
    // The worker starts fetching the footprints as soon as its script runs, without a message to wait for: its name
    // carries the address (district.worker.ts).
    const worker = new Worker(new URL('../scene/district.worker.ts', import.meta.url), { type: 'module', name: `${DISTRICT_WORKER_NAME}${new URL(footprintsPath, location.href).href}` });
    let markStarted = () => {};
    started = new Promise<void>((resolve) => (markStarted = resolve));
    const abort = new AbortController();
    let settled = false;
    let geometry: ReturnType<typeof unpackGeometry> | null = null;
    let release: (() => void) | null = null;
    const done = () => {
      worker.terminate();
      release?.();
    };
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      abort.abort();
      done();
      reject(err);
    };
    let shape: Extract<DistrictWorkerReply, { kind: 'geometry' }> | null = null;
    let json: District | null = null;
    /** The picking tree, when it came before the JSON did. */
    let earlyTree: SerializedBVH | null = null;
    const join = () => {
      if (!shape || !json || settled) return;
      const district = json;
      if (shape.datasetVersion !== district.version >>> 0 || shape.count !== district.buildings.length) {
        fail(new Error(`district ${district.version.toString(16)} (${district.buildings.length} buildings) and footprints ${shape.datasetVersion.toString(16)} (${shape.count}) differ: the data set changed between the two requests`));
        return;
      }
      restoreFootprints(district, shape.footprints);
      geometry = unpackGeometry(shape.geometry);
      primeBuildingsGeometry(district, geometry);
      if (earlyTree) adoptBvh(geometry.geometry, deserializeBvh(earlyTree, geometry.geometry));
      else release = expectBvh(geometry.geometry);
      markOnce('twin:district-joined');
      settled = true;
      resolve(district);
    };
    fetchDistrictJson(path, abort.signal).then(
      (d) => {
        json = d;
        join();
      },
      (err: unknown) => fail(err instanceof Error ? err : new Error(String(err))),
    );
    worker.onmessage = (e: MessageEvent<DistrictWorkerReply>) => {
      const reply = e.data;
      markStarted();
      if (reply.ok && reply.kind === 'started') return;
      if (!reply.ok) {
        // after the district arrived, a failed tree only means picking builds its own
        if (shape) done();
        else fail(new Error(reply.error));
        return;
      }
      if (reply.kind === 'geometry') {
        for (const [name, at] of Object.entries(reply.marks)) markOnce(`twin:worker:${name}`, at - performance.timeOrigin);
        shape = reply;
        join();
        return;
      }
      if (geometry) adoptBvh(geometry.geometry, deserializeBvh(reply.bvh, geometry.geometry));
      else earlyTree = reply.bvh;
      done();
    };
    worker.onerror = (e) => {
      markStarted();
      if (shape || settled) {
        done();
        return;
      }
      // the script itself failed: use the main-thread path from now on rather than retrying a broken worker
      workerBroken = true;
      console.warn(`[twin] district worker failed (${e.message || 'could not start'}); loading on the main thread`);
      fail(new DistrictWorkerStartError(`district worker: ${e.message || 'failed to start'}`));
    };
  });
}
