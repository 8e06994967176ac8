/**
 * Geometry built once per district (never per tick): footprints extruded into ONE indexed BufferGeometry for every
 * building, flat ground polygons and ribbons. Coordinates: models/geo.ts `project` about geography.origin
 * (east = +x, north = −z, up = +y, metres).
 */
import { BufferAttribute, BufferGeometry, ShapeUtils, Vector2 } from 'three';
import type { District, LngLat } from '@models/district.ts';
import { project, type Origin } from '@models/geo.ts';

const scratchXZ: [number, number] = [0, 0];

/** Scratch for mitreInto: the unit mitre direction. */
const mitre = new Float64Array(2);

/**
 * The mitre of two unit edge normals a and b, written to `mitre`; returns how far along it a unit offset reaches,
 * limited by `minCos` so sharp corners do not spike (antiparallel normals fall back to b).
 */
function mitreInto(ax: number, az: number, bx: number, bz: number, minCos: number): number {
  let mx = ax + bx;
  let mz = az + bz;
  const ml = Math.hypot(mx, mz);
  if (ml < 1e-6) {
    mx = bx;
    mz = bz;
  } else {
    mx /= ml;
    mz /= ml;
  }
  mitre[0] = mx;
  mitre[1] = mz;
  return 1 / Math.max(mx * bx + mz * bz, minCos);
}

/** A projected ring as flat [x0, z0, x1, z1, …], counter-clockwise on the map (x east, −z north), unclosed. */
export function projectRing(origin: Origin, ring: readonly LngLat[]): Float64Array {
  let n = ring.length;
  // tolerate a closed ring (first point repeated) even though the schema says unclosed
  const first = ring[0]!;
  const last = ring[n - 1]!;
  if (n > 3 && first[0] === last[0] && first[1] === last[1]) n--;
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    project(origin, ring[i]!, scratchXZ);
    out[i * 2] = scratchXZ[0];
    out[i * 2 + 1] = scratchXZ[1];
  }
  if (signedMapArea(out) < 0) reverseRing(out);
  return out;
}

/** Signed area in map orientation (x, −z): positive when counter-clockwise on the map. */
export function signedMapArea(xz: Float64Array): number {
  const n = xz.length / 2;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    sum += xz[i * 2]! * -xz[j * 2 + 1]! - xz[j * 2]! * -xz[i * 2 + 1]!;
  }
  return sum / 2;
}

function reverseRing(xz: Float64Array): void {
  const n = xz.length / 2;
  for (let i = 0, j = n - 1; i < j; i++, j--) {
    const x = xz[i * 2]!;
    const z = xz[i * 2 + 1]!;
    xz[i * 2] = xz[j * 2]!;
    xz[i * 2 + 1] = xz[j * 2 + 1]!;
    xz[j * 2] = x;
    xz[j * 2 + 1] = z;
  }
}

/** Triangles of a CCW ring as vertex-index triples, front face up (+y). */
function triangulate(xz: Float64Array): number[][] {
  const n = xz.length / 2;
  const contour: Vector2[] = [];
  // ShapeUtils works in a 2D plane; (x, −z) keeps the map's counter-clockwise orientation → faces point up.
  for (let i = 0; i < n; i++) contour.push(new Vector2(xz[i * 2]!, -xz[i * 2 + 1]!));
  return ShapeUtils.triangulateShape(contour, []);
}

function pointInRing(xz: Float64Array, x: number, z: number): boolean {
  let inside = false;
  const n = xz.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = xz[i * 2]!;
    const zi = xz[i * 2 + 1]!;
    const xj = xz[j * 2]!;
    const zj = xz[j * 2 + 1]!;
    if (zi > z !== zj > z && x < ((xj - xi) * (z - zi)) / (zj - zi) + xi) inside = !inside;
  }
  return inside;
}

export interface Bounds {
  minX: number;
  maxX: number;
  minZ: number;
  maxZ: number;
}

