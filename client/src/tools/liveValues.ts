/**
 * What the planner's tools read of the live (or replayed) picture: the quantised columns of a frame
 * (models/frame.codec.ts: 0..Q_MAX, Q_NA, Q_NONE), their source bits, the tenants' headcount per building and the
 * time the values describe. The store's `live` buffer has exactly these fields, so it can be passed as it is; a
 * replayed minute can be passed in the same shape. Tools never import the store.
 */
export interface LiveValues {
  /** Quantised occupancy by building index. */
  occupancyQ: Uint8Array;
  /** Quantised compute load by building index. */
  computeQ: Uint8Array;
  /** Source bits, 2 per building, as in the frame (bit 0 occupancy from ingest, bit 1 compute load from ingest). */
  sources: Uint8Array;
  /** Tenants' headcount by building index. */
  headcount: Float64Array;
  /** Whether any frame has been applied. */
  hasFrame: boolean;
  /** Time the values describe, ms since epoch. */
  tsMs: number;
}
