/** Shapes of the REST responses and of the live state, shared by server, client and tests. */
import { z } from 'zod';
import { LIVE_METRICS, type LiveMetric, type ValueSource } from './metrics.ts';
import type { InputIssue } from './telemetry.ts';

export const SIMULATOR_MODES = ['on', 'off', 'fill'] as const;
export type SimulatorMode = (typeof SIMULATOR_MODES)[number];

export interface SimulatorInfo {
  mode: SimulatorMode;
  seed: number;
  /** Simulated time runs this many times faster than the wall clock. */
  speed: number;
}

/** A current value with where it came from and the time it describes. */
export interface SourcedValue {
  value: number | null;
  /** ISO time the value describes; null when there has never been a value. */
  ts: string | null;
  source: ValueSource | null;
  /** Older than STALE_AFTER_S (or never set): shown grey, not in its last colour. */
  stale: boolean;
}

export interface BuildingState {
  id: string;
  metrics: Record<LiveMetric, SourcedValue>;
}

export interface PoolState {
  supplierId: string;
  capacityPflops: number;
  allocatedPflops: number;
  usedPflops: number;
  tsMs: number;
  source: ValueSource;
}

export interface CompanyState {
  companyId: string;
  /** null when the company has moved out. */
  buildingId: string | null;
  headcount: number;
  registeredModels: number;
  tsMs: number;
  source: ValueSource | 'data';
}

export interface StateResponse {
  datasetVersion: number;
  serverTime: string;
  /** The district clock: the time the latest simulated values describe. */
  districtTime: string;
  staleAfterS: number;
  simulator: SimulatorInfo;
  buildings: BuildingState[];
  suppliers: PoolState[];
  companies: CompanyState[];
}

export interface HealthResponse {
  /** `degraded` while the server runs but cannot do all of its job (e.g. history cannot be written); `reasons` say why. */
  status: 'ok' | 'degraded';
  reasons: string[];
  uptimeS: number;
  datasetVersion: number;
  buildings: number;
  clients: number;
  simulator: SimulatorInfo;
}

export interface ErrorResponse {
  error: string;
  issues?: InputIssue[];
}

/** Socket acknowledgement: the data, or what was wrong (and, when refused for rate, when to retry). */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: string; issues?: InputIssue[]; retryAfterS?: number };

/** One minute of a building metric: the mean of the readings (or of the live value) in that minute. */
export interface HistoryPoint {
  /** Start of the minute, ISO. */
  ts: string;
  value: number;
  /** `ingest` when any real reading fed the minute, else `simulated`. */
  source: ValueSource;
}

/** One building's points in a history response. */
export interface HistorySeries {
  building: string;
  points: HistoryPoint[];
}

/**
 * `GET /api/v1/history?building=ID[,ID…]&metric=NAME&from=ISO&to=ISO[&points=N]`. Any range comes back in at most
 * `points` (≤ HISTORY_MAX_POINTS) points per building: minutes are averaged into buckets of `bucketMinutes` minutes
 * (1 = minute by minute, `resolution: 'minute'`). `building` and `points` describe the first building requested
 * (compatible with the single-building response); `series` holds every building requested, in order.
 */
export interface HistoryResponse {
  building: string;
  metric: LiveMetric;
  from: string;
  to: string;
  resolution: 'minute' | 'bucket';
  /** Minutes averaged into each point; a point's `ts` is the start of its bucket. */
  bucketMinutes: number;
  points: HistoryPoint[];
  series: HistorySeries[];
}

/**
 * `GET /api/v1/history/cluster?cluster=ID&metric=NAME&from=ISO&to=ISO[&points=N]`: a cluster's mean, weighted by
 * design capacity (occupancy) or by the compute allocated to the building's tenants (computeLoad), per bucket.
 */
export interface ClusterHistoryResponse {
  cluster: string;
  metric: LiveMetric;
  weighting: 'capacityPeople' | 'allocatedPflops';
  /** Buildings of the cluster that carry weight (capacity or allocated compute above 0). */
  buildings: number;
  from: string;
  to: string;
  bucketMinutes: number;
  points: HistoryPoint[];
}

/** `GET /api/v1/history/pool?supplier=ID&from=ISO&to=ISO[&points=N]`: one supplier pool, minute means per bucket. */
export interface PoolHistoryResponse {
  supplier: string;
  from: string;
  to: string;
  bucketMinutes: number;
  points: Array<{ ts: string; capacityPflops: number; allocatedPflops: number; usedPflops: number; source: ValueSource }>;
}

/**
 * `GET /api/v1/capacity?team=N[&clusters=a,b]`: buildings whose design capacity minus their usual peak (the 90th
 * percentile of per-minute occupancy over the last 7 days of history) leaves room for `team` people, most room
 * first; and the free compute (capacity − allocated) of every supplier pool now.
 */
export interface CapacityResponse {
  team: number;
  basis: { percentile: 90; days: 7 };
  buildings: Array<{ id: string; capacityPeople: number; peakPeople: number; freePeople: number; source: 'simulated' | 'ingest' | 'mixed' }>;
  pools: Array<{ supplierId: string; freePflops: number; capacityPflops: number; source: 'simulated' | 'ingest' }>;
  generatedAt: string;
}

/** `GET /api/v1/history/district?at=ISO`: every building with a value at that minute (others are left out). */
export interface DistrictMinuteResponse {
  /** Start of the minute that `at` falls in, ISO. */
  minute: string;
  datasetVersion: number;
  buildings: Array<{ id: string; metrics: Partial<Record<LiveMetric, { value: number; source: ValueSource }>> }>;
  pools: Array<Omit<PoolState, 'tsMs'>>;
}

