/**
 * The binary live frame: every building's live metrics, quantised to one byte each, by building index
 * (the order of `buildings` in the district data set). 2.25 bytes per building plus a 24-byte header.
 *
 *   offset  type     field
 *   0       u8       magic 0x57 ('W')
 *   1       u8       codec version (FRAME_VERSION)
 *   2       u8       kind (1 = live tick, 2 = replay of a past minute)
 *   3       u8       reserved (0)
 *   4       u32      data-set version (District.version)
 *   8       u32      sequence number
 *   12      f64      time the values describe, ms since epoch
 *   20      u32      building count n
 *   24      u8[n]    occupancy, q = round(ratio × 250); 255 = no fresh value (stale or never set);
 *                    254 = not applicable (e.g. compute load of a building whose tenants have no compute)
 *   24+n    u8[n]    compute load, same quantisation
 *   24+2n   u8[⌈n/4⌉] source bits, 2 per building: bit 0 occupancy from ingest, bit 1 compute load from ingest
 *                    (0 = simulated); building i uses bits (i % 4) × 2 of byte ⌊i / 4⌋
 * All multi-byte fields little-endian.
 */

export const FRAME_MAGIC = 0x57;
export const FRAME_VERSION = 1;
export const FRAME_HEADER_BYTES = 24;
export const Q_MAX = 250;
export const Q_NONE = 255;
export const Q_NA = 254;

export const FRAME_KIND = { live: 1, replay: 2 } as const;
export type FrameKind = (typeof FRAME_KIND)[keyof typeof FRAME_KIND];

export function frameBytes(count: number): number {
  return FRAME_HEADER_BYTES + 2 * count + Math.ceil(count / 4);
}

/** Encode this value for "not applicable"; `quantise` maps it to Q_NA. */
export const NOT_APPLICABLE = -1;

/** Quantise a ratio (0..1) to a byte; NaN (no fresh value) → Q_NONE; NOT_APPLICABLE → Q_NA. Others are clamped. */
export function quantise(ratio: number): number {
  if (Number.isNaN(ratio)) return Q_NONE;
  if (ratio === NOT_APPLICABLE) return Q_NA;
  const q = Math.round(ratio * Q_MAX);
  return q < 0 ? 0 : q > Q_MAX ? Q_MAX : q;
}

/** Inverse of `quantise`: Q_NONE → NaN, Q_NA → NOT_APPLICABLE. */
export function dequantise(q: number): number {
  return q === Q_NA ? NOT_APPLICABLE : q > Q_MAX ? NaN : q / Q_MAX;
}

export interface FrameHeader {
  kind: FrameKind;
  datasetVersion: number;
  seq: number;
  tsMs: number;
  count: number;
}

/** Column-wise live values as the server keeps them. NaN = no fresh value. */
export interface FrameValues {
  occupancy: ArrayLike<number>;
  computeLoad: ArrayLike<number>;
  /** 1 where the occupancy value came from ingest. */
  occupancyIngest: ArrayLike<number>;
  computeIngest: ArrayLike<number>;
}

/** Encode into `out` (allocated when absent; pass a reused buffer of frameBytes(n) to avoid allocation). */
export function encodeFrame(header: Omit<FrameHeader, 'count'>, values: FrameValues, out?: Uint8Array): Uint8Array {
  const n = values.occupancy.length;
  const bytes = out ?? new Uint8Array(frameBytes(n));
  if (bytes.length < frameBytes(n)) throw new RangeError(`frame buffer too small: ${bytes.length} < ${frameBytes(n)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint8(0, FRAME_MAGIC);
  view.setUint8(1, FRAME_VERSION);
  view.setUint8(2, header.kind);
  view.setUint8(3, 0);
  view.setUint32(4, header.datasetVersion >>> 0, true);
  view.setUint32(8, header.seq >>> 0, true);
  view.setFloat64(12, header.tsMs, true);
  view.setUint32(20, n, true);
  const occ = FRAME_HEADER_BYTES;
  const cmp = occ + n;
  const src = cmp + n;
  bytes.fill(0, src, src + Math.ceil(n / 4));
  for (let i = 0; i < n; i++) {
    bytes[occ + i] = quantise(values.occupancy[i]!);
    bytes[cmp + i] = quantise(values.computeLoad[i]!);
    const bits = (values.occupancyIngest[i] ? 1 : 0) | (values.computeIngest[i] ? 2 : 0);
    if (bits) bytes[src + (i >> 2)]! |= bits << ((i & 3) * 2);
  }
  return bytes;
}

export class FrameError extends Error {}

function asBytes(frame: ArrayBuffer | ArrayBufferView): Uint8Array {
  return frame instanceof Uint8Array
    ? frame
    : ArrayBuffer.isView(frame)
      ? new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength)
      : new Uint8Array(frame);
}

export function decodeHeader(frame: ArrayBuffer | ArrayBufferView): FrameHeader {
  const bytes = asBytes(frame);
  if (bytes.length < FRAME_HEADER_BYTES) throw new FrameError(`frame too short: ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== FRAME_MAGIC) throw new FrameError('not a West Bund frame (bad magic byte)');
  const version = view.getUint8(1);
  if (version !== FRAME_VERSION) throw new FrameError(`frame codec version ${version}, expected ${FRAME_VERSION}`);
  const kind = view.getUint8(2);
  if (kind !== FRAME_KIND.live && kind !== FRAME_KIND.replay) throw new FrameError(`unknown frame kind ${kind}`);
  const count = view.getUint32(20, true);
  if (bytes.length < frameBytes(count)) throw new FrameError(`frame truncated: ${bytes.length} < ${frameBytes(count)} bytes`);
  return { kind: kind as FrameKind, datasetVersion: view.getUint32(4, true), seq: view.getUint32(8, true), tsMs: view.getFloat64(12, true), count };
}

/** Column views of a frame's body; nothing is copied. */
export interface FrameColumns {
  occupancyQ: Uint8Array;
  computeQ: Uint8Array;
  sources: Uint8Array;
}

export function frameColumns(frame: ArrayBuffer | ArrayBufferView, count: number): FrameColumns {
  const bytes = asBytes(frame);
  const o = bytes.byteOffset + FRAME_HEADER_BYTES;
  return {
    occupancyQ: new Uint8Array(bytes.buffer, o, count),
    computeQ: new Uint8Array(bytes.buffer, o + count, count),
    sources: new Uint8Array(bytes.buffer, o + 2 * count, Math.ceil(count / 4)),
  };
}

export function isIngest(sources: Uint8Array, index: number, metricBit: 0 | 1): boolean {
  return ((sources[index >> 2]! >> ((index & 3) * 2 + metricBit)) & 1) === 1;
}

/** Decode a whole frame into plain arrays (tests, tools; the client reads columns directly). */
export function decodeFrame(frame: ArrayBuffer | ArrayBufferView): FrameHeader & { occupancy: number[]; computeLoad: number[]; occupancyIngest: boolean[]; computeIngest: boolean[] } {
  const header = decodeHeader(frame);
  const c = frameColumns(frame, header.count);
  const occupancy: number[] = [];
  const computeLoad: number[] = [];
  const occupancyIngest: boolean[] = [];
  const computeIngest: boolean[] = [];
  for (let i = 0; i < header.count; i++) {
    occupancy.push(dequantise(c.occupancyQ[i]!));
    computeLoad.push(dequantise(c.computeQ[i]!));
    occupancyIngest.push(isIngest(c.sources, i, 0));
    computeIngest.push(isIngest(c.sources, i, 1));
  }
  return { ...header, occupancy, computeLoad, occupancyIngest, computeIngest };
}
