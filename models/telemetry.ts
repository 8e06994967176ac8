/**
 * Ingest: what real feeds may push (`POST /api/v1/telemetry`, and the `/ingest` Socket.IO namespace).
 * The shape is static; whether an id exists and whether a timestamp is too far in the future depend on the
 * running server, so `makeTelemetryBatchSchema` closes over them. Unknown fields are rejected everywhere.
 */
import { z } from 'zod';

/** ISO-8601 with an explicit zone (`Z` or `+08:00`); a local time without a zone is ambiguous and refused. */
const Timestamp = z.iso.datetime({ offset: true, message: 'ts must be ISO-8601 with a zone, e.g. 2026-11-28T10:00:00+08:00' });
const Ratio = z.number().finite().min(0, 'a ratio is between 0 and 1').max(1, 'a ratio is between 0 and 1');
const Count = z.number().int().min(0);
const Pflops = z.number().finite().min(0);

export const BuildingReading = z.strictObject({
  kind: z.literal('building'),
  buildingId: z.string().min(1),
  ts: Timestamp,
  occupancy: Ratio.optional(),
  peopleCount: Count.optional(),
  computeLoad: Ratio.optional(),
});

export const SupplierReading = z.strictObject({
  kind: z.literal('supplier'),
  supplierId: z.string().min(1),
  ts: Timestamp,
  capacityPflops: Pflops,
  allocatedPflops: Pflops,
  usedPflops: Pflops,
});

export const CompanyReading = z.strictObject({
  kind: z.literal('company'),
  companyId: z.string().min(1),
  ts: Timestamp,
  headcount: Count.optional(),
  registeredModels: Count.optional(),
  /** The building the company is in; `null` when it has moved out of the district. */
  buildingId: z.string().min(1).nullable().optional(),
});

export const Reading = z.discriminatedUnion('kind', [BuildingReading, SupplierReading, CompanyReading]);
export type BuildingReading = z.infer<typeof BuildingReading>;
export type SupplierReading = z.infer<typeof SupplierReading>;
export type CompanyReading = z.infer<typeof CompanyReading>;
export type Reading = z.infer<typeof Reading>;

export const MAX_READINGS_PER_BATCH = 10_000;

export const TelemetryBatch = z.strictObject({
  readings: z.array(Reading).min(1, 'a batch holds at least one reading').max(MAX_READINGS_PER_BATCH),
});
export type TelemetryBatch = z.infer<typeof TelemetryBatch>;

export interface TelemetryContext {
  buildingIds: ReadonlySet<string>;
  supplierIds: ReadonlySet<string>;
  companyIds: ReadonlySet<string>;
  now: () => number;
  /** How far in the future a timestamp may lie (clock skew between a device and the server). */
  maxFutureSkewMs: number;
}

