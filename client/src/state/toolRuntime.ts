/**
 * What the planner's tools keep outside React, beside the store (one way: frames → here → scene):
 *  - the alert evaluator (tools/alerts.ts), one per district, fed from every applied LIVE frame through the store's
 *    `liveFrameListeners` (never from a replayed minute) and given the view's rules whenever `view.alerts` changes;
 *    the scene reads `evaluator.marked` and redraws when `alertVersion()` moves;
 *  - the count of buildings matching the filters, published by the colour pass (scene/Buildings.tsx) and read by the
 *    legend through `useFilterCount` — it notifies only when the count changes, so a steady tick commits nothing.
 */
import { useSyncExternalStore } from 'react';
import { invalidate } from '@react-three/fiber';
import { AlertEvaluator } from '../tools/alerts.ts';
import { liveFrameListeners, useTwin, type LiveBuffer } from './store.ts';

const evaluatorOptions = { maxGapMs: 10_000 };
let evaluator: AlertEvaluator | null = null;
let seenEvaluatorVersion = -1;
const evaluatorListeners = new Set<() => void>();

/** The alert evaluator of the loaded district (null before one is loaded). */
export function alertEvaluator(): AlertEvaluator | null {
  return evaluator;
}

/** Changes whenever the set of alert-marked buildings may have changed (a new evaluator, new rules, a frame). */
export function alertVersion(): number {
  return evaluator ? evaluator.version : -1;
}

export function useAlertEvaluator(): AlertEvaluator | null {
  return useSyncExternalStore(
    (cb) => {
      evaluatorListeners.add(cb);
      return () => evaluatorListeners.delete(cb);
    },
    () => evaluator,
  );
}

function onLiveFrame(buffer: LiveBuffer): void {
  if (!evaluator || evaluator.district.buildings.length !== buffer.count) return;
  evaluator.update(buffer, buffer.tsMs);
  if (evaluator.version !== seenEvaluatorVersion) {
    seenEvaluatorVersion = evaluator.version;
    invalidate();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Filter count (written by the colour pass, read by the legend)

let filterCount = -1;
const filterListeners = new Set<() => void>();

/** The colour pass reports how many buildings match the filters (−1: no filter on). Notifies only on a change. */
export function publishFilterCount(count: number): void {
  if (count === filterCount) return;
  filterCount = count;
  for (const l of filterListeners) l();
}

/** Buildings matching the filters now, −1 when no filter is on. */
export function useFilterCount(): number {
  return useSyncExternalStore(
    (cb) => {
      filterListeners.add(cb);
      return () => filterListeners.delete(cb);
    },
    () => filterCount,
  );
}

let started = false;

export function startToolRuntime(): void {
  if (started) return;
  started = true;
  liveFrameListeners.push(onLiveFrame);
  const sync = () => {
    const s = useTwin.getState();
    evaluatorOptions.maxGapMs = s.staleAfterS * 1000;
    if (s.district && evaluator?.district !== s.district) {
      evaluator = new AlertEvaluator(s.district, evaluatorOptions);
      seenEvaluatorVersion = -1;
      evaluator.setRules(s.view.alerts);
      for (const l of evaluatorListeners) l();
      invalidate();
    } else if (evaluator) {
      const before = evaluator.version;
      evaluator.setRules(s.view.alerts);
      if (evaluator.version !== before) invalidate();
    }
  };
  sync();
  useTwin.subscribe((s, prev) => {
    if (s.district !== prev.district || s.view.alerts !== prev.view.alerts || s.staleAfterS !== prev.staleAfterS) sync();
  });
}
