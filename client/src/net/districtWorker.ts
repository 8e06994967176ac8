/**
 * Fetch the district in the district worker (client/src/scene/district.worker.ts): the worker parses the JSON and
 * builds the merged geometry and picking tree; here the transferred arrays are only wrapped in BufferAttributes and
 * put in the geometry cache (districtCache.ts), so the meshes find them built. Where module workers are unavailable
 * (Node tests, a very old browser) the caller falls back to fetching on the main thread.
 */
import type { District } from '@models/district.ts';
import { primeBuildingsGeometry } from '../scene/districtCache.ts';
import { unpackGeometry, type PackedGeometry } from '../scene/districtTransfer.ts';
import { adoptBvh } from '../scene/picking.ts';

export interface DistrictWorkerRequest {
  url: string;
}

export type DistrictWorkerReply =
  | { ok: true; district: District; geometry: PackedGeometry; timings: { fetchParseMs: number; buildMs: number } }
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
    const done = () => worker.terminate();
    worker.onmessage = (e: MessageEvent<DistrictWorkerReply>) => {
      done();
      const reply = e.data;
      if (!reply.ok) {
        reject(new Error(reply.error));
        return;
      }
      const { geo, bvh } = unpackGeometry(reply.geometry);
      primeBuildingsGeometry(reply.district, geo);
      if (bvh) adoptBvh(geo.geometry, bvh);
      resolve(reply.district);
    };
    worker.onerror = (e) => {
      done();
      // the script itself failed: use the main-thread path from now on rather than retrying a broken worker
      workerBroken = true;
      console.warn(`[twin] district worker failed (${e.message || 'could not start'}); loading on the main thread`);
      reject(new DistrictWorkerStartError(`district worker: ${e.message || 'failed to start'}`));
    };
    worker.postMessage({ url: new URL(path, location.href).href } satisfies DistrictWorkerRequest);
  });
}
