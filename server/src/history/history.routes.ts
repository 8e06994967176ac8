/** History: one building metric over time, and the whole district at a past minute (JSON, or a replay frame by socket). */
import type { FastifyInstance } from 'fastify';
import { DistrictMinuteQuery, HistoryQuery, type Ack, type DistrictMinuteResponse, type ErrorResponse, type HistoryResponse } from '@models/api.ts';
import type { TwinSocket } from '../gateway/gateway.ts';
import { encodeFrame, FRAME_KIND, NOT_APPLICABLE } from '@models/frame.codec.ts';
import { toInputIssues, type InputIssue } from '@models/telemetry.ts';
import type { LiveState } from '../live/live.state.ts';
import { MINUTE_MS, minuteOf, STORED_INGEST, type HistoryStore } from './history.store.ts';

const sourceName = (code: number) => (code === STORED_INGEST ? ('ingest' as const) : ('simulated' as const));

type Parsed<T> = { ok: true; value: T } | { ok: false; issues: InputIssue[] };

interface Deps {
  history: HistoryStore;
  state: LiveState;
}

export function registerHistoryRoutes(http: FastifyInstance, onSocket: (handler: (socket: TwinSocket) => void) => void, { history, state }: Deps): void {
  const { district } = state;

  const parseSeriesQuery = (query: unknown): Parsed<HistoryQuery> => {
    const parsed = HistoryQuery.safeParse(query);
    if (!parsed.success) return { ok: false, issues: toInputIssues(parsed.error) };
    if (!state.index.has(parsed.data.building)) return { ok: false, issues: [{ path: 'building', message: `unknown building "${parsed.data.building}"` }] };
    return { ok: true, value: parsed.data };
  };

  const parseMinuteQuery = (query: unknown): Parsed<number> => {
    const parsed = DistrictMinuteQuery.safeParse(query);
    return parsed.success ? { ok: true, value: minuteOf(Date.parse(parsed.data.at)) } : { ok: false, issues: toInputIssues(parsed.error) };
  };

  const badRequest = (issues: InputIssue[]): ErrorResponse => ({ error: `bad query parameters: ${[...new Set(issues.map((i) => i.path))].join(', ')}`, issues });

  http.get('/api/v1/history', async (req, reply): Promise<HistoryResponse | ErrorResponse> => {
    const q = parseSeriesQuery(req.query);
    if (!q.ok) return reply.code(400).send(badRequest(q.issues));
    const { building, metric, from, to } = q.value;
    const rows = history.series(building, metric, minuteOf(Date.parse(from)), minuteOf(Date.parse(to)));
    return {
      building,
      metric,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      resolution: 'minute',
      points: rows.map((r) => ({ ts: new Date(r.minute * MINUTE_MS).toISOString(), value: r.value, source: sourceName(r.source) })),
    };
  });

  http.get('/api/v1/history/district', async (req, reply): Promise<DistrictMinuteResponse | ErrorResponse> => {
    const q = parseMinuteQuery(req.query);
    if (!q.ok) return reply.code(400).send(badRequest(q.issues));
    const { buildings, pools } = history.districtMinute(q.value);
    const byBuilding = new Map<string, DistrictMinuteResponse['buildings'][number]>();
    for (const b of buildings) {
      if (!state.index.has(b.buildingId)) continue;
      let entry = byBuilding.get(b.buildingId);
      if (!entry) byBuilding.set(b.buildingId, (entry = { id: b.buildingId, metrics: {} }));
      entry.metrics[b.metric] = { value: b.value, source: sourceName(b.source) };
    }
    return {
      minute: new Date(q.value * MINUTE_MS).toISOString(),
      datasetVersion: district.version,
      buildings: [...byBuilding.values()],
      pools: pools.map((p) => ({ ...p, source: sourceName(p.source) })),
    };
  });

  /** The district at a minute as a replay frame; buildings with no value that minute are "no data" (or n/a). */
  const replayFrame = (minute: number): Uint8Array => {
    const n = state.n;
    const occupancy = new Float32Array(n).fill(NaN);
    // Not-applicable is a property of the building (no compute tenants), not of the minute: take it from the live state.
    const computeLoad = Float32Array.from(state.metrics.computeLoad.value, (v) => (v === NOT_APPLICABLE ? NOT_APPLICABLE : NaN));
    const occupancyIngest = new Uint8Array(n);
    const computeIngest = new Uint8Array(n);
    for (const b of history.districtMinute(minute).buildings) {
      const i = state.index.get(b.buildingId);
      if (i === undefined) continue;
      const ingest = b.source === STORED_INGEST ? 1 : 0;
      if (b.metric === 'occupancy') [occupancy[i], occupancyIngest[i]] = [b.value, ingest];
      else [computeLoad[i], computeIngest[i]] = [b.value, ingest];
    }
    return encodeFrame({ kind: FRAME_KIND.replay, datasetVersion: district.version, seq: 0, tsMs: minute * MINUTE_MS }, { occupancy, computeLoad, occupancyIngest, computeIngest });
  };

  onSocket((socket) => {
    socket.on('history:minute', (request, ack) => {
      if (typeof ack !== 'function') return;
      const q = parseMinuteQuery(request);
      let res: Ack<Uint8Array>;
      if (!q.ok) res = { ok: false, ...badRequest(q.issues) };
      else {
        try {
          res = { ok: true, data: replayFrame(q.value) };
        } catch (err) {
          http.log.error({ err }, 'history:minute failed');
          res = { ok: false, error: 'history is unavailable' };
        }
      }
      ack(res);
    });
  });
}
