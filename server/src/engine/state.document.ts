/**
 * `GET /api/v1/state` at any size without stalling the event loop: the live columns are copied (a few typed-array
 * copies, well under a millisecond at 50,000 buildings), then the JSON is written from the copy in chunks of
 * CHUNK buildings with `setImmediate` between them, so ticks and other requests run in between. The result (a list of
 * UTF-8 chunks) is cached until the state changes or the next tick boundary (staleness moves with the clock), and
 * shared by every request in between. Values are written as the state keeps them (Float64): 0.091 stays 0.091.
 *
 * The route serves any `StateSource`: this document in one process (ROLE=all), or on a gateway the engine's copy of it
 * relayed over Redis (scale/state.relay.ts), which answers `StateUnavailable` (503, Retry-After) when the engine is away.
 */
import type { SimulatorInfo } from '@models/api.ts';
import { LIVE_METRICS } from '@models/metrics.ts';
import { NOT_APPLICABLE } from '@models/frame.codec.ts';
import { isStaleAt, SOURCE_NONE, type LiveState } from '../live/live.state.ts';
import { sourceName } from './precedence.ts';

/** Buildings per chunk: ≈ 3–5 ms of string building on the (loaded) development machine; see bench section 7. */
export const STATE_CHUNK = 1000;

export interface StateDocumentMeta {
  datasetVersion: number;
  staleAfterS: number;
  simulator: SimulatorInfo;
  tickMs: number;
  now: () => number;
  districtTime: (wallNowMs: number) => number;
}

/** The body of `/api/v1/state`: UTF-8 chunks (built here), or the same document gzipped (relayed from the engine). */
export type StateBody = { chunks: Buffer[] } | { gzip: Buffer; /** The engine's name for this document (its Redis key). */ key: string };

export interface StateSource {
  read(): Promise<StateBody>;
}

/** The document cannot be had right now (the engine is unreachable): 503 with Retry-After. */
export class StateUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
  }
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class StateDocument implements StateSource {
  private readonly ids: string[];
  private cache: { key: string; chunks: Promise<Buffer[]> } | null = null;

  constructor(
    private readonly state: LiveState,
    private readonly meta: StateDocumentMeta,
  ) {
    this.ids = state.district.buildings.map((b) => JSON.stringify(b.id));
  }

  /** The whole response body as UTF-8 chunks, built at most once per state revision and tick. */
  chunks(): Promise<Buffer[]> {
    return this.current().chunks;
  }

  async read(): Promise<StateBody> {
    return { chunks: await this.chunks() };
  }

  /** The document for the state as it is now, with the key that names it (state revision : tick slot). */
  current(): { key: string; chunks: Promise<Buffer[]> } {
    const wall = this.meta.now();
    const key = `${this.state.revision}:${Math.floor(wall / this.meta.tickMs)}`;
    if (this.cache?.key !== key) {
      const chunks = this.build(wall);
      this.cache = { key, chunks };
      // A failed build is not cached.
      chunks.catch(() => {
        if (this.cache?.chunks === chunks) this.cache = null;
      });
    }
    return this.cache;
  }

  private async build(wall: number): Promise<Buffer[]> {
    const { state, meta } = this;
    // A consistent copy: ticks and ingest may change the state while the chunks are written.
    const cols = LIVE_METRICS.map((m) => ({ name: m, value: state.metrics[m].value.slice(), ts: state.metrics[m].ts.slice(), source: state.metrics[m].source.slice() }));
    const districtTimeMs = state.districtTimeMs;
    const pools = [...state.pools.values()];
    const companies = [...state.companies.values()];
    const staleAfterMs = state.staleAfterMs;

    let lastTs = NaN;
    let lastIso = 'null';
    const isoOf = (ts: number) => {
      if (ts !== lastTs) [lastTs, lastIso] = [ts, JSON.stringify(new Date(ts).toISOString())];
      return lastIso;
    };
    const sourced = (c: (typeof cols)[number], i: number): string => {
      const src = c.source[i]!;
      const v = c.value[i]!;
      const value = src === SOURCE_NONE || Number.isNaN(v) || v === NOT_APPLICABLE ? 'null' : JSON.stringify(v);
      const ts = src === SOURCE_NONE ? 'null' : isoOf(c.ts[i]!);
      const source = sourceName(src);
      return `{"value":${value},"ts":${ts},"source":${source === null ? 'null' : `"${source}"`},"stale":${isStaleAt(src, c.ts[i]!, districtTimeMs, wall, staleAfterMs)}}`;
    };

    const out: Buffer[] = [];
    const head = {
      datasetVersion: meta.datasetVersion,
      serverTime: new Date(wall).toISOString(),
      districtTime: new Date(meta.districtTime(wall)).toISOString(),
      staleAfterS: meta.staleAfterS,
      simulator: meta.simulator,
    };
    out.push(Buffer.from(`${JSON.stringify(head).slice(0, -1)},"buildings":[`));
    for (let start = 0; start < state.n; start += STATE_CHUNK) {
      if (start > 0) await yieldToLoop();
      const parts: string[] = [];
      for (let i = start; i < Math.min(start + STATE_CHUNK, state.n); i++) {
        parts.push(`{"id":${this.ids[i]},"metrics":{${cols.map((c) => `"${c.name}":${sourced(c, i)}`).join(',')}}}`);
      }
      out.push(Buffer.from((start > 0 ? ',' : '') + parts.join(',')));
    }
    out.push(Buffer.from(`],"suppliers":${JSON.stringify(pools)},"companies":[`));
    for (let start = 0; start < companies.length; start += STATE_CHUNK) {
      await yieldToLoop();
      out.push(Buffer.from((start > 0 ? ',' : '') + companies.slice(start, start + STATE_CHUNK).map((c) => JSON.stringify(c)).join(',')));
    }
    out.push(Buffer.from(']}'));
    return out;
  }
}
