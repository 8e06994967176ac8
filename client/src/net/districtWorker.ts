/**
 * Fetch the district in the district worker (client/src/scene/district.worker.ts): the worker parses the JSON and
 * builds the merged geometry, then the picking tree; here the transferred arrays are only wrapped in BufferAttributes
 * and put in the geometry cache (districtCache.ts), so the meshes find them built, and the tree, when it arrives, is
 * handed to picking.ts. Where module workers are unavailable (Node tests, a very old browser) or the worker script
 * fails to start, the caller (net/api.ts) fetches on the main thread instead.
 */
import type { SerializedBVH } from 'three-mesh-bvh';
import type { District } from '@models/district.ts';
import { primeBuildingsGeometry } from '../scene/districtCache.ts';
import { deserializeBvh, restoreFootprints, unpackGeometry, type PackedFootprints, type PackedGeometry } from '../scene/districtTransfer.ts';
import { adoptBvh, expectBvh } from '../scene/picking.ts';

export interface DistrictWorkerRequest {
  url: string;
}

export type DistrictWorkerReply =
  | { ok: true; kind: 'district'; districtJson: string; footprints: PackedFootprints; geometry: PackedGeometry; timings: { fetchParseMs: number; buildMs: number } }
  | { ok: true; kind: 'bvh'; bvh: SerializedBVH }
  | { ok: false; error: string };

/** A worker that could not start (its script failed to load or run), as opposed to a failed fetch inside it. */
export class DistrictWorkerStartError extends Error {}

let workerBroken = false;

export function districtWorkerAvailable(): boolean {
  return !workerBroken && typeof Worker !== 'undefined' && typeof location !== 'undefined';
}

/** One fetch of `path` in a fresh worker; resolves with the district, its geometry already cached. */
export function fetchDistrictInWorker(path: string): Promise<District> {
  return new Promise<District>((resolve, reject) => {
    const worker = new Worker(new URL('../scene/district.worker.ts', import.meta.url), { type: 'module', name: 'district' });
    let geometry: ReturnType<typeof unpackGeometry> | null = null;
    let release: (() => void) | null = null;
    const done = () => {
      worker.terminate();
      release?.();
    };
    worker.onmessage = (e: MessageEvent<DistrictWorkerReply>) => {
      const reply = e.data;
      if (!reply.ok) {
        done();
        // after the district arrived, a failed tree only means picking builds its own
        if (!geometry) reject(new Error(reply.error));
        return;
      }
      if (reply.kind === 'district') {
        const district = JSON.parse(reply.districtJson) as District;
        restoreFootprints(district, reply.footprints);
        geometry = unpackGeometry(reply.geometry);
        primeBuildingsGeometry(district, geometry);
        release = expectBvh(geometry.geometry);
        resolve(district);
        return;
      }
      if (geometry) adoptBvh(geometry.geometry, deserializeBvh(reply.bvh, geometry.geometry));
      done();
    };
    worker.onerror = (e) => {
      done();
      if (geometry) return;
      // the script itself failed: use the main-thread path from now on rather than retrying a broken worker
      workerBroken = true;
      console.warn(`[twin] district worker failed (${e.message || 'could not start'}); loading on the main thread`);
      reject(new DistrictWorkerStartError(`district worker: ${e.message || 'failed to start'}`));
    };
    worker.postMessage({ url: new URL(path, location.href).href } satisfies DistrictWorkerRequest);
  });
}
