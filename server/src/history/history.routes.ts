/**
 * History reads: building, cluster and pool series downsampled to a bounded number of points, the whole district at a
 * past minute (JSON, or a replay frame by socket through the live frame codec), and the capacity finder. Every read
 * is rate-limited (token buckets per socket and per client address, checked before parsing), and read through the
 * history repository: SQLite runs the SQL in reader threads (history.reader.ts), never on the event loop; PostgreSQL
 * through its connection pool. Too many reads waiting answer 429 / an ack with retryAfterS.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  CapacityQuery,
  ClusterHistoryQuery,
  DistrictMinuteQuery,
  HistoryQuery,
  PoolHistoryQuery,
  type Ack,
  type CapacityResponse,
  type ClusterHistoryResponse,
  type DistrictMinuteResponse,
  type ErrorResponse,
  type HistoryPoint,
  type HistoryResponse,
  type PoolHistoryResponse,
} from '@models/api.ts';
import type { TwinSocket } from '../gateway/gateway.ts';
import { encodeFrame, FRAME_KIND, NOT_APPLICABLE } from '@models/frame.codec.ts';
import { LIVE_METRICS } from '@models/metrics.ts';
import { toInputIssues, type InputIssue } from '@models/telemetry.ts';
import type { z } from 'zod';
import type { LiveState } from '../live/live.state.ts';
import { ReadersBusyError, type BucketRow, type DistrictMinuteRows } from './history.reader.ts';
import type { HistoryRepository } from './history.repository.ts';
import { DEFAULT_HISTORY_READ_LIMITS, TokenBuckets, type HistoryReadLimits } from './history.limits.ts';
import { CapacityFinder } from './history.capacity.ts';
import { MINUTE_MS, minuteOf, STORED_INGEST } from './history.store.ts';

/** One client address whichever transport it came by (sockets report IPv4 as IPv4-mapped IPv6). */
const addressKey = (address: string) => address.replace(/^::ffff:/, '');

const sourceName = (code: number) => (code === STORED_INGEST ? ('ingest' as const) : ('simulated' as const));

type Parsed<T> = { ok: true; value: T } | { ok: false; issues: InputIssue[] };

interface Deps {
  history: HistoryRepository;
  state: LiveState;
  now: () => number;
  limits?: Partial<HistoryReadLimits>;
}

export interface HistoryReads {
  close(): Promise<void>;
}

const badRequest = (issues: InputIssue[]): ErrorResponse => ({ error: `bad query parameters: ${[...new Set(issues.map((i) => i.path))].join(', ')}`, issues });

function parse<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.infer<S>> {
  const parsed = schema.safeParse(input);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, issues: toInputIssues(parsed.error) };
}

/** Buckets so that from..to (inclusive minutes) fits in `points` points. */
function bucketing(fromIso: string, toIso: string, points: number) {
  const from = minuteOf(Date.parse(fromIso));
  const to = minuteOf(Date.parse(toIso));
  const bucket = Math.max(1, Math.ceil((to - from + 1) / points));
  return { from, to, bucket, tsOf: (b: number) => new Date((from + b * bucket) * MINUTE_MS).toISOString() };
}