export interface BuildingsGeometry {
  /**
   * All buildings, one indexed geometry: `position`; `aBuilding` = (buildingIndex, floor height, building height) in
   * m; `aWall` = distance along a wall from its start and to its end corner (+NO_CORNER where that corner is not a
   * real corner, e.g. on a curved facade; both NO_CORNER on roofs), for crisp edges drawn in the shader.
   */
  geometry: BufferGeometry;
  /** A point in the middle of each roof, [x, y, z] by building index (labels, test hook, camera moves). */
  roofCentres: Float32Array;
  /** Landmark outlines as line-segment pairs [x, y, z, x, y, z, …]. */
  landmarkEdges: Float32Array;
  bounds: Bounds;
  maxHeightM: number;
  /** Soft contact shadows on the ground around every footprint (RGBA vertex colours), one geometry. */
  contactShadows: BufferGeometry;
}

/** Turning angle above which a footprint vertex is a corner that gets a vertical outline edge (curved walls are not outlined). */
const CORNER_COS = Math.cos((28 * Math.PI) / 180);
/** Added to a wall distance whose corner is not a real corner, so the shader draws no edge there. */
export const NO_CORNER = 1e5;

/** What the merged extrusion reads: a `District` has it; so has what the district worker decodes from the binary footprints. */
export interface ExtrusionSource {
  geography: { origin: Origin };
  buildings: readonly Pick<District['buildings'][number], 'footprint' | 'heightM' | 'floors' | 'landmark'>[];
}

