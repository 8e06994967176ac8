/**
 * The district worker (a module Web Worker, bundled by Vite; CSP `worker-src 'self'`): as soon as it starts, it fetches
 * the district's binary footprints (`/api/v1/district/footprints`, models/footprints.codec.ts — footprints, heights,
 * floors, landmark flags; ≈ 4 MB at 50,000 buildings where the JSON is 31 MB), builds the merged extrusion
 * (geometry.ts) and transfers the typed arrays back, so neither thread parses the district's JSON for its shape and the
 * main thread never loops over 50,000 footprints. It starts on its own rather than on a message from the main thread
 * (the address is in the worker's name): a message waits until the main thread is free, and while the app starts
 * (React's first commit, the WebGL context) it is not. Two replies: the geometry and the footprints first (the scene can draw), then the picking tree
 * (three-mesh-bvh, built as picking.ts would), so the first frame does not wait for it. The rest of the district (ids,
 * names, tenants) is JSON the main thread fetches meanwhile (client/src/net/districtWorker.ts starts both).
 */
import { BufferGeometry } from 'three';
import { MeshBVH } from 'three-mesh-bvh';
import { FOOTPRINTS_PATH, decodeFootprints } from '@models/footprints.codec.ts';
import { buildBuildingsGeometry } from './geometry.ts';
import { DISTRICT_WORKER_NAME, extrusionSourceOf, packGeometry, serializeBvh } from './districtTransfer.ts';
import { BVH_OPTIONS } from './picking.ts';
import type { DistrictWorkerReply } from '../net/districtWorker.ts';

const scope = self as unknown as {
  name: string;
  location: { href: string };
  postMessage(message: DistrictWorkerReply, transfer?: Transferable[]): void;
};

async function run(): Promise<void> {
  const marks: Record<string, number> = {};
  const mark = (name: string) => (marks[name] = performance.timeOrigin + performance.now());
  // the main thread names the worker after what it should fetch (districtTransfer.ts DISTRICT_WORKER_NAME)
  const named = scope.name.startsWith(DISTRICT_WORKER_NAME) ? scope.name.slice(DISTRICT_WORKER_NAME.length) : '';
  const url = new URL(named || FOOTPRINTS_PATH, scope.location.href);
  try {
    mark('start');
    const request = fetch(url, { cache: 'no-store' });
    scope.postMessage({ ok: true, kind: 'started' });
    const res = await request;
    if (!res.ok) throw new Error(`GET ${url.pathname} → ${res.status}`);
    const bytes = await res.arrayBuffer();
    mark('body');
    const footprints = decodeFootprints(bytes);
    const geo = buildBuildingsGeometry(extrusionSourceOf(footprints));
    mark('built');
    // the tree needs positions and triangles after the first reply has transferred them away: keep copies
    const treeGeometry = new BufferGeometry();
    treeGeometry.setAttribute('position', geo.geometry.getAttribute('position').clone());
    treeGeometry.setIndex(geo.geometry.getIndex()!.clone());
    const { packed, transfer } = packGeometry(geo);
    scope.postMessage(
      { ok: true, kind: 'geometry', datasetVersion: footprints.datasetVersion, count: footprints.count, footprints: { coords: footprints.coords, offsets: footprints.offsets }, geometry: packed, marks },
      [...transfer, footprints.coords.buffer as ArrayBuffer],
    );
    const bvh = new MeshBVH(treeGeometry, BVH_OPTIONS);
    const tree = serializeBvh(bvh);
    scope.postMessage({ ok: true, kind: 'bvh', bvh: tree.bvh }, tree.transfer);
  } catch (err) {
    scope.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
}

void run();