/** Longest from..to of one history request (any retention up to a year is readable in one request, downsampled). */
export const HISTORY_MAX_RANGE_DAYS = 366;
/** Most points per series in a history response. */
export const HISTORY_MAX_POINTS = 1000;
/** Most buildings in one `GET /api/v1/history`. */
export const HISTORY_MAX_BUILDINGS = 20;

const required = (name: string, what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? `${name} is required: ${what}` : `${name} must be ${what}`;
const isoParam = (name: string) => z.iso.datetime({ offset: true, error: required(name, 'an ISO-8601 time with a zone, e.g. 2026-11-28T10:00:00+08:00') });
const idList = (name: string, what: string, max: number) =>
  z
    .string({ error: required(name, `${what}, or several separated by commas`) })
    .min(1, `${name} must be ${what}`)
    .transform((v) => v.split(',').map((s) => s.trim()))
    .pipe(z.array(z.string().min(1, `${name} must not hold an empty id`)).max(max, `${name} may list at most ${max} ids`));
const pointsParam = z.coerce
  .number({ error: `points must be a whole number from 2 to ${HISTORY_MAX_POINTS}` })
  .int(`points must be a whole number from 2 to ${HISTORY_MAX_POINTS}`)
  .min(2, `points must be a whole number from 2 to ${HISTORY_MAX_POINTS}`)
  .max(HISTORY_MAX_POINTS, `points must be a whole number from 2 to ${HISTORY_MAX_POINTS}`)
  .default(HISTORY_MAX_POINTS);
const metricParam = z.enum(LIVE_METRICS, { error: required('metric', `one of ${LIVE_METRICS.join(', ')}`) });

const range = <T extends { from: string; to: string }>(q: T, ctx: z.RefinementCtx) => {
  // Zod runs this even when a field failed: compare only two valid times.
  if (!isoParam('from').safeParse(q.from).success || !isoParam('to').safeParse(q.to).success) return;
  const span = Date.parse(q.to) - Date.parse(q.from);
  if (span < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must not be before from' });
  if (span > HISTORY_MAX_RANGE_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `from..to may span at most ${HISTORY_MAX_RANGE_DAYS} days` });
};

export const HistoryQuery = z
  .object({
    building: idList('building', 'a building id', HISTORY_MAX_BUILDINGS),
    metric: metricParam,
    from: isoParam('from'),
    to: isoParam('to'),
    points: pointsParam,
  })
  .superRefine(range);
export type HistoryQuery = z.infer<typeof HistoryQuery>;

export const ClusterHistoryQuery = z
  .object({
    cluster: z.string({ error: required('cluster', 'a cluster id') }).min(1, 'cluster must be a cluster id'),
    metric: metricParam,
    from: isoParam('from'),
    to: isoParam('to'),
    points: pointsParam,
  })
  .superRefine(range);
export type ClusterHistoryQuery = z.infer<typeof ClusterHistoryQuery>;

export const PoolHistoryQuery = z
  .object({
    supplier: z.string({ error: required('supplier', 'a supplier id') }).min(1, 'supplier must be a supplier id'),
    from: isoParam('from'),
    to: isoParam('to'),
    points: pointsParam,
  })
  .superRefine(range);
export type PoolHistoryQuery = z.infer<typeof PoolHistoryQuery>;

export const CapacityQuery = z.object({
  team: z.coerce
    .number({ error: (i) => (i.input === undefined ? 'team is required: the number of people to seat' : 'team must be a whole number of people') })
    .int('team must be a whole number of people')
    .min(1, 'team must be at least 1')
    .max(100_000, 'team must be at most 100000'),
  clusters: idList('clusters', 'a cluster id', 6).optional(),
});
export type CapacityQuery = z.infer<typeof CapacityQuery>;

/** `GET /api/v1/history/district?at=ISO` and the `history:minute` socket request. */
export const DistrictMinuteQuery = z.object({ at: isoParam('at') });
export type DistrictMinuteQuery = z.infer<typeof DistrictMinuteQuery>;

/**
 * `GET /api/v1/capacity?team=N&clusters=a,b`: buildings ranked by room for a team of N (capacity minus the building's
 * usual peak, the 90th percentile of occupancy over the last 7 days), and the free compute of the nine suppliers' pools.
 */
export interface CapacityResponse {
  team: number;
  basis: { percentile: 90; days: 7 };
  buildings: Array<{
    id: string;
    capacityPeople: number;
    peakPeople: number;
    freePeople: number;
    source: 'simulated' | 'ingest' | 'mixed';
  }>;
  pools: Array<{ supplierId: string; freePflops: number; capacityPflops: number; source: 'simulated' | 'ingest' }>;
  generatedAt: string;
}

/** `GET /api/v1/build`: the id of the client build the server serves (dist/client/build.json); null without one (dev). */
export interface BuildResponse {
  buildId: string | null;
}

/**
 * `GET /api/v1/district` query: `footprints=omit` leaves out the buildings' footprints (the district worker takes them
 * from `/api/v1/district/footprints`, models/footprints.codec.ts); the default is the whole district.
 */
export const DistrictQuery = z.strictObject({
  footprints: z.enum(['include', 'omit'], { error: 'footprints is include or omit' }).optional(),
});
export type DistrictQuery = z.infer<typeof DistrictQuery>;

/** `GET /api/v1/district/footprints` takes no parameters (an unknown one is refused rather than ignored). */
export const DistrictFootprintsQuery = z.strictObject({});
