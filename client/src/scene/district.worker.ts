/**
 * The district worker (a module Web Worker, bundled by Vite; CSP `worker-src 'self'`): fetches /api/v1/district,
 * parses it, builds the merged extrusion (geometry.ts) and the picking tree (three-mesh-bvh, as picking.ts would), and
 * transfers the typed arrays back, so the main thread never parses 31 MB of JSON or loops over 50,000 footprints.
 * One request per worker; client/src/net/districtWorker.ts starts it and ends it.
 */
import { MeshBVH } from 'three-mesh-bvh';
import type { District } from '@models/district.ts';
import { buildBuildingsGeometry } from './geometry.ts';
import { packGeometry } from './districtTransfer.ts';
import { BVH_OPTIONS } from './picking.ts';
import type { DistrictWorkerReply, DistrictWorkerRequest } from '../net/districtWorker.ts';

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<DistrictWorkerRequest>) => void) | null;
  postMessage(message: DistrictWorkerReply, transfer?: Transferable[]): void;
};

scope.onmessage = (e) => {
  void (async () => {
    const { url } = e.data;
    try {
      const t0 = performance.now();
      const res = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' });
      if (!res.ok) throw new Error(`GET ${new URL(url).pathname} → ${res.status}`);
      const district = (await res.json()) as District;
      if (!district || !Array.isArray(district.buildings) || !district.geography) throw new Error(`GET ${new URL(url).pathname}: not a district`);
      const t1 = performance.now();
      const geo = buildBuildingsGeometry(district);
      const bvh = new MeshBVH(geo.geometry, BVH_OPTIONS);
      const t2 = performance.now();
      const { packed, transfer } = packGeometry(geo, bvh);
      scope.postMessage({ ok: true, district, geometry: packed, timings: { fetchParseMs: t1 - t0, buildMs: t2 - t1 } }, transfer);
    } catch (err) {
      scope.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  })();
};