export function buildBuildingsGeometry(district: ExtrusionSource): BuildingsGeometry {
  const origin = district.geography.origin;
  const rings: Float64Array[] = [];
  const roofs: number[][][] = [];
  let vertexCount = 0;
  let indexCount = 0;
  const bounds: Bounds = { minX: Infinity, maxX: -Infinity, minZ: Infinity, maxZ: -Infinity };
  let maxHeightM = 0;

  for (const b of district.buildings) {
    const ring = projectRing(origin, b.footprint);
    const tris = triangulate(ring);
    rings.push(ring);
    roofs.push(tris);
    const n = ring.length / 2;
    // walls: 4 vertices per side (own vertices, so the derivative normal is flat per side); roof: the ring at the top
    vertexCount += n * 4 + n;
    indexCount += n * 6 + tris.length * 3;
    for (let i = 0; i < n; i++) {
      const x = ring[i * 2]!;
      const z = ring[i * 2 + 1]!;
      if (x < bounds.minX) bounds.minX = x;
      if (x > bounds.maxX) bounds.maxX = x;
      if (z < bounds.minZ) bounds.minZ = z;
      if (z > bounds.maxZ) bounds.maxZ = z;
    }
    if (b.heightM > maxHeightM) maxHeightM = b.heightM;
  }

  const position = new Float32Array(vertexCount * 3);
  const building = new Float32Array(vertexCount * 3);
  const wall = new Float32Array(vertexCount * 2);
  const index = vertexCount > 65535 ? new Uint32Array(indexCount) : new Uint16Array(indexCount);
  const roofCentres = new Float32Array(district.buildings.length * 3);
  const edges: number[] = [];
  let v = 0;
  let k = 0;

  const put = (x: number, y: number, z: number, bi: number, floorH: number, h: number, fromStart: number, toEnd: number): number => {
    position[v * 3] = x;
    position[v * 3 + 1] = y;
    position[v * 3 + 2] = z;
    building[v * 3] = bi;
    building[v * 3 + 1] = floorH;
    building[v * 3 + 2] = h;
    wall[v * 2] = fromStart;
    wall[v * 2 + 1] = toEnd;
    return v++;
  };
  // a ring vertex is a real corner when the footprint turns there by more than the outline threshold
  const isCorner = (ring: Float64Array, i: number): boolean => {
    const n = ring.length / 2;
    const p = (i + n - 1) % n;
    const j = (i + 1) % n;
    const ax = ring[i * 2]! - ring[p * 2]!, az = ring[i * 2 + 1]! - ring[p * 2 + 1]!;
    const bx = ring[j * 2]! - ring[i * 2]!, bz = ring[j * 2 + 1]! - ring[i * 2 + 1]!;
    const la = Math.hypot(ax, az), lb = Math.hypot(bx, bz);
    return la === 0 || lb === 0 || (ax * bx + az * bz) / (la * lb) < CORNER_COS;
  };

  district.buildings.forEach((b, bi) => {
    const ring = rings[bi]!;
    const n = ring.length / 2;
    const h = b.heightM;
    const floorH = h / Math.max(1, b.floors);
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const x0 = ring[i * 2]!;
      const z0 = ring[i * 2 + 1]!;
      const x1 = ring[j * 2]!;
      const z1 = ring[j * 2 + 1]!;
      const len = Math.hypot(x1 - x0, z1 - z0);
      const startOff = isCorner(ring, i) ? 0 : NO_CORNER;
      const endOff = isCorner(ring, j) ? 0 : NO_CORNER;
      const a = put(x0, 0, z0, bi, floorH, h, startOff, len + endOff);
      const c = put(x1, 0, z1, bi, floorH, h, len + startOff, endOff);
      const d = put(x1, h, z1, bi, floorH, h, len + startOff, endOff);
      const e = put(x0, h, z0, bi, floorH, h, startOff, len + endOff);
      // counter-clockwise seen from outside (see the orientation note in projectRing)
      index[k++] = a;
      index[k++] = c;
      index[k++] = d;
      index[k++] = a;
      index[k++] = d;
      index[k++] = e;
    }
    const top = v;
    for (let i = 0; i < n; i++) put(ring[i * 2]!, h, ring[i * 2 + 1]!, bi, floorH, h, NO_CORNER, NO_CORNER);
    for (const t of roofs[bi]!) {
      index[k++] = top + t[0]!;
      index[k++] = top + t[1]!;
      index[k++] = top + t[2]!;
    }

    // Roof centre: the area centroid when it lies on the roof, else the centroid of the largest roof triangle.
    let cx = 0;
    let cz = 0;
    let area = 0;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const xi = ring[i * 2]!;
      const zi = ring[i * 2 + 1]!;
      const xj = ring[j * 2]!;
      const zj = ring[j * 2 + 1]!;
      const cross = xi * zj - xj * zi;
      area += cross;
      cx += (xi + xj) * cross;
      cz += (zi + zj) * cross;
    }
    if (Math.abs(area) > 1e-6) {
      cx /= 3 * area;
      cz /= 3 * area;
    } else {
      cx = ring[0]!;
      cz = ring[1]!;
    }
    if (!pointInRing(ring, cx, cz)) {
      let best = -1;
      for (const t of roofs[bi]!) {
        const ax = ring[t[0]! * 2]!, az = ring[t[0]! * 2 + 1]!;
        const bx = ring[t[1]! * 2]!, bz = ring[t[1]! * 2 + 1]!;
        const qx = ring[t[2]! * 2]!, qz = ring[t[2]! * 2 + 1]!;
        const triArea = Math.abs((bx - ax) * (qz - az) - (qx - ax) * (bz - az));
        if (triArea > best) {
          best = triArea;
          cx = (ax + bx + qx) / 3;
          cz = (az + bz + qz) / 3;
        }
      }
    }
    roofCentres[bi * 3] = cx;
    roofCentres[bi * 3 + 1] = h;
    roofCentres[bi * 3 + 2] = cz;

    if (b.landmark) {
      for (let i = 0; i < n; i++) {
        const j = (i + 1) % n;
        const p = (i + n - 1) % n;
        const x0 = ring[i * 2]!, z0 = ring[i * 2 + 1]!;
        const x1 = ring[j * 2]!, z1 = ring[j * 2 + 1]!;
        edges.push(x0, h, z0, x1, h, z1);
        // vertical edge where the wall turns a real corner
        const ax = x0 - ring[p * 2]!, az = z0 - ring[p * 2 + 1]!;
        const bx = x1 - x0, bz = z1 - z0;
        const la = Math.hypot(ax, az), lb = Math.hypot(bx, bz);
        if (la > 0 && lb > 0 && (ax * bx + az * bz) / (la * lb) < CORNER_COS) edges.push(x0, 0, z0, x0, h, z0);
      }
    }
  });

  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new BufferAttribute(position, 3));
  geometry.setAttribute('aBuilding', new BufferAttribute(building, 3));
  geometry.setAttribute('aWall', new BufferAttribute(wall, 2));
  geometry.setIndex(new BufferAttribute(index, 1));
  geometry.computeBoundingBox();
  geometry.computeBoundingSphere();
  return { geometry, roofCentres, landmarkEdges: new Float32Array(edges), bounds, maxHeightM, contactShadows: contactShadowsGeometry(rings, district) };
}

