/**
 * Capacity finder (issue 6): which buildings have room for a team. A building's usual peak is the 90th percentile of
 * its per-minute occupancy over the last 7 days of history; free room = design capacity − that peak. The percentiles
 * are computed off the event loop (a week is millions of minute rows) every REFRESH_MS in the background and cached;
 * a request only filters and sorts the cached list. Pools: free compute = capacity − allocated, from the live state.
 */
import type { CapacityResponse } from '@models/api.ts';
import type { LiveState } from '../live/live.state.ts';
import type { OccupancyPercentileRow } from './history.reader.ts';
import { minuteOf } from './history.store.ts';

export const CAPACITY_BASIS = { percentile: 90, days: 7 } as const;
const REFRESH_MS = 5 * 60_000;

interface Cached {
  atMs: number;
  rows: OccupancyPercentileRow[];
}

export class CapacityFinder {
  private cached: Cached | null = null;
  private running: Promise<Cached> | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    /** The history repository's occupancyPercentile (off the event loop: a reader thread, or PostgreSQL). */
    private readonly percentile: (fromMinute: number, toMinute: number, percentile: number) => Promise<OccupancyPercentileRow[]>,
    private readonly state: LiveState,
    private readonly now: () => number,
  ) {
    // Background refresh; the first computation happens on the first request (or here, whichever comes first).
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private refresh(): Promise<Cached> {
    if (this.running) return this.running;
    const atMs = this.now();
    const to = minuteOf(atMs);
    this.running = this.percentile(to - CAPACITY_BASIS.days * 1440, to, CAPACITY_BASIS.percentile)
      .then((rows) => (this.cached = { atMs, rows }))
      .finally(() => (this.running = null));
    return this.running;
  }

  /** Percentiles no older than the refresh interval (of the server clock). */
  private async percentiles(): Promise<Cached> {
    if (this.cached && this.now() - this.cached.atMs < REFRESH_MS) return this.cached;
    return this.refresh();
  }

  async answer(team: number, clusters: ReadonlySet<string> | null): Promise<CapacityResponse> {
    const { rows } = await this.percentiles();
    const { district } = this.state;
    const buildings: CapacityResponse['buildings'] = [];
    for (const r of rows) {
      const i = this.state.index.get(r.key);
      if (i === undefined) continue;
      const b = district.buildings[i]!;
      if (b.capacityPeople === 0 || (clusters && !clusters.has(b.clusterId))) continue;
      const peakPeople = Math.round(r.p * b.capacityPeople);
      const freePeople = b.capacityPeople - peakPeople;
      if (freePeople < team) continue;
      const source = r.ingestMinutes === 0 ? 'simulated' : r.ingestMinutes === r.minutes ? 'ingest' : 'mixed';
      buildings.push({ id: b.id, capacityPeople: b.capacityPeople, peakPeople, freePeople, source });
    }
    buildings.sort((a, b) => b.freePeople - a.freePeople || (a.id < b.id ? -1 : 1));
    // A pool with no live value (simulator off and nothing ingested yet) is left out rather than guessed.
    const pools: CapacityResponse['pools'] = [];
    for (const s of district.suppliers) {
      const p = this.state.pools.get(s.id);
      if (p) pools.push({ supplierId: s.id, freePflops: Math.max(0, p.capacityPflops - p.allocatedPflops), capacityPflops: p.capacityPflops, source: p.source });
    }
    return { team, basis: { ...CAPACITY_BASIS }, buildings, pools, generatedAt: new Date(this.now()).toISOString() };
  }
}
