/** The binary district footprints (models/footprints.codec.ts): what goes in comes out; a damaged payload is refused, saying why. */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { District } from '@models/district.ts';
import { decodeFootprints, encodeFootprints, FootprintsError } from '@models/footprints.codec.ts';
import { loadDistrict } from '../../server/src/district/district.loader.ts';
import { REPO_ROOT } from '../../server/src/config.ts';

let district: District;

beforeAll(async () => {
  district = await loadDistrict(path.join(REPO_ROOT, 'data'));
});

describe('footprints codec', () => {
  it('round-trips every footprint, height, floor count and landmark flag of the real district exactly', () => {
    const f = decodeFootprints(encodeFootprints(district));
    expect(f.count).toBe(district.buildings.length);
    expect(f.datasetVersion).toBe(district.version >>> 0);
    expect(f.origin).toEqual(district.geography.origin);
    district.buildings.forEach((b, i) => {
      const ring: number[][] = [];
      for (let k = f.offsets[i]!; k < f.offsets[i + 1]!; k++) ring.push([f.coords[k * 2]!, f.coords[k * 2 + 1]!]);
      expect(ring, b.id).toEqual(b.footprint);
      expect(f.heightM[i], b.id).toBe(b.heightM);
      expect(f.floors[i], b.id).toBe(b.floors);
      expect(f.landmark[i] === 1, b.id).toBe(b.landmark);
    });
    expect(district.buildings.some((b) => b.landmark)).toBe(true);
  });

  it('reads a payload that starts at an odd offset in a larger buffer (as a network chunk may)', () => {
    const bytes = encodeFootprints(district);
    const padded = new Uint8Array(bytes.byteLength + 3);
    padded.set(bytes, 3);
    const f = decodeFootprints(padded.subarray(3));
    expect(f.count).toBe(district.buildings.length);
    expect(f.coords[f.offsets[1]! * 2 + 1]).toBe(district.buildings[1]!.footprint[0]![1]);
  });

  it('refuses a truncated payload, naming how many bytes it has and how many the header needs', () => {
    const bytes = encodeFootprints(district);
    expect(() => decodeFootprints(bytes.subarray(0, bytes.byteLength - 1))).toThrow(FootprintsError);
    expect(() => decodeFootprints(bytes.subarray(0, bytes.byteLength - 1))).toThrow(new RegExp(`truncated: ${bytes.byteLength - 1} bytes, .* needs ${bytes.byteLength}`));
    expect(() => decodeFootprints(bytes.subarray(0, 10))).toThrow(/truncated: 10 bytes, the header alone is 40/);
    expect(() => decodeFootprints(new Uint8Array(0))).toThrow(/truncated: 0 bytes/);
  });

  it('refuses what is not a footprints payload, another format, trailing bytes and footprints that do not add up', () => {
    const bytes = encodeFootprints(district);
    const json = new TextEncoder().encode(JSON.stringify({ buildings: [] }).padEnd(64, ' '));
    expect(() => decodeFootprints(json)).toThrow(/not a footprints payload \(starts "\{"bu", expected "WBFP"\)/);
    const format2 = bytes.slice();
    new DataView(format2.buffer).setUint32(4, 2, true);
    expect(() => decodeFootprints(format2)).toThrow(/format 2, this client reads format 1/);
    const longer = new Uint8Array(bytes.byteLength + 4);
    longer.set(bytes);
    expect(() => decodeFootprints(longer)).toThrow(/4 bytes after the end/);
    // building 2's footprint made empty: its offset moved onto the next building's
    const n = district.buildings.length;
    const p = district.buildings.reduce((s, b) => s + b.footprint.length, 0);
    const broken = bytes.slice();
    const offsets = new Uint32Array(broken.buffer, 40 + 16 * p + 8 * n, n + 1);
    offsets[2] = offsets[3]!;
    expect(() => decodeFootprints(broken)).toThrow(/building 2: a footprint needs at least 3 points/);
    const nan = bytes.slice();
    new Float64Array(nan.buffer, 40, 2)[1] = Number.NaN;
    expect(() => decodeFootprints(nan)).toThrow(/point 0: coordinate is not finite/);
  });
});
