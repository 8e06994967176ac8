import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FRAME_KIND } from '@models/frame.codec.ts';
import { decodeSnapshot, encodeCompanies, encodeSnapshot, SnapshotError } from '@models/snapshot.codec.ts';
import type { CompanyState, PoolState } from '@models/api.ts';

const pools: PoolState[] = [{ supplierId: 'sensetime', capacityPflops: 1000, allocatedPflops: 800, usedPflops: 650.25, tsMs: 5, source: 'ingest' }];
const companies: CompanyState[] = [
  { companyId: 'a', buildingId: 'tower', headcount: 12, registeredModels: 1, tsMs: 0, source: 'data' },
  { companyId: '模速', buildingId: null, headcount: 3, registeredModels: 0, tsMs: 9, source: 'simulated' },
];
const header = { protocol: 2 as const, datasetVersion: 0xdeadbeef, serverTimeMs: 1_700_000_000_123, tickMs: 1000, staleAfterS: 120, historyDays: 7, simulator: { mode: 'fill' as const, seed: 1, speed: 1 }, pools };

describe('snapshot codec', () => {
  it('should round-trip the header, pools, companies (UTF-8) and the frame bytes', () => {
    const frame = encodeFrame({ kind: FRAME_KIND.live, datasetVersion: 0xdeadbeef, seq: 41, tsMs: 123 }, { occupancy: [0.5, NaN, 1], computeLoad: [-1, 0.2, 0], occupancyIngest: [1, 0, 0], computeIngest: [0, 0, 1] });
    const bytes = encodeSnapshot(header, encodeCompanies(companies), frame);
    // what a browser gets: an ArrayBuffer
    const back = decodeSnapshot(new Uint8Array(bytes).buffer);
    expect(back).toEqual({ ...header, companies, frame: expect.any(Uint8Array) });
    expect([...(back.frame as Uint8Array)]).toEqual([...frame]);
    expect(decodeFrame(back.frame as Uint8Array).seq).toBe(41);
  });

  it('should refuse bytes that are not a snapshot, or are cut short', () => {
    const bytes = encodeSnapshot(header, encodeCompanies(companies), new Uint8Array(30));
    expect(() => decodeSnapshot(new Uint8Array([0x57, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(SnapshotError);
    expect(() => decodeSnapshot(bytes.subarray(0, 40))).toThrow(/truncated/);
  });
});
