import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  decodeHeader,
  encodeFrame,
  FRAME_HEADER_BYTES,
  FRAME_KIND,
  FrameError,
  frameBytes,
  NOT_APPLICABLE,
  Q_MAX,
  Q_NA,
  Q_NONE,
  quantise,
} from '@models/frame.codec.ts';

function values(occupancy: number[], computeLoad: number[], occIngest: number[] = [], cmpIngest: number[] = []) {
  return { occupancy, computeLoad, occupancyIngest: occIngest, computeIngest: cmpIngest };
}

describe('frame codec', () => {
  it('round-trips values within half a quantisation step, with the header intact', () => {
    const occ = [0, 0.004, 0.5, 0.999, 1, 0.123456];
    const cmp = [1, 0.25, 0.75, 0.33, 0.002, 0.9];
    const bytes = encodeFrame({ kind: FRAME_KIND.live, datasetVersion: 0xdeadbeef, seq: 42, tsMs: 1_764_300_000_123 }, values(occ, cmp, [1, 0, 0, 1, 0, 1], [0, 1, 1, 0, 0, 1]));
    const f = decodeFrame(bytes);
    expect(f).toMatchObject({ kind: FRAME_KIND.live, datasetVersion: 0xdeadbeef, seq: 42, tsMs: 1_764_300_000_123, count: 6 });
    occ.forEach((v, i) => expect(Math.abs(f.occupancy[i]! - v)).toBeLessThanOrEqual(0.5 / Q_MAX + 1e-9));
    cmp.forEach((v, i) => expect(Math.abs(f.computeLoad[i]! - v)).toBeLessThanOrEqual(0.5 / Q_MAX + 1e-9));
    expect(f.occupancyIngest).toEqual([true, false, false, true, false, true]);
    expect(f.computeIngest).toEqual([false, true, true, false, false, true]);
  });

  it('keeps "no fresh value" and "not applicable" apart from real values', () => {
    const f = decodeFrame(encodeFrame({ kind: FRAME_KIND.replay, datasetVersion: 1, seq: 0, tsMs: 0 }, values([NaN, 0, NOT_APPLICABLE], [NOT_APPLICABLE, NaN, 1])));
    expect(f.kind).toBe(FRAME_KIND.replay);
    expect(Number.isNaN(f.occupancy[0])).toBe(true);
    expect(f.occupancy[1]).toBe(0);
    expect(f.occupancy[2]).toBe(NOT_APPLICABLE);
    expect(f.computeLoad[0]).toBe(NOT_APPLICABLE);
    expect(Number.isNaN(f.computeLoad[1])).toBe(true);
    expect(f.computeLoad[2]).toBe(1);
  });

  it('clamps out-of-range ratios instead of wrapping into the reserved codes', () => {
    expect(quantise(1.7)).toBe(Q_MAX);
    expect(quantise(-0.2)).toBe(0);
    expect(quantise(NaN)).toBe(Q_NONE);
    expect(quantise(NOT_APPLICABLE)).toBe(Q_NA);
  });

  it('costs 2.25 bytes per building plus the header', () => {
    expect(frameBytes(10_000)).toBe(FRAME_HEADER_BYTES + 22_500);
    expect(frameBytes(0)).toBe(FRAME_HEADER_BYTES);
    expect(frameBytes(5)).toBe(FRAME_HEADER_BYTES + 10 + 2);
    const n = 10_001; // not a multiple of 4: the last source byte is partial
    const occ = Array.from({ length: n }, (_, i) => (i % 251) / 250);
    const ing = Array.from({ length: n }, (_, i) => (i === n - 1 ? 1 : 0));
    const f = decodeFrame(encodeFrame({ kind: FRAME_KIND.live, datasetVersion: 1, seq: 1, tsMs: 1 }, values(occ, occ, ing, ing)));
    expect(f.occupancyIngest[n - 1]).toBe(true);
    expect(f.occupancyIngest[n - 2]).toBe(false);
    expect(f.occupancy[250]).toBe(1);
  });

  it('encodes into a reused buffer and decodes from a view with an offset', () => {
    const buf = new Uint8Array(frameBytes(3) + 8);
    encodeFrame({ kind: FRAME_KIND.live, datasetVersion: 7, seq: 9, tsMs: 5 }, values([0.2, 0.4, 0.6], [0.1, 0.2, 0.3]), buf.subarray(8));
    const f = decodeFrame(buf.subarray(8));
    expect(f.seq).toBe(9);
    expect(f.occupancy[2]).toBeCloseTo(0.6, 2);
  });

  it('rejects frames that are truncated, foreign or from another codec version', () => {
    const good = encodeFrame({ kind: FRAME_KIND.live, datasetVersion: 1, seq: 1, tsMs: 1 }, values([0.1, 0.2], [0.3, 0.4]));
    expect(() => decodeHeader(good.subarray(0, 10))).toThrow(FrameError);
    expect(() => decodeHeader(good.subarray(0, good.length - 1))).toThrow(/truncated/);
    const foreign = good.slice();
    foreign[0] = 0;
    expect(() => decodeHeader(foreign)).toThrow(/magic/);
    const future = good.slice();
    future[1] = 99;
    expect(() => decodeHeader(future)).toThrow(/version 99/);
  });
});
