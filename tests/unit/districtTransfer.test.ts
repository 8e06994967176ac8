/**
 * What the district worker sends is what the main thread would have built: geometry arrays (also when built from the
 * binary footprints), footprints and the picking tree survive a real structured clone with transfer (as postMessage
 * does) unchanged and usable.
 */
import path from 'node:path';
import { BufferGeometry, Ray, Vector3 } from 'three';
import { MeshBVH } from 'three-mesh-bvh';
import { beforeAll, describe, expect, it } from 'vitest';
import type { District } from '@models/district.ts';
import { loadDistrict } from '../../server/src/district/district.loader.ts';
import { REPO_ROOT } from '../../server/src/config.ts';
import { buildBuildingsGeometry } from '../../client/src/scene/geometry.ts';
import { deserializeBvh, extrusionSourceOf, packGeometry, restoreFootprints, serializeBvh, unpackGeometry } from '../../client/src/scene/districtTransfer.ts';
import { decodeFootprints, encodeFootprints } from '@models/footprints.codec.ts';
import { BVH_OPTIONS } from '../../client/src/scene/picking.ts';

let district: District;

beforeAll(async () => {
  district = await loadDistrict(path.join(REPO_ROOT, 'data'));
});

describe('district transfer', () => {
  it('geometry arrays cross unchanged, and the sender keeps none of them (transferred, not copied)', () => {
    const reference = buildBuildingsGeometry(district);
    const sent = buildBuildingsGeometry(district);
    const { packed, transfer } = packGeometry(sent);
    const received = unpackGeometry(structuredClone(packed, { transfer }));
    for (const name of ['position', 'aBuilding', 'aWall']) {
      expect(Array.from(received.geometry.getAttribute(name).array as Float32Array), name).toEqual(Array.from(reference.geometry.getAttribute(name).array as Float32Array));
      expect((sent.geometry.getAttribute(name).array as Float32Array).byteLength, `${name} detached`).toBe(0);
    }
    expect(Array.from(received.geometry.index!.array)).toEqual(Array.from(reference.geometry.index!.array));
    expect(Array.from(received.roofCentres)).toEqual(Array.from(reference.roofCentres));
    expect(Array.from(received.landmarkEdges)).toEqual(Array.from(reference.landmarkEdges));
    expect(received.bounds).toEqual(reference.bounds);
    expect(received.geometry.boundingSphere!.radius).toBeCloseTo(reference.geometry.boundingSphere!.radius, 6);
    expect(Array.from(received.contactShadows.getAttribute('color').array as Float32Array)).toEqual(Array.from(reference.contactShadows.getAttribute('color').array as Float32Array));
  });

  it('the binary footprints cross to the main thread and give the JSON without footprints back the same rings; the district serialises whole', () => {
    // what the server sends for ?footprints=omit, and the worker's decoded binary, transferred as postMessage would
    const slim = JSON.parse(JSON.stringify({ ...district, buildings: district.buildings.map(({ footprint: _f, ...b }) => b) })) as District;
    expect(slim.buildings.every((b) => !('footprint' in b))).toBe(true);
    const decoded = decodeFootprints(encodeFootprints(district));
    const footprints = structuredClone({ coords: decoded.coords, offsets: decoded.offsets }, { transfer: [decoded.coords.buffer as ArrayBuffer] });
    restoreFootprints(slim, footprints);
    expect(slim.buildings[7]!.footprint).toEqual(district.buildings[7]!.footprint);
    expect(JSON.parse(JSON.stringify(slim))).toEqual(JSON.parse(JSON.stringify(district)));
  });

  it('the geometry the worker builds from the binary footprints is the one built from the JSON district', () => {
    const reference = buildBuildingsGeometry(district);
    const fromBinary = buildBuildingsGeometry(extrusionSourceOf(decodeFootprints(encodeFootprints(district))));
    for (const name of ['position', 'aBuilding', 'aWall']) {
      expect(Array.from(fromBinary.geometry.getAttribute(name).array as Float32Array), name).toEqual(Array.from(reference.geometry.getAttribute(name).array as Float32Array));
    }
    expect(Array.from(fromBinary.geometry.index!.array)).toEqual(Array.from(reference.geometry.index!.array));
    expect(Array.from(fromBinary.landmarkEdges)).toEqual(Array.from(reference.landmarkEdges));
    expect(Array.from(fromBinary.roofCentres)).toEqual(Array.from(reference.roofCentres));
  });

  it('a picking tree built on a copy of the geometry picks the same buildings on the received one', () => {
    const geo = buildBuildingsGeometry(district);
    const copy = new BufferGeometry();
    copy.setAttribute('position', geo.geometry.getAttribute('position').clone());
    copy.setIndex(geo.geometry.getIndex()!.clone());
    const tree = serializeBvh(new MeshBVH(copy, BVH_OPTIONS));
    const bvh = deserializeBvh(structuredClone(tree.bvh, { transfer: tree.transfer }), geo.geometry);
    const direct = new MeshBVH(buildBuildingsGeometry(district).geometry, BVH_OPTIONS);
    const building = geo.geometry.getAttribute('aBuilding');
    let checked = 0;
    for (let i = 0; i < district.buildings.length; i += 17) {
      const x = geo.roofCentres[i * 3]!;
      const z = geo.roofCentres[i * 3 + 2]!;
      const hit = bvh.raycastFirst(new Ray(new Vector3(x, 2000, z), new Vector3(0, -1, 0)));
      expect(hit, `building ${i}`).toBeTruthy();
      // the highest roof under this point: this building unless a taller one overhangs it (then that one)
      const idx = Math.round(building.getX(hit!.face!.a));
      const directHit = direct.raycastFirst(new Ray(new Vector3(x, 2000, z), new Vector3(0, -1, 0)));
      expect(hit!.distance).toBeCloseTo(directHit!.distance, 6);
      expect(geo.roofCentres[idx * 3 + 1]!).toBeGreaterThanOrEqual(geo.roofCentres[i * 3 + 1]! - 1e-3);
      if (idx === i) checked++;
    }
    expect(checked).toBeGreaterThan(15);
  });
});
