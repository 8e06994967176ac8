/**
 * A large ingest batch is validated a slice per turn of the event loop (issue 9: no stall over 10 ms): the verdict
 * must be exactly the one-call schema's — same data, same issues, same order — whatever is wrong with the batch.
 */
import { describe, expect, it } from 'vitest';
import { makeTelemetryBatchSchema, parseTelemetryBatchInTurns, READINGS_PER_TURN, toInputIssues, type TelemetryContext } from '../../models/telemetry.ts';

const NOW = Date.parse('2026-11-28T02:00:00Z');
const ctx: TelemetryContext = {
  buildingIds: new Set(['b1', 'b2', 'b3']),
  supplierIds: new Set(['s1']),
  companyIds: new Set(['c1']),
  now: () => NOW,
  maxFutureSkewMs: 300_000,
};
const schema = makeTelemetryBatchSchema(ctx);
const N = READINGS_PER_TURN * 2 + 500;
const iso = (ms: number) => new Date(ms).toISOString();
const good = (): Array<Record<string, unknown>> =>
  Array.from({ length: N }, (_, i) =>
    i % 50 === 7
      ? { kind: 'supplier', supplierId: 's1', ts: iso(NOW - i * 1000), capacityPflops: 10, allocatedPflops: 8, usedPflops: 5 }
      : i % 50 === 9
        ? { kind: 'company', companyId: 'c1', ts: iso(NOW - i * 1000), headcount: i }
        : { kind: 'building', buildingId: `b${(i % 3) + 1}`, ts: iso(NOW - i * 1000), occupancy: (i % 100) / 100 },
  );

async function both(input: unknown) {
  let turns = 0;
  const inTurns = await parseTelemetryBatchInTurns(ctx, schema, input, async () => void turns++);
  const once = schema.safeParse(input);
  return { inTurns, once: once.success ? { success: true as const, data: once.data } : { success: false as const, issues: toInputIssues(once.error) }, turns };
}

describe('parseTelemetryBatchInTurns', () => {
  it('should accept a large good batch with the same data as the schema, over several turns', async () => {
    const { inTurns, once, turns } = await both({ readings: good() });
    expect(once.success).toBe(true);
    expect(inTurns).toEqual(once);
    expect(turns).toBeGreaterThanOrEqual(Math.ceil(N / READINGS_PER_TURN));
  });

  it('should report the same shape problems, with their paths in the whole batch', async () => {
    const readings = good();
    readings[1500] = { ...readings[1500], occupancy: 2 };
    readings[2400] = { kind: 'building', buildingId: 'b1', ts: 'yesterday', occupancy: 0.5, colour: 'red' };
    readings[30] = { kind: 'lamp', ts: iso(NOW) };
    const { inTurns, once } = await both({ readings });
    expect(once.success).toBe(false);
    expect(inTurns).toEqual(once);
    expect(inTurns.success === false && inTurns.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['readings.1500.occupancy', 'readings.2400.ts']));
  });

  it('should report the same district problems and disagreements within the batch, in the same order', async () => {
    const readings = good();
    readings[1200] = { ...readings[1200], kind: 'building', buildingId: 'nowhere', occupancy: 0.1 };
    readings[2100] = { ...readings[2100], ts: iso(NOW + 3_600_000) };
    readings[2300] = { ...readings[10], occupancy: 0.99 }; // same building and instant as readings.10, another value
    readings[1700] = { kind: 'building', buildingId: 'b2', ts: iso(NOW) };
    const { inTurns, once } = await both({ readings });
    expect(once.success).toBe(false);
    expect(inTurns).toEqual(once);
    expect(inTurns.success === false && inTurns.issues.length).toBe(4);
  });

  it('should give the schema’s answer for a wrong envelope and a small batch', async () => {
    for (const input of [null, { readings: [] }, { readings: good(), extra: 1 }, { readings: good().slice(0, 5) }, { readings: [...good(), ...good(), ...good(), ...good()] }]) {
      const { inTurns, once } = await both(input);
      expect(inTurns).toEqual(once);
    }
  });
});
