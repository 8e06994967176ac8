/**
 * Each pool's recent history, accumulated in memory from `pools:update` since the page loaded (the wall has no
 * history endpoint for pools yet). Samples are kept at most every SAMPLE_EVERY_MS and for WINDOW_MS; the arrays are
 * plain and mutable, read by the sparklines on their own clock, so an update does not re-render React.
 */
import type { PoolState } from '@models/api.ts';
import { useTwin } from '../../state/store.ts';

export const WINDOW_MS = 24 * 3600_000;
const SAMPLE_EVERY_MS = 10_000;

export interface PoolSeries {
  /** Client wall-clock ms of each sample. */
  t: number[];
  used: number[];
  allocated: number[];
}

const series = new Map<string, PoolSeries>();
/** Client time of the first sample: the strip says how far back it really goes. */
export let historySinceMs: number | null = null;

function add(pools: readonly PoolState[], now: number): void {
  for (const p of pools) {
    let s = series.get(p.supplierId);
    if (!s) series.set(p.supplierId, (s = { t: [], used: [], allocated: [] }));
    const last = s.t[s.t.length - 1];
    if (last !== undefined && now - last < SAMPLE_EVERY_MS) {
      // keep the latest value within the sampling interval
      s.used[s.used.length - 1] = p.usedPflops;
      s.allocated[s.allocated.length - 1] = p.allocatedPflops;
      continue;
    }
    s.t.push(now);
    s.used.push(p.usedPflops);
    s.allocated.push(p.allocatedPflops);
    let drop = 0;
    while (drop < s.t.length && now - s.t[drop]! > WINDOW_MS) drop++;
    if (drop) {
      s.t.splice(0, drop);
      s.used.splice(0, drop);
      s.allocated.splice(0, drop);
    }
  }
  if (pools.length && historySinceMs === null) historySinceMs = now;
}

let started = false;
/** Start accumulating (idempotent). */
export function startPoolHistory(): void {
  if (started) return;
  started = true;
  add(useTwin.getState().pools, Date.now());
  useTwin.subscribe((s, prev) => {
    if (s.pools !== prev.pools) add(s.pools, Date.now());
  });
}

export function poolSeries(supplierId: string): PoolSeries | undefined {
  return series.get(supplierId);
}
