/**
 * Each pool's last 24 h for the lobby strips: read from the server's history (`GET /api/v1/history/pool`, downsampled
 * to one point per strip pixel), then followed live — every `pools:update` extends the series, one point per bucket
 * of the history's width. The window ends at the pools' own clock (their `tsMs`), not this screen's, so a wall whose
 * clock is off still draws the server's last 24 h. The series are refetched after a gap in the updates (a restart,
 * the network) and every REFRESH_MS, so the strip heals by itself. Arrays are plain and mutable; readers re-render on
 * `usePoolHistoryVersion()`, which changes when a fetch lands (live updates re-render the panel anyway).
 */
import { useSyncExternalStore } from 'react';
import type { PoolHistoryResponse, PoolState } from '@models/api.ts';
import { useTwin } from '../../state/store.ts';
import type { FigureKind } from './lobbyTags.ts';

export const WINDOW_MS = 24 * 3600_000;
/** One point per horizontal unit of the strip (its SVG is 240 units wide). */
export const STRIP_POINTS = 240;
const REFRESH_MS = 30 * 60_000;
/** Updates that stop this long (server time) mean a gap: read the history again. */
const GAP_MS = 2 * 60_000;

export interface PoolSeries {
  /** Server ms of each point (bucket start for history points, the update's tsMs for live ones). */
  t: number[];
  used: number[];
  allocated: number[];
  /** Width of a point, ms (the history's bucket; at least a minute). */
  bucketMs: number;
  /** Sources seen in the window: a strip is "live feed" only if every point came from the ingest feed. */
  simulated: number;
  ingest: number;
}

const series = new Map<string, PoolSeries>();
let version = 0;
const listeners = new Set<() => void>();
const bump = () => {
  version++;
  for (const l of listeners) l();
};

/** What the strip is, as labelled on the wall; null before any point. */
export function stripKind(s: PoolSeries | undefined): FigureKind | null {
  if (!s || s.t.length === 0) return null;
  return s.simulated > 0 ? 'simulated' : 'live';
}

function trim(s: PoolSeries, end: number, sources: Array<'simulated' | 'ingest'>): void {
  let drop = 0;
  while (drop < s.t.length && end - s.t[drop]! > WINDOW_MS) drop++;
  if (!drop) return;
  s.t.splice(0, drop);
  s.used.splice(0, drop);
  s.allocated.splice(0, drop);
  for (const src of sources.splice(0, drop)) s[src]--;
}

/** Per-point sources, kept beside the series so the counts stay right as points leave the window. */
const pointSources = new Map<string, Array<'simulated' | 'ingest'>>();

function addLive(pools: readonly PoolState[]): void {
  for (const p of pools) {
    const s = series.get(p.supplierId);
    const sources = pointSources.get(p.supplierId);
    if (!s || !sources) continue; // not read yet: the fetch will bring this minute too
    const src = p.source === 'ingest' ? 'ingest' : 'simulated';
    const last = s.t[s.t.length - 1];
    if (last !== undefined && p.tsMs < last) continue;
    if (last !== undefined && p.tsMs - last < s.bucketMs) {
      // the latest value within the bucket
      s.used[s.used.length - 1] = p.usedPflops;
      s.allocated[s.allocated.length - 1] = p.allocatedPflops;
      s[sources[sources.length - 1]!]--;
      sources[sources.length - 1] = src;
      s[src]++;
    } else {
      s.t.push(p.tsMs);
      s.used.push(p.usedPflops);
      s.allocated.push(p.allocatedPflops);
      sources.push(src);
      s[src]++;
    }
    trim(s, p.tsMs, sources);
  }
}

async function fetchOne(supplierId: string, endMs: number): Promise<void> {
  const q = new URLSearchParams({ supplier: supplierId, from: new Date(endMs - WINDOW_MS).toISOString(), to: new Date(endMs).toISOString(), points: String(STRIP_POINTS) });
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`/api/v1/history/pool?${q}`, { headers: { accept: 'application/json' }, cache: 'no-store' });
    if (res.status === 429 && attempt < 5) {
      // the server's read budget: wait as it says, then try again
      await new Promise((r) => setTimeout(r, 1000 * Math.max(1, Number(res.headers.get('retry-after')) || 1)));
      continue;
    }
    if (!res.ok) throw new Error(`GET /api/v1/history/pool → ${res.status}`);
    const body = (await res.json()) as PoolHistoryResponse;
    const s: PoolSeries = { t: [], used: [], allocated: [], bucketMs: Math.max(1, body.bucketMinutes) * 60_000, simulated: 0, ingest: 0 };
    const sources: Array<'simulated' | 'ingest'> = [];
    for (const pt of body.points) {
      const src = pt.source === 'ingest' ? 'ingest' : 'simulated';
      s.t.push(Date.parse(pt.ts));
      s.used.push(pt.usedPflops);
      s.allocated.push(pt.allocatedPflops);
      sources.push(src);
      s[src]++;
    }
    series.set(supplierId, s);
    pointSources.set(supplierId, sources);
    return;
  }
}

let started = false;
let fetching = false;
let lastFetchMs = 0;
let lastUpdateTs = 0;

/** The pools' own clock: the newest tsMs they carry (the server's time), or this screen's clock before any. */
const serverNow = (pools: readonly PoolState[]) => pools.reduce((m, p) => Math.max(m, p.tsMs), 0) || Date.now();

async function refetch(pools: readonly PoolState[], supplierIds: readonly string[]): Promise<void> {
  if (fetching) return;
  fetching = true;
  lastFetchMs = Date.now();
  try {
    const end = serverNow(pools);
    // one at a time: nine reads in a burst would spend the screen's read budget for nothing
    for (const id of supplierIds) await fetchOne(id, end).catch(() => undefined);
    // what arrived while reading
    addLive(useTwin.getState().pools);
    bump();
  } finally {
    fetching = false;
  }
}

/** Start reading and following (idempotent). */
export function startPoolHistory(): void {
  if (started) return;
  started = true;
  const kick = () => {
    const { district, pools } = useTwin.getState();
    if (!district) return;
    void refetch(pools, district.suppliers.map((s) => s.id));
  };
  kick();
  useTwin.subscribe((s, prev) => {
    if (s.district && !prev.district) kick();
    if (s.pools === prev.pools || s.pools.length === 0) return;
    const ts = serverNow(s.pools);
    const gap = lastUpdateTs > 0 && ts - lastUpdateTs > GAP_MS;
    lastUpdateTs = ts;
    if (gap || Date.now() - lastFetchMs > REFRESH_MS || (series.size === 0 && Date.now() - lastFetchMs > 10_000)) kick();
    else addLive(s.pools);
  });
}

export function poolSeries(supplierId: string): PoolSeries | undefined {
  return series.get(supplierId);
}

/** Server time of the earliest point of any strip: the wall says how far back it really goes. */
export function historySinceMs(): number | null {
  let m: number | null = null;
  for (const s of series.values()) if (s.t.length && (m === null || s.t[0]! < m)) m = s.t[0]!;
  return m;
}

export function usePoolHistoryVersion(): number {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => version,
  );
}
