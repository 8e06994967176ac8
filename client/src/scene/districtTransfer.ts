/**
 * The district's geometry as plain typed arrays, so the district worker (district.worker.ts) can build it off the main
 * thread and hand it over by transfer (no copy): `packGeometry` in the worker, `unpackGeometry` on the main thread,
 * which only wraps the arrays in BufferAttributes. The picking tree (three-mesh-bvh) travels the same way, serialised.
 */
import { Box3, BufferAttribute, BufferGeometry, Sphere, Vector3 } from 'three';
import { MeshBVH, type SerializedBVH } from 'three-mesh-bvh';
import type { Bounds, BuildingsGeometry } from './geometry.ts';

type Index = Uint16Array | Uint32Array;

export interface PackedMesh {
  attributes: Record<string, { array: Float32Array; itemSize: number }>;
  index: Index | null;
  /** Bounding box min/max and sphere centre/radius, computed where the arrays were built. */
  box: [number, number, number, number, number, number] | null;
  sphere: [number, number, number, number] | null;
}

export interface PackedGeometry {
  buildings: PackedMesh;
  contactShadows: PackedMesh;
  roofCentres: Float32Array;
  landmarkEdges: Float32Array;
  bounds: Bounds;
  maxHeightM: number;
  /** The picking tree over `buildings`, built in the worker (null if it was not built there). */
  bvh: SerializedBVH | null;
}

function packMesh(g: BufferGeometry): PackedMesh {
  const attributes: PackedMesh['attributes'] = {};
  for (const [name, attr] of Object.entries(g.attributes)) {
    attributes[name] = { array: (attr as BufferAttribute).array as Float32Array, itemSize: attr.itemSize };
  }
  const b = g.boundingBox;
  const s = g.boundingSphere;
  return {
    attributes,
    index: g.index ? (g.index.array as Index) : null,
    box: b ? [b.min.x, b.min.y, b.min.z, b.max.x, b.max.y, b.max.z] : null,
    sphere: s ? [s.center.x, s.center.y, s.center.z, s.radius] : null,
  };
}

function unpackMesh(p: PackedMesh): BufferGeometry {
  const g = new BufferGeometry();
  for (const [name, a] of Object.entries(p.attributes)) g.setAttribute(name, new BufferAttribute(a.array, a.itemSize));
  if (p.index) g.setIndex(new BufferAttribute(p.index, 1));
  if (p.box) g.boundingBox = new Box3(new Vector3(p.box[0], p.box[1], p.box[2]), new Vector3(p.box[3], p.box[4], p.box[5]));
  if (p.sphere) g.boundingSphere = new Sphere(new Vector3(p.sphere[0], p.sphere[1], p.sphere[2]), p.sphere[3]);
  return g;
}

/** The arrays of a built geometry (and, if given, its picking tree) plus the list of buffers to transfer. */
export function packGeometry(geo: BuildingsGeometry, bvh: MeshBVH | null): { packed: PackedGeometry; transfer: ArrayBuffer[] } {
  const packed: PackedGeometry = {
    buildings: packMesh(geo.geometry),
    contactShadows: packMesh(geo.contactShadows),
    roofCentres: geo.roofCentres,
    landmarkEdges: geo.landmarkEdges,
    bounds: geo.bounds,
    maxHeightM: geo.maxHeightM,
    bvh: bvh ? MeshBVH.serialize(bvh, { cloneBuffers: false }) : null,
  };
  const buffers = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | null | undefined) => {
    if (a && a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  };
  for (const m of [packed.buildings, packed.contactShadows]) {
    for (const a of Object.values(m.attributes)) add(a.array);
    add(m.index);
  }
  add(packed.roofCentres);
  add(packed.landmarkEdges);
  if (packed.bvh) {
    for (const r of packed.bvh.roots) buffers.add(r);
    add(packed.bvh.indirectBuffer as ArrayBufferView | null);
    // the BVH's index is the geometry's own (indirect mode leaves it untouched): already in the list
  }
  return { packed, transfer: [...buffers] };
}

/** Main thread: wrap transferred arrays in BufferAttributes (no copy, no pass over the data). */
export function unpackGeometry(p: PackedGeometry): { geo: BuildingsGeometry; bvh: MeshBVH | null } {
  const geometry = unpackMesh(p.buildings);
  const geo: BuildingsGeometry = {
    geometry,
    contactShadows: unpackMesh(p.contactShadows),
    roofCentres: p.roofCentres,
    landmarkEdges: p.landmarkEdges,
    bounds: p.bounds,
    maxHeightM: p.maxHeightM,
  };
  // indirect mode: the tree references triangles through its own buffer and leaves the geometry's index as it is
  const bvh = p.bvh ? MeshBVH.deserialize(p.bvh, geometry, { setIndex: false }) : null;
  return { geo, bvh };
}
