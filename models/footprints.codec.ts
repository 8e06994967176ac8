/**
 * The district's shape in binary, `GET /api/v1/district/footprints` (application/octet-stream): what the merged
 * extrusion (client/src/scene/geometry.ts) needs and nothing else — every footprint, height, floor count and landmark
 * flag, in building order (the order of `/api/v1/district`'s `buildings`, which frames index). The server encodes it
 * once per data-set version (server/src/gateway/district.payload.ts); the district worker decodes it and builds the
 * geometry without parsing the district's JSON, and the main thread gives the buildings their footprints back from it.
 * Coordinates are the data set's own doubles, so a footprint restored from here equals the JSON one exactly.
 *
 * Layout, little-endian, every array aligned to its element size:
 *
 *   0  magic "WBFP"              4  format u32 (1)          8  datasetVersion u32
 *  12  buildings n u32          16  points p u32           20  reserved u32 (0)
 *  24  origin lat f64           32  origin lon f64
 *  40  coords f64[2p]  (lon, lat of every footprint point, building after building)
 *      heightM f64[n]   offsets u32[n + 1]  (building i's points are p-indices offsets[i] … offsets[i + 1])
 *      floors u16[n]    landmark u8[n]      (1 = landmark)
 */

export const FOOTPRINTS_MAGIC = 'WBFP';
export const FOOTPRINTS_FORMAT = 1;
export const FOOTPRINTS_CONTENT_TYPE = 'application/octet-stream';
export const FOOTPRINTS_PATH = '/api/v1/district/footprints';
const HEADER_BYTES = 40;

/** A payload that is not a footprints payload of this format, or is cut short: the message says what and where. */
export class FootprintsError extends Error {
  constructor(message: string) {
    super(`district footprints: ${message}`);
    this.name = 'FootprintsError';
  }
}

export interface DistrictFootprints {
  datasetVersion: number;
  origin: { lat: number; lon: number };
  count: number;
  /** lon, lat pairs of every footprint in building order. */
  coords: Float64Array;
  /** Building i's points are coords[offsets[i] * 2 … offsets[i + 1] * 2). */
  offsets: Uint32Array;
  heightM: Float64Array;
  floors: Uint16Array;
  /** 1 where the building is a landmark. */
  landmark: Uint8Array;
}

/** What the encoder reads: `District` has it (structurally), so does a test's hand-made district. */
export interface FootprintsSource {
  version: number;
  geography: { origin: { lat: number; lon: number } };
  buildings: readonly { footprint: readonly (readonly [number, number])[]; heightM: number; floors: number; landmark: boolean }[];
}

function byteLength(n: number, p: number): number {
  return HEADER_BYTES + 16 * p + 8 * n + 4 * (n + 1) + 2 * n + n;
}

export function encodeFootprints(district: FootprintsSource): Uint8Array {
  const n = district.buildings.length;
  let p = 0;
  for (const b of district.buildings) p += b.footprint.length;
  const buf = new ArrayBuffer(byteLength(n, p));
  const view = new DataView(buf);
  for (let i = 0; i < 4; i++) view.setUint8(i, FOOTPRINTS_MAGIC.charCodeAt(i));
  view.setUint32(4, FOOTPRINTS_FORMAT, true);
  view.setUint32(8, district.version >>> 0, true);
  view.setUint32(12, n, true);
  view.setUint32(16, p, true);
  view.setFloat64(24, district.geography.origin.lat, true);
  view.setFloat64(32, district.geography.origin.lon, true);
  const a = arrays(buf, 0, n, p);
  let k = 0;
  district.buildings.forEach((b, i) => {
    a.offsets[i] = k;
    for (const pt of b.footprint) {
      a.coords[k * 2] = pt[0];
      a.coords[k * 2 + 1] = pt[1];
      k++;
    }
    a.heightM[i] = b.heightM;
    a.floors[i] = b.floors;
    a.landmark[i] = b.landmark ? 1 : 0;
  });
  a.offsets[n] = k;
  return new Uint8Array(buf);
}

function arrays(buf: ArrayBuffer, base: number, n: number, p: number) {
  let o = base + HEADER_BYTES;
  const coords = new Float64Array(buf, o, 2 * p);
  o += 16 * p;
  const heightM = new Float64Array(buf, o, n);
  o += 8 * n;
  const offsets = new Uint32Array(buf, o, n + 1);
  o += 4 * (n + 1);
  const floors = new Uint16Array(buf, o, n);
  o += 2 * n;
  const landmark = new Uint8Array(buf, o, n);
  return { coords, heightM, offsets, floors, landmark };
}

/**
 * Read a payload (no copy when it starts 8-byte aligned). Refuses anything that is not this format, is shorter or
 * longer than its header says, or whose footprints do not add up, naming the byte count or the building.
 */
export function decodeFootprints(input: ArrayBuffer | Uint8Array): DistrictFootprints {
  let bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.byteLength < HEADER_BYTES) throw new FootprintsError(`truncated: ${bytes.byteLength} bytes, the header alone is ${HEADER_BYTES}`);
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3));
  if (magic !== FOOTPRINTS_MAGIC) throw new FootprintsError(`not a footprints payload (starts "${magic.replace(/[^\x20-\x7e]/g, '?')}", expected "${FOOTPRINTS_MAGIC}")`);
  const format = view.getUint32(4, true);
  if (format !== FOOTPRINTS_FORMAT) throw new FootprintsError(`format ${format}, this client reads format ${FOOTPRINTS_FORMAT}`);
  const n = view.getUint32(12, true);
  const p = view.getUint32(16, true);
  const expected = byteLength(n, p);
  if (bytes.byteLength < expected) throw new FootprintsError(`truncated: ${bytes.byteLength} bytes, the header (${n} buildings, ${p} points) needs ${expected}`);
  if (bytes.byteLength > expected) throw new FootprintsError(`${bytes.byteLength - expected} bytes after the end (${n} buildings, ${p} points need ${expected})`);
  const origin = { lat: view.getFloat64(24, true), lon: view.getFloat64(32, true) };
  if (!Number.isFinite(origin.lat) || !Number.isFinite(origin.lon)) throw new FootprintsError('origin is not a finite coordinate');
  const a = arrays(bytes.buffer as ArrayBuffer, bytes.byteOffset, n, p);
  if (a.offsets[0] !== 0 || a.offsets[n] !== p) throw new FootprintsError(`offsets run ${a.offsets[0]} … ${a.offsets[n]}, expected 0 … ${p}`);
  for (let i = 0; i < n; i++) {
    if (a.offsets[i + 1]! - a.offsets[i]! < 3 || a.offsets[i + 1]! < a.offsets[i]!) throw new FootprintsError(`building ${i}: a footprint needs at least 3 points (offsets ${a.offsets[i]} … ${a.offsets[i + 1]})`);
    if (!(a.heightM[i]! > 0) || !Number.isFinite(a.heightM[i]!)) throw new FootprintsError(`building ${i}: height ${a.heightM[i]} m is not a positive number`);
  }
  for (let k = 0; k < a.coords.length; k++) if (!Number.isFinite(a.coords[k]!)) throw new FootprintsError(`point ${k >> 1}: coordinate is not finite`);
  return { datasetVersion: view.getUint32(8, true), origin, count: n, ...a };
}