export function registerHistoryRoutes(http: FastifyInstance, onSocket: (handler: (socket: TwinSocket) => void) => void, { history, state, now, limits: given }: Deps): HistoryReads {
  const { district } = state;
  const limits = { ...DEFAULT_HISTORY_READ_LIMITS, ...given };
  const perSocket = new TokenBuckets(limits.burst, limits.perSecond);
  const perAddress = new TokenBuckets(limits.burst * 4, limits.perSecond * 4);
  const capacity = new CapacityFinder((from, to, percentile) => history.occupancyPercentile(from, to, percentile), state, now);
  const clusterIds = new Set(district.clusters.map((c) => c.id));
  const supplierIds = new Set(district.suppliers.map((s) => s.id));
  const tooMany = (retryAfterS: number, per: 'socket' | 'address') => {
    const scale = per === 'socket' ? 1 : 4;
    return {
      error: `too many history reads from this ${per}: at most ${limits.perSecond * scale} a second (bursts of ${limits.burst * scale}); retry in ${retryAfterS} s`,
      retryAfterS,
    };
  };

  /** Allocated compute per building (its tenants' reservations in the data set), the weight of a cluster's computeLoad. */
  const allocatedPflops = new Map<string, number>();
  for (const c of district.companies) if (c.compute) allocatedPflops.set(c.buildingId, (allocatedPflops.get(c.buildingId) ?? 0) + c.compute.pflops);

  /** Rate limit by address, then run; maps "readers busy" to 429 with Retry-After. */
  const guarded = <T>(handler: (req: FastifyRequest, reply: FastifyReply) => Promise<T | ErrorResponse>) => async (req: FastifyRequest, reply: FastifyReply) => {
    const take = perAddress.take(addressKey(req.ip));
    if (!take.ok) {
      const body = tooMany(take.retryAfterS, 'address');
      return reply.code(429).header('retry-after', String(take.retryAfterS)).send({ error: body.error });
    }
    try {
      return await handler(req, reply);
    } catch (err) {
      if (err instanceof ReadersBusyError) return reply.code(429).header('retry-after', String(err.retryAfterS)).send({ error: err.message } satisfies ErrorResponse);
      throw err;
    }
  };

  const points = (rows: BucketRow[], tsOf: (b: number) => string): HistoryPoint[] => rows.map((r) => ({ ts: tsOf(r.b), value: r.value, source: sourceName(r.source) }));

  http.get(
    '/api/v1/history',
    guarded(async (req, reply): Promise<HistoryResponse | ErrorResponse> => {
      const q = parse(HistoryQuery, req.query);
      if (!q.ok) return reply.code(400).send(badRequest(q.issues));
      const unknown = q.value.building.filter((id) => !state.index.has(id));
      if (unknown.length > 0) return reply.code(400).send(badRequest([{ path: 'building', message: `unknown building${unknown.length > 1 ? 's' : ''} ${unknown.map((id) => `"${id}"`).join(', ')}` }]));
      const { building, metric, from, to } = q.value;
      const b = bucketing(from, to, q.value.points);
      const rows = await history.series(building, metric, b);
      const series = building.map((id, i) => ({ building: id, points: points(rows[i]!, b.tsOf) }));
      return {
        building: building[0]!,
        metric,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        resolution: b.bucket === 1 ? 'minute' : 'bucket',
        bucketMinutes: b.bucket,
        points: series[0]!.points,
        series,
      };
    }),
  );

  http.get(
    '/api/v1/history/cluster',
    guarded(async (req, reply): Promise<ClusterHistoryResponse | ErrorResponse> => {
      const q = parse(ClusterHistoryQuery, req.query);
      if (!q.ok) return reply.code(400).send(badRequest(q.issues));
      const { cluster, metric, from, to } = q.value;
      if (!clusterIds.has(cluster)) return reply.code(400).send(badRequest([{ path: 'cluster', message: `unknown cluster "${cluster}"; one of ${[...clusterIds].join(', ')}` }]));
      const weights: Record<string, number> = {};
      for (const bld of district.buildings) {
        if (bld.clusterId !== cluster) continue;
        const w = metric === 'occupancy' ? bld.capacityPeople : (allocatedPflops.get(bld.id) ?? 0);
        if (w > 0) weights[bld.id] = w;
      }
      const b = bucketing(from, to, q.value.points);
      const rows = await history.weightedSeries(weights, metric, b);
      return {
        cluster,
        metric,
        weighting: metric === 'occupancy' ? 'capacityPeople' : 'allocatedPflops',
        buildings: Object.keys(weights).length,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        bucketMinutes: b.bucket,
        points: points(rows, b.tsOf),
      };
    }),
  );

  http.get(
    '/api/v1/history/pool',
    guarded(async (req, reply): Promise<PoolHistoryResponse | ErrorResponse> => {
      const q = parse(PoolHistoryQuery, req.query);
      if (!q.ok) return reply.code(400).send(badRequest(q.issues));
      const { supplier, from, to } = q.value;
      if (!supplierIds.has(supplier)) return reply.code(400).send(badRequest([{ path: 'supplier', message: `unknown supplier "${supplier}"` }]));
      const b = bucketing(from, to, q.value.points);
      const rows = await history.poolSeries(supplier, b);
      return {
        supplier,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        bucketMinutes: b.bucket,
        points: rows.map((r) => ({ ts: b.tsOf(r.b), capacityPflops: r.capacityPflops, allocatedPflops: r.allocatedPflops, usedPflops: r.usedPflops, source: sourceName(r.source) })),
      };
    }),
  );

  http.get(
    '/api/v1/capacity',
    guarded(async (req, reply): Promise<CapacityResponse | ErrorResponse> => {
      const q = parse(CapacityQuery, req.query);
      if (!q.ok) return reply.code(400).send(badRequest(q.issues));
      const unknown = (q.value.clusters ?? []).filter((c) => !clusterIds.has(c));
      if (unknown.length > 0) return reply.code(400).send(badRequest([{ path: 'clusters', message: `unknown cluster ${unknown.map((c) => `"${c}"`).join(', ')}; one of ${[...clusterIds].join(', ')}` }]));
      return capacity.answer(q.value.team, q.value.clusters ? new Set(q.value.clusters) : null);
    }),
  );

  const parseMinute = (input: unknown): Parsed<number> => {
    const q = parse(DistrictMinuteQuery, input);
    return q.ok ? { ok: true, value: minuteOf(Date.parse(q.value.at)) } : q;
  };

  http.get(
    '/api/v1/history/district',
    guarded(async (req, reply): Promise<DistrictMinuteResponse | ErrorResponse> => {
      const q = parseMinute(req.query);
      if (!q.ok) return reply.code(400).send(badRequest(q.issues));
      const { buildings, pools } = await history.districtMinute(q.value);
      const byBuilding = new Map<string, DistrictMinuteResponse['buildings'][number]>();
      for (const b of buildings) {
        if (!state.index.has(b.buildingId)) continue;
        let entry = byBuilding.get(b.buildingId);
        if (!entry) byBuilding.set(b.buildingId, (entry = { id: b.buildingId, metrics: {} }));
        entry.metrics[LIVE_METRICS[b.metric]!] = { value: b.value, source: sourceName(b.source) };
      }
      return {
        minute: new Date(q.value * MINUTE_MS).toISOString(),
        datasetVersion: district.version,
        buildings: [...byBuilding.values()],
        pools: pools.map((p) => ({ ...p, source: sourceName(p.source) })),
      };
    }),
  );

  /** The district at a minute as a replay frame; buildings with no value that minute are "no data" (or n/a). */
  const replayFrame = (minute: number, rows: DistrictMinuteRows): Uint8Array => {
    const n = state.n;
    const occupancy = new Float32Array(n).fill(NaN);
    // Not-applicable is a property of the building (no compute tenants), not of the minute: take it from the live state.
    const computeLoad = Float32Array.from(state.metrics.computeLoad.value, (v) => (v === NOT_APPLICABLE ? NOT_APPLICABLE : NaN));
    const occupancyIngest = new Uint8Array(n);
    const computeIngest = new Uint8Array(n);
    for (const b of rows.buildings) {
      const i = state.index.get(b.buildingId);
      if (i === undefined) continue;
      const ingest = b.source === STORED_INGEST ? 1 : 0;
      if (LIVE_METRICS[b.metric] === 'occupancy') [occupancy[i], occupancyIngest[i]] = [b.value, ingest];
      else [computeLoad[i], computeIngest[i]] = [b.value, ingest];
    }
    return encodeFrame({ kind: FRAME_KIND.replay, datasetVersion: district.version, seq: 0, tsMs: minute * MINUTE_MS }, { occupancy, computeLoad, occupancyIngest, computeIngest });
  };

  onSocket((socket) => {
    socket.on('disconnect', () => perSocket.forget(socket.id));
    socket.on('history:minute', (request, ack) => {
      if (typeof ack !== 'function') return;
      // Budgets first: a flood is refused for the price of two map lookups, before any parsing or reading.
      const mine = perSocket.take(socket.id);
      if (!mine.ok) return ack({ ok: false, ...tooMany(mine.retryAfterS, 'socket') });
      const theirs = perAddress.take(addressKey(socket.handshake.address));
      if (!theirs.ok) return ack({ ok: false, ...tooMany(theirs.retryAfterS, 'address') });
      const q = parseMinute(request);
      if (!q.ok) return ack({ ok: false, ...badRequest(q.issues) });
      history.districtMinute(q.value).then(
        (rows) => ack({ ok: true, data: replayFrame(q.value, rows) } satisfies Ack<Uint8Array>),
        (err: unknown) => {
          if (err instanceof ReadersBusyError) return ack({ ok: false, error: err.message, retryAfterS: err.retryAfterS });
          http.log.error({ err }, 'history:minute failed');
          ack({ ok: false, error: 'history is unavailable' });
        },
      );
    });
  });

  return {
    async close() {
      capacity.stop();
    },
  };
}