/** The batch schema with the checks that need the running district: ids exist, times not in the future. */
export function makeTelemetryBatchSchema(ctx: TelemetryContext) {
  return TelemetryBatch.superRefine((batch, issue) => {
    const limit = ctx.now() + ctx.maxFutureSkewMs;
    batch.readings.forEach((r, i) => {
      const at = (field: string) => ['readings', i, field];
      if (Date.parse(r.ts) > limit) issue.addIssue({ code: 'custom', path: at('ts'), message: `ts ${r.ts} lies in the future (more than ${ctx.maxFutureSkewMs / 1000} s ahead of the server clock)` });
      if (r.kind === 'building') {
        if (!ctx.buildingIds.has(r.buildingId)) issue.addIssue({ code: 'custom', path: at('buildingId'), message: `unknown building "${r.buildingId}"` });
        if (r.occupancy === undefined && r.peopleCount === undefined && r.computeLoad === undefined)
          issue.addIssue({ code: 'custom', path: ['readings', i], message: 'a building reading needs occupancy, peopleCount or computeLoad' });
        if (r.occupancy !== undefined && r.peopleCount !== undefined)
          issue.addIssue({ code: 'custom', path: at('peopleCount'), message: 'give occupancy or peopleCount, not both' });
      } else if (r.kind === 'supplier') {
        if (!ctx.supplierIds.has(r.supplierId)) issue.addIssue({ code: 'custom', path: at('supplierId'), message: `unknown supplier "${r.supplierId}"` });
        if (r.allocatedPflops > r.capacityPflops) issue.addIssue({ code: 'custom', path: at('allocatedPflops'), message: 'allocatedPflops exceeds capacityPflops' });
        if (r.usedPflops > r.allocatedPflops) issue.addIssue({ code: 'custom', path: at('usedPflops'), message: 'usedPflops exceeds allocatedPflops' });
      } else {
        if (!ctx.companyIds.has(r.companyId)) issue.addIssue({ code: 'custom', path: at('companyId'), message: `unknown company "${r.companyId}"` });
        if (r.buildingId && !ctx.buildingIds.has(r.buildingId)) issue.addIssue({ code: 'custom', path: at('buildingId'), message: `unknown building "${r.buildingId}"` });
        if (r.headcount === undefined && r.registeredModels === undefined && r.buildingId === undefined)
          issue.addIssue({ code: 'custom', path: ['readings', i], message: 'a company update needs headcount, registeredModels or buildingId' });
      }
    });
    batchConflicts(batch.readings, (path, message) => issue.addIssue({ code: 'custom', path, message }));
  });
}

/** The fields a reading may carry, each of which is one stored fact under the key (entity, field, ts). */
const FACT_FIELDS = ['occupancy', 'peopleCount', 'computeLoad', 'capacityPflops', 'allocatedPflops', 'usedPflops', 'headcount', 'registeredModels', 'buildingId'] as const;

/**
 * Two readings in one batch that disagree about the same thing (same entity, field and instant, different values)
 * are refused, naming both; the same thing said twice is fine (stored once). A building's occupancy and peopleCount
 * are two ways of saying one thing, so a batch may not give both for the same building and instant either.
 */
function batchConflicts(readings: readonly Reading[], add: (path: Array<string | number>, message: string) => void): void {
  const seen = new Map<string, { index: number; value: unknown }>();
  readings.forEach((r, i) => {
    const tsMs = Date.parse(r.ts);
    if (Number.isNaN(tsMs)) return;
    const id = r.kind === 'building' ? r.buildingId : r.kind === 'supplier' ? r.supplierId : r.companyId;
    const rec = r as unknown as Record<string, unknown>;
    for (const field of FACT_FIELDS) {
      if (field === 'buildingId' && r.kind !== 'company') continue;
      const value = rec[field];
      if (value === undefined) continue;
      const fact = r.kind === 'building' && field === 'peopleCount' ? 'occupancy' : field;
      const key = `${r.kind}\u0000${id}\u0000${fact}\u0000${tsMs}`;
      const first = seen.get(key);
      if (!first) seen.set(key, { index: i, value: field === fact ? value : { peopleCount: value } });
      else if (JSON.stringify(first.value) !== JSON.stringify(field === fact ? value : { peopleCount: value }))
        add(['readings', i, field], `readings.${first.index} and readings.${i} disagree about ${field === fact ? field : 'occupancy'} of ${r.kind} "${id}" at ${r.ts} (${JSON.stringify(first.value)} vs ${JSON.stringify(value)}); send one value per thing and instant`);
    }
  });
}

/** One problem with a request, as every 400 lists them. */
export interface InputIssue {
  /** Dotted path into the payload, e.g. `readings.3.ts`; empty for the payload as a whole. */
  path: string;
  message: string;
}

export function toInputIssues(error: z.ZodError): InputIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

export interface IngestAccepted {
  /** Readings in the batch. */
  received: number;
  /** Readings with at least one newly stored field (a field already stored — same entity, field, ts and value — is not stored again). */
  stored: number;
  /** Readings that became the current value (an older reading never replaces a newer one). */
  applied: number;
}
