/**
 * The binary snapshot (`district:snapshot`): encoded once per tick for every client that connects in it, instead of a
 * JSON object serialised per socket. The pools and the companies travel as UTF-8 JSON (the companies part is cached
 * until a company changes), the frame as its binary self.
 *
 *   offset   type        field
 *   0        u8          magic 0x53 ('S')
 *   1        u8          codec version (SNAPSHOT_VERSION)
 *   2        u16         reserved (0)
 *   4        u32         H: byte length of the header JSON
 *   8        u32         C: byte length of the companies JSON
 *   12       u8[H]       header JSON: {protocol, datasetVersion, serverTimeMs, tickMs, staleAfterS, simulator, pools}
 *   12+H     u8[C]       companies JSON: CompanyState[]
 *   12+H+C   …           the frame (frame.codec.ts), to the end
 * Multi-byte fields little-endian.
 */
import type { Snapshot } from './events.ts';

export const SNAPSHOT_MAGIC = 0x53;
export const SNAPSHOT_VERSION = 1;
const PREFIX = 12;

export class SnapshotError extends Error {}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The JSON parts of a snapshot, as `encodeSnapshot` takes them (the companies part pre-encoded, as it changes rarely). */
export type SnapshotHeader = Omit<Snapshot, 'frame' | 'companies'>;

export function encodeCompanies(companies: Snapshot['companies']): Uint8Array {
  return encoder.encode(JSON.stringify(companies));
}

export function encodeSnapshot(header: SnapshotHeader, companiesJson: Uint8Array, frame: Uint8Array): Uint8Array {
  const head = encoder.encode(JSON.stringify(header));
  const out = new Uint8Array(PREFIX + head.length + companiesJson.length + frame.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, SNAPSHOT_MAGIC);
  view.setUint8(1, SNAPSHOT_VERSION);
  view.setUint32(4, head.length, true);
  view.setUint32(8, companiesJson.length, true);
  out.set(head, PREFIX);
  out.set(companiesJson, PREFIX + head.length);
  out.set(frame, PREFIX + head.length + companiesJson.length);
  return out;
}

export function decodeSnapshot(data: ArrayBuffer | ArrayBufferView): Snapshot {
  const bytes = data instanceof Uint8Array ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
  if (bytes.length < PREFIX) throw new SnapshotError(`snapshot too short: ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== SNAPSHOT_MAGIC) throw new SnapshotError('not a West Bund snapshot (bad magic byte)');
  const version = view.getUint8(1);
  if (version !== SNAPSHOT_VERSION) throw new SnapshotError(`snapshot codec version ${version}, expected ${SNAPSHOT_VERSION}`);
  const h = view.getUint32(4, true);
  const c = view.getUint32(8, true);
  if (bytes.length < PREFIX + h + c) throw new SnapshotError(`snapshot truncated: ${bytes.length} < ${PREFIX + h + c} bytes`);
  const header = JSON.parse(decoder.decode(bytes.subarray(PREFIX, PREFIX + h))) as SnapshotHeader;
  const companies = JSON.parse(decoder.decode(bytes.subarray(PREFIX + h, PREFIX + h + c))) as Snapshot['companies'];
  // A copy, so the frame owns its bytes (the client keeps it; the snapshot buffer can go).
  const frame = bytes.slice(PREFIX + h + c);
  return { ...header, companies, frame };
}