/**
 * A skirt around each footprint on the ground, dark at the wall and fading out over a width that grows with the
 * building's height: a cheap stand-in for ambient occlusion that seats the buildings on the ground.
 */
function contactShadowsGeometry(rings: readonly Float64Array[], district: ExtrusionSource): BufferGeometry {
  let vertexCount = 0;
  let indexCount = 0;
  for (const ring of rings) {
    vertexCount += ring.length;
    indexCount += (ring.length / 2) * 6;
  }
  const position = new Float32Array(vertexCount * 3);
  const colour = new Float32Array(vertexCount * 4);
  const index = vertexCount > 65535 ? new Uint32Array(indexCount) : new Uint16Array(indexCount);
  let v = 0;
  let k = 0;
  rings.forEach((ring, bi) => {
    const n = ring.length / 2;
    const h = district.buildings[bi]!.heightM;
    const width = Math.min(Math.max(h * 0.22, 4), 28);
    const strength = Math.min(0.3 + h / 200, 0.6);
    const base = v;
    for (let i = 0; i < n; i++) {
      const p = (i + n - 1) % n;
      const j = (i + 1) % n;
      const x = ring[i * 2]!;
      const z = ring[i * 2 + 1]!;
      // outward normals of the two edges at this corner (ring is counter-clockwise on the map), mitred
      let ax = z - ring[p * 2 + 1]!, az = -(x - ring[p * 2]!);
      let bx = ring[j * 2 + 1]! - z, bz = -(ring[j * 2]! - x);
      const la = Math.hypot(ax, az) || 1;
      const lb = Math.hypot(bx, bz) || 1;
      ax /= la;
      az /= la;
      bx /= lb;
      bz /= lb;
      const scale = width * mitreInto(ax, az, bx, bz, 0.5);
      const mx = mitre[0]!;
      const mz = mitre[1]!;
      position.set([x, 0, z, x + mx * scale, 0, z + mz * scale], v * 3);
      colour.set([0, 0, 0, strength, 0, 0, 0, 0], v * 4);
      v += 2;
    }
    for (let i = 0; i < n; i++) {
      const a = base + i * 2;
      const b = base + ((i + 1) % n) * 2;
      index[k++] = a;
      index[k++] = a + 1;
      index[k++] = b + 1;
      index[k++] = a;
      index[k++] = b + 1;
      index[k++] = b;
    }
  });
  const g = new BufferGeometry();
  g.setAttribute('position', new BufferAttribute(position, 3));
  g.setAttribute('color', new BufferAttribute(colour, 4));
  g.setIndex(new BufferAttribute(index, 1));
  g.computeBoundingSphere();
  return g;
}

/** A flat polygon at height y (ground plate, water, zones). */
export function polygonGeometry(origin: Origin, ring: readonly LngLat[], y: number): BufferGeometry {
  const xz = projectRing(origin, ring);
  const tris = triangulate(xz);
  const n = xz.length / 2;
  const position = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    position[i * 3] = xz[i * 2]!;
    position[i * 3 + 1] = y;
    position[i * 3 + 2] = xz[i * 2 + 1]!;
  }
  const index: number[] = [];
  for (const t of tris) index.push(t[0]!, t[1]!, t[2]!);
  const g = new BufferGeometry();
  g.setAttribute('position', new BufferAttribute(position, 3));
  g.setIndex(index);
  g.computeBoundingSphere();
  return g;
}

