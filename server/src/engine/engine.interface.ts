/**
 * The seam between the district engine (the one writer) and the gateways (HTTP, Socket.IO, fan-out). Everything the
 * engine produces leaves through `EngineOutput`; everything real that reaches it comes in through `EngineIngest`.
 * On one machine both sides live in one process and these are plain calls; across processes a transport (a Redis
 * stream) carries the same messages, which are plain data (JSON-able, frames as bytes) for that reason.
 */
import type { CompanyState, PoolState } from '@models/api.ts';
import type { DistrictEvent } from '@models/events.ts';
import type { LiveMetric } from '@models/metrics.ts';

/** What one tick produced, published after the state is updated and BEFORE any history write. */
export interface TickMessage {
  seq: number;
  /** The district clock: the time the frame's values describe. */
  districtTimeMs: number;
  /** The wall clock when the tick ran. */
  wallMs: number;
  /** The encoded live frame (models/frame.codec.ts), encoded once for everyone. Shared: do not mutate. */
  frame: Uint8Array;
  /** Every supplier pool after this tick (a handful of records); gateways decide how often to fan them out. */
  pools: PoolState[];
  /** Company records the simulator changed in this tick. */
  companies: CompanyState[];
  /** Simulated events of this tick. */
  events: DistrictEvent[];
}

/** Where the engine publishes. A gateway implements it in-process; a Redis publisher will implement it between processes. */
export interface EngineOutput {
  tick(message: TickMessage): void;
  /** Company records changed by ingest (between ticks), with the move events they caused. */
  companies(changes: CompanyState[], events: DistrictEvent[]): void;
}

/** Everything a gateway needs to start serving before the next tick arrives (and to answer a fresh snapshot). */
export interface EngineCurrent {
  seq: number;
  districtTimeMs: number;
  frame: Uint8Array;
  pools: PoolState[];
  companies: CompanyState[];
}

/**
 * Real readings that are already durable in history (the 2xx waits for that), gathered per slot: the newest reading
 * of each building metric, pool and company in a batch. `reading` is the reading's index in its batch, so the engine
 * can say how many distinct readings became current values.
 */
export interface IngestChanges {
  /** The data-set version the building indices refer to. */
  datasetVersion: number;
  metrics: Array<{ buildingIndex: number; metric: LiveMetric; value: number; tsMs: number; reading: number }>;
  pools: Array<{ pool: PoolState; reading: number }>;
  /** Full records: a partial company reading is merged onto `EngineIngest.company(id)` by the gateway. */
  companies: Array<{ company: CompanyState; reading: number }>;
}

/** How ingest reaches the engine. */
export interface EngineIngest {
  /** Apply durable readings through precedence; returns how many distinct readings became current values. */
  applyIngest(changes: IngestChanges): { applied: number };
  /** A company's current record: the base a partial company reading (only a headcount, say) is merged onto. */
  company(companyId: string): CompanyState | undefined;
}
