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

/** `GET /api/v1/history?building=ID&metric=NAME&from=ISO&to=ISO` */
export interface HistoryResponse {
  building: string;
  metric: LiveMetric;
  from: string;
  to: string;
  resolution: 'minute';
  points: HistoryPoint[];
}

/** `GET /api/v1/history/district?at=ISO`: every building with a value at that minute (others are left out). */
export interface DistrictMinuteResponse {
  /** Start of the minute that `at` falls in, ISO. */
  minute: string;
  datasetVersion: number;
  buildings: Array<{ id: string; metrics: Partial<Record<LiveMetric, { value: number; source: ValueSource }>> }>;
  pools: Array<Omit<PoolState, 'tsMs'>>;
}

export const HISTORY_MAX_RANGE_DAYS = 31;

const required = (name: string, what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? `${name} is required: ${what}` : `${name} must be ${what}`;
const isoParam = (name: string) => z.iso.datetime({ offset: true, error: required(name, 'an ISO-8601 time with a zone, e.g. 2026-11-28T10:00:00+08:00') });

export const HistoryQuery = z
  .object({
    building: z.string({ error: required('building', 'a building id') }).min(1, 'building must be a building id'),
    metric: z.enum(LIVE_METRICS, { error: required('metric', `one of ${LIVE_METRICS.join(', ')}`) }),
    from: isoParam('from'),
    to: isoParam('to'),
  })
  .superRefine((q, ctx) => {
    // Zod runs this even when a field failed: compare only two valid times.
    if (!isoParam('from').safeParse(q.from).success || !isoParam('to').safeParse(q.to).success) return;
    const span = Date.parse(q.to) - Date.parse(q.from);
    if (span < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must not be before from' });
    if (span > HISTORY_MAX_RANGE_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `from..to may span at most ${HISTORY_MAX_RANGE_DAYS} days` });
  });
export type HistoryQuery = z.infer<typeof HistoryQuery>;

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
