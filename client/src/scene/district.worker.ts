/**
 * The district worker (a module Web Worker, bundled by Vite; CSP `worker-src 'self'`): fetches /api/v1/district,
 * parses it, builds the merged extrusion (geometry.ts) and transfers the typed arrays back, so the main thread never
 * parses 31 MB of JSON or loops over 50,000 footprints. Two replies: the district and its geometry first (the scene
 * can draw), then the picking tree (three-mesh-bvh, built as picking.ts would), so the first frame does not wait for
 * it. The footprints, the bulk of the district's objects, travel packed in one Float64Array and are unpacked on the
 * main thread only when something reads a building's footprint (districtTransfer.ts restoreFootprints).
 * One request per worker; client/src/net/districtWorker.ts starts it and ends it.
 */
import { BufferGeometry } from 'three';
import { MeshBVH } from 'three-mesh-bvh';
import type { District } from '@models/district.ts';
import { buildBuildingsGeometry } from './geometry.ts';
import { packFootprints, packGeometry, serializeBvh } from './districtTransfer.ts';
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
      const t2 = performance.now();
      // the tree needs positions and triangles after the first reply has transferred them away: keep copies
      const treeGeometry = new BufferGeometry();
      treeGeometry.setAttribute('position', geo.geometry.getAttribute('position').clone());
      treeGeometry.setIndex(geo.geometry.getIndex()!.clone());
      const { packed, transfer } = packGeometry(geo);
      const footprints = packFootprints(district);
      // as JSON text: one string crosses to the main thread, which parses it faster than it deserialises the
      // equivalent object graph (bench section 13)
      scope.postMessage({ ok: true, kind: 'district', districtJson: JSON.stringify(district), footprints, geometry: packed, timings: { fetchParseMs: t1 - t0, buildMs: t2 - t1 } }, [...transfer, footprints.coords.buffer, footprints.offsets.buffer]);
      const bvh = new MeshBVH(treeGeometry, BVH_OPTIONS);
      const tree = serializeBvh(bvh);
      scope.postMessage({ ok: true, kind: 'bvh', bvh: tree.bvh }, tree.transfer);
    } catch (err) {
      scope.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  })();
};
