/** Geometry derived from a district, built once per district object and shared by the meshes, labels and test hook. */
import type { District } from '@models/district.ts';
import { buildBuildingsGeometry, type BuildingsGeometry } from './geometry.ts';

const cache = new WeakMap<District, BuildingsGeometry>();

export function buildingsGeometryOf(district: District): BuildingsGeometry {
  let g = cache.get(district);
  if (!g) {
    g = buildBuildingsGeometry(district);
    cache.set(district, g);
  }
  return g;
}

/** Install geometry built elsewhere (the district worker) for this district object. */
export function primeBuildingsGeometry(district: District, geo: BuildingsGeometry): void {
  cache.set(district, geo);
}
