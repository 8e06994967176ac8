/**
 * WGS-84 → local metric frame for the district. At this scale (≈ 7 km) an equirectangular frame about a local origin
 * is accurate to well under a metre per kilometre, which is finer than any footprint in the data.
 * Frame: east = +x, north = −z, up = +y (three.js convention), metres.
 */
import type { LngLat } from './district.ts';

/** Metres per degree at 31.17° N (district-facts.md: 1° latitude ≈ 110.95 km; 1° longitude ≈ 95.3 km). */
export const M_PER_DEG_LAT = 110_950;
export const M_PER_DEG_LON = 95_300;

export interface Origin {
  lat: number;
  lon: number;
}

/** Project `[lon, lat]` into `out` as `[x, z]` metres; no allocation when `out` is given. */
export function project(origin: Origin, p: LngLat | readonly [number, number], out: [number, number] = [0, 0]): [number, number] {
  out[0] = (p[0] - origin.lon) * M_PER_DEG_LON;
  out[1] = -(p[1] - origin.lat) * M_PER_DEG_LAT;
  return out;
}

export function unproject(origin: Origin, x: number, z: number): [number, number] {
  return [origin.lon + x / M_PER_DEG_LON, origin.lat - z / M_PER_DEG_LAT];
}

/** Signed area of a projected ring in m² (positive when counter-clockwise in x/−z, i.e. counter-clockwise on a map). */
export function ringAreaM2(origin: Origin, ring: readonly LngLat[]): number {
  let sum = 0;
  const a: [number, number] = [0, 0];
  const b: [number, number] = [0, 0];
  for (let i = 0; i < ring.length; i++) {
    project(origin, ring[i]!, a);
    project(origin, ring[(i + 1) % ring.length]!, b);
    // map y = −z
    sum += a[0] * -b[1] - b[0] * -a[1];
  }
  return sum / 2;
}

export function centroid(ring: readonly LngLat[]): LngLat {
  let lon = 0;
  let lat = 0;
  for (const p of ring) {
    lon += p[0];
    lat += p[1];
  }
  return [lon / ring.length, lat / ring.length];
}