/**
 * Flat ribbons of `widthM` along polylines (roads; zone outlines when `closed`), mitred at joints, merged into one
 * geometry. `along` holds the distance along the line in metres, for dashes or fades in a shader.
 */
export function ribbonsGeometry(origin: Origin, lines: readonly { line: readonly LngLat[]; widthM: number; closed?: boolean }[], y: number): BufferGeometry {
  const position: number[] = [];
  const along: number[] = [];
  const index: number[] = [];
  for (const { line, widthM, closed } of lines) {
    const pts: number[] = [];
    for (const p of line) {
      project(origin, p, scratchXZ);
      const px = scratchXZ[0];
      const pz = scratchXZ[1];
      // drop repeated points: they have no direction
      if (pts.length >= 2 && Math.abs(pts[pts.length - 2]! - px) < 0.01 && Math.abs(pts[pts.length - 1]! - pz) < 0.01) continue;
      pts.push(px, pz);
    }
    let n = pts.length / 2;
    if (closed && n > 2 && Math.abs(pts[0]! - pts[(n - 1) * 2]!) < 0.01 && Math.abs(pts[1]! - pts[(n - 1) * 2 + 1]!) < 0.01) {
      pts.length -= 2;
      n--;
    }
    if (n < 2) continue;
    const half = widthM / 2;
    const base = position.length / 3;
    const count = closed ? n + 1 : n;
    let dist = 0;
    for (let s = 0; s < count; s++) {
      const i = s % n;
      const hasPrev = closed || i > 0;
      const hasNext = closed || i < n - 1;
      const pi = (i - 1 + n) % n;
      const ni = (i + 1) % n;
      const x = pts[i * 2]!;
      const z = pts[i * 2 + 1]!;
      let dx0 = 0, dz0 = 0, dx1 = 0, dz1 = 0;
      if (hasPrev) {
        dx0 = x - pts[pi * 2]!;
        dz0 = z - pts[pi * 2 + 1]!;
        const l = Math.hypot(dx0, dz0) || 1;
        dx0 /= l;
        dz0 /= l;
      }
      if (hasNext) {
        dx1 = pts[ni * 2]! - x;
        dz1 = pts[ni * 2 + 1]! - z;
        const l = Math.hypot(dx1, dz1) || 1;
        dx1 /= l;
        dz1 /= l;
      }
      if (!hasPrev) {
        dx0 = dx1;
        dz0 = dz1;
      }
      if (!hasNext) {
        dx1 = dx0;
        dz1 = dz0;
      }
      // left normals of both segments, averaged into a mitre (limited so sharp turns do not spike)
      const scale = half * mitreInto(-dz0, dx0, -dz1, dx1, 0.35);
      const mx = mitre[0]!;
      const mz = mitre[1]!;
      if (s > 0) {
        const px = pts[((s - 1) % n) * 2]!;
        const pz = pts[((s - 1) % n) * 2 + 1]!;
        dist += Math.hypot(x - px, z - pz);
      }
      position.push(x + mx * scale, y, z + mz * scale, x - mx * scale, y, z - mz * scale);
      along.push(dist, dist);
    }
    for (let s = 0; s < count - 1; s++) {
      const a = base + s * 2;
      // left, right of this point; left, right of the next: two triangles facing up
      index.push(a, a + 1, a + 3, a, a + 3, a + 2);
    }
  }
  const g = new BufferGeometry();
  g.setAttribute('position', new BufferAttribute(new Float32Array(position), 3));
  g.setAttribute('along', new BufferAttribute(new Float32Array(along), 1));
  g.setIndex(index);
  g.computeBoundingSphere();
  return g;
}
