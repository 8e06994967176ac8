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
    const add = (path: Array<string | number>, message: string) => issue.addIssue({ code: 'custom', path, message });
    batch.readings.forEach((r, i) => readingIssues(ctx, limit, r, i, add));
    const conflicts = batchConflicts();
    batch.readings.forEach((r, i) => conflicts(r, i, add));
  });
}

type AddIssue = (path: Array<string | number>, message: string) => void;

/** What the running district says about one reading (ids exist, time not in the future, fields that go together). */
function readingIssues(ctx: TelemetryContext, limit: number, r: Reading, i: number, add: AddIssue): void {
  const at = (field: string) => ['readings', i, field];
  if (Date.parse(r.ts) > limit) add(at('ts'), `ts ${r.ts} lies in the future (more than ${ctx.maxFutureSkewMs / 1000} s ahead of the server clock)`);
  if (r.kind === 'building') {
    if (!ctx.buildingIds.has(r.buildingId)) add(at('buildingId'), `unknown building "${r.buildingId}"`);
    if (r.occupancy === undefined && r.peopleCount === undefined && r.computeLoad === undefined) add(['readings', i], 'a building reading needs occupancy, peopleCount or computeLoad');
    if (r.occupancy !== undefined && r.peopleCount !== undefined) add(at('peopleCount'), 'give occupancy or peopleCount, not both');
  } else if (r.kind === 'supplier') {
    if (!ctx.supplierIds.has(r.supplierId)) add(at('supplierId'), `unknown supplier "${r.supplierId}"`);
    if (r.allocatedPflops > r.capacityPflops) add(at('allocatedPflops'), 'allocatedPflops exceeds capacityPflops');
    if (r.usedPflops > r.allocatedPflops) add(at('usedPflops'), 'usedPflops exceeds allocatedPflops');
  } else {
    if (!ctx.companyIds.has(r.companyId)) add(at('companyId'), `unknown company "${r.companyId}"`);
    if (r.buildingId && !ctx.buildingIds.has(r.buildingId)) add(at('buildingId'), `unknown building "${r.buildingId}"`);
    if (r.headcount === undefined && r.registeredModels === undefined && r.buildingId === undefined)
      add(['readings', i], 'a company update needs headcount, registeredModels or buildingId');
  }
}

/** Readings validated per turn of the event loop by parseTelemetryBatchInTurns (about 4 ms of zod on this machine). */
export const READINGS_PER_TURN = 1000;
const Envelope = z.strictObject({ readings: z.array(z.unknown()).min(1).max(MAX_READINGS_PER_BATCH) });
const ReadingList = z.array(Reading);

export type TelemetryBatchParse = { success: true; data: TelemetryBatch } | { success: false; issues: InputIssue[] };

/**
 * The same verdict as `schema.safeParse(input)` (same data, same issues in the same order), for a server that must not
 * hold its event loop for a whole large batch: the readings are checked READINGS_PER_TURN at a time, awaiting
 * `nextTurn` between slices. A batch that is small, or whose envelope is wrong, goes through `schema` in one call.
 */
export async function parseTelemetryBatchInTurns(ctx: TelemetryContext, schema: ReturnType<typeof makeTelemetryBatchSchema>, input: unknown, nextTurn: () => Promise<void>): Promise<TelemetryBatchParse> {
  const envelope = Envelope.safeParse(input);
  if (!envelope.success || envelope.data.readings.length <= READINGS_PER_TURN) {
    const parsed = schema.safeParse(input);
    return parsed.success ? { success: true, data: parsed.data } : { success: false, issues: toInputIssues(parsed.error) };
  }
  const raw = envelope.data.readings;
  // Shapes first, all of them (as zod does: the district's checks run only on a batch whose every reading parsed).
  const readings: Reading[] = [];
  const issues: InputIssue[] = [];
  for (let k = 0; k < raw.length; k += READINGS_PER_TURN) {
    await nextTurn();
    const part = ReadingList.safeParse(raw.slice(k, k + READINGS_PER_TURN));
    if (part.success) {
      for (const r of part.data) readings.push(r);
    } else for (const i of part.error.issues) issues.push({ path: ['readings', Number(i.path[0]) + k, ...i.path.slice(1)].map(String).join('.'), message: i.message });
  }
  if (issues.length > 0) return { success: false, issues };
  // Then the district's checks, and disagreements within the batch after them (the order the schema reports them in).
  const limit = ctx.now() + ctx.maxFutureSkewMs;
  const conflictIssues: InputIssue[] = [];
  const conflicts = batchConflicts();
  const addTo = (list: InputIssue[]) => (path: Array<string | number>, message: string) => list.push({ path: path.map(String).join('.'), message });
  const addIssue = addTo(issues);
  const addConflict = addTo(conflictIssues);
  for (let k = 0; k < readings.length; k += READINGS_PER_TURN) {
    await nextTurn();
    for (let i = k; i < Math.min(readings.length, k + READINGS_PER_TURN); i++) {
      readingIssues(ctx, limit, readings[i]!, i, addIssue);
      conflicts(readings[i]!, i, addConflict);
    }
  }
  issues.push(...conflictIssues);
  return issues.length > 0 ? { success: false, issues } : { success: true, data: { readings } };
}

/** The fields a reading may carry, each of which is one stored fact under the key (entity, field, ts). */
const FACT_FIELDS = ['occupancy', 'peopleCount', 'computeLoad', 'capacityPflops', 'allocatedPflops', 'usedPflops', 'headcount', 'registeredModels', 'buildingId'] as const;

/**
 * Two readings in one batch that disagree about the same thing (same entity, field and instant, different values)
 * are refused, naming both; the same thing said twice is fine (stored once). A building's occupancy and peopleCount
 * are two ways of saying one thing, so a batch may not give both for the same building and instant either.
 */
function batchConflicts(): (r: Reading, i: number, add: AddIssue) => void {
  const seen = new Map<string, { index: number; value: unknown }>();
  return (r, i, add) => {
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
  };
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
