/**
 * The district's geometry as plain typed arrays, so the district worker (district.worker.ts) can build it off the main
 * thread and hand it over by transfer (no copy): `packGeometry` in the worker, `unpackGeometry` on the main thread,
 * which only wraps the arrays in BufferAttributes. The picking tree (three-mesh-bvh) travels the same way, serialised,
 * and so do the footprints (the decoded binary's arrays; `restoreFootprints` gives them back to the buildings of the
 * JSON fetched without them), which would otherwise be 200,000 small arrays to parse at 50,000 buildings.
 */
import { Box3, BufferAttribute, BufferGeometry, Sphere, Vector3 } from 'three';
import { MeshBVH, type SerializedBVH } from 'three-mesh-bvh';
import type { District, LngLat } from '@models/district.ts';
import type { DistrictFootprints } from '@models/footprints.codec.ts';
import type { Bounds, BuildingsGeometry, ExtrusionSource } from './geometry.ts';

type Index = Uint16Array | Uint32Array;

/** The district worker's name: this prefix, then the address of the footprints it fetches as soon as it starts. */
export const DISTRICT_WORKER_NAME = 'district ';

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

/** The arrays of a built geometry plus the list of buffers to transfer. */
export function packGeometry(geo: BuildingsGeometry): { packed: PackedGeometry; transfer: ArrayBuffer[] } {
  const packed: PackedGeometry = {
    buildings: packMesh(geo.geometry),
    contactShadows: packMesh(geo.contactShadows),
    roofCentres: geo.roofCentres,
    landmarkEdges: geo.landmarkEdges,
    bounds: geo.bounds,
    maxHeightM: geo.maxHeightM,
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
  return { packed, transfer: [...buffers] };
}

/** A picking tree built in the worker, without its geometry's index (the main thread has its own copy of it). */
export function serializeBvh(bvh: MeshBVH): { bvh: SerializedBVH; transfer: ArrayBuffer[] } {
  const data = MeshBVH.serialize(bvh, { cloneBuffers: false });
  const transfer = [...data.roots];
  const indirect = data.indirectBuffer as ArrayBufferView | null;
  if (indirect && indirect.buffer instanceof ArrayBuffer) transfer.push(indirect.buffer);
  // indirect mode leaves the index as built; the main thread's geometry holds the same triangles
  return { bvh: { ...data, index: null } as unknown as SerializedBVH, transfer };
}

/** Adopt a tree built in the worker for the main thread's copy of the same geometry. */
export function deserializeBvh(data: SerializedBVH, geometry: BufferGeometry): MeshBVH {
  return MeshBVH.deserialize(data, geometry, { setIndex: false });
}

/**
 * Worker: the light buildings geometry.ts reads (footprint, height, floors, landmark), made from the decoded binary
 * footprints (models/footprints.codec.ts).
 */
export function extrusionSourceOf(f: DistrictFootprints): ExtrusionSource {
  const buildings = new Array<ExtrusionSource['buildings'][number]>(f.count);
  for (let i = 0; i < f.count; i++) {
    const ring: LngLat[] = [];
    for (let k = f.offsets[i]!; k < f.offsets[i + 1]!; k++) ring.push([f.coords[k * 2]!, f.coords[k * 2 + 1]!]);
    buildings[i] = { footprint: ring, heightM: f.heightM[i]!, floors: f.floors[i]!, landmark: f.landmark[i] === 1 };
  }
  return { geography: { origin: f.origin }, buildings };
}

export interface PackedFootprints {
  /** lng, lat pairs of every footprint in building order. */
  coords: Float64Array;
  /** Building i's points are coords[offsets[i] * 2 … offsets[i + 1] * 2). */
  offsets: Uint32Array;
}

/**
 * Main thread: give every building its `footprint` back, unpacked on first read (then a plain property, as parsed
 * JSON would have it; enumerable, so the district still serialises whole).
 */
export function restoreFootprints(district: District, { coords, offsets }: PackedFootprints): void {
  district.buildings.forEach((b, i) => {
    Object.defineProperty(b, 'footprint', {
      configurable: true,
      enumerable: true,
      get(): LngLat[] {
        const ring: LngLat[] = [];
        for (let k = offsets[i]!; k < offsets[i + 1]!; k++) ring.push([coords[k * 2]!, coords[k * 2 + 1]!]);
        Object.defineProperty(b, 'footprint', { value: ring, configurable: true, enumerable: true, writable: true });
        return ring;
      },
    });
  });
}

/** Main thread: wrap transferred arrays in BufferAttributes (no copy, no pass over the data). */
export function unpackGeometry(p: PackedGeometry): BuildingsGeometry {
  const geometry = unpackMesh(p.buildings);
  return {
    geometry,
    contactShadows: unpackMesh(p.contactShadows),
    roofCentres: p.roofCentres,
    landmarkEdges: p.landmarkEdges,
    bounds: p.bounds,
    maxHeightM: p.maxHeightM,
  };
}
