/**
 * Alert rules ("occupancy above 90 % in 西岸数智中心", "compute load above 80 % for 10 minutes") evaluated against the
 * frames as they arrive.
 *
 * Per rule and building the evaluator keeps the time since which the condition has held without a break
 * (`holdingSince`, NaN = it does not hold). A building matches a rule once the condition has held for `forMinutes`
 * of data time (the frames' own clock, so a simulator running faster than the wall clock is judged on its own time).
 * What breaks a hold:
 *  - a frame in which the condition is false, or the building has no fresh value (Q_NONE: we cannot claim it held);
 *  - a gap between frames longer than `maxGapMs` (e.g. a disconnect: nobody saw the minutes in between);
 *  - time going backwards (a replay seek, a restarted source): a new timeline starts.
 * "Not applicable" (Q_NA, e.g. compute load without compute tenants) never matches.
 *
 * `update` allocates nothing (typed arrays per rule, reused while the rule is unchanged); `matches()` builds the list
 * for the panel and is meant to be called at panel pace, not per frame.
 */
import { z } from 'zod';
import type { District } from '@models/district.ts';
import { Q_MAX } from '@models/frame.codec.ts';
import { AlertRule } from '@models/view.ts';
import type { LiveValues } from './liveValues.ts';

export type AlertValues = Pick<LiveValues, 'occupancyQ' | 'computeQ'>;

export interface AlertMatch {
  /** Index of the rule in the rules last given to setRules. */
  rule: number;
  buildingIndex: number;
  buildingId: string;
  /** Data time since which the condition has held without a break, ms since epoch. */
  sinceMs: number;
  /** The building's current value, display units (%). */
  value: number;
}

interface RuleState {
  key: string;
  rule: AlertRule;
  /** Cluster index the rule is limited to, or -1. */
  clusterIndex: number;
  /** Per building: data time since which the condition has held, NaN = it does not hold. */
  holdingSince: Float64Array;
}

export function ruleKey(r: AlertRule): string {
  return [r.metric, r.op, r.threshold, r.forMinutes, r.cluster ?? ''].join(':');
}

export interface AlertEvaluatorOptions {
  /** A longer gap between two frames breaks every hold; pass the server's STALE_AFTER_S × 1000. */
  maxGapMs: number;
}

export class AlertEvaluator {
  private rules: RuleState[] = [];
  private readonly clusterIndex: Int32Array;
  private readonly clusterIndexById: Map<string, number>;
  private lastTsMs = NaN;
  /** 1 where the building matches at least one rule (for the scene's markers). */
  readonly marked: Uint8Array;
  /** Buildings matching at least one rule. */
  markedCount = 0;
  /** Bumped whenever the set of (rule, building) matches changes: a panel re-reads `matches()` only then. */
  version = 0;

  constructor(
    readonly district: District,
    readonly options: AlertEvaluatorOptions,
  ) {
    const n = district.buildings.length;
    this.clusterIndexById = new Map(district.clusters.map((c, i) => [c.id, i]));
    this.clusterIndex = new Int32Array(n);
    district.buildings.forEach((b, i) => (this.clusterIndex[i] = this.clusterIndexById.get(b.clusterId) ?? -1));
    this.marked = new Uint8Array(n);
  }

  /** Replace the rules; a rule equal to one already evaluated keeps its holds (so editing one rule resets only it). */
  setRules(rules: readonly AlertRule[]): void {
    const keys = rules.map(ruleKey);
    if (keys.length === this.rules.length && keys.every((k, i) => k === this.rules[i]!.key)) return;
    const old = new Map(this.rules.map((r) => [r.key, r]));
    const n = this.district.buildings.length;
    this.rules = rules.map((rule, i) => {
      const reused = old.get(keys[i]!);
      if (reused) {
        old.delete(keys[i]!);
        return reused;
      }
      return {
        key: keys[i]!,
        rule,
        clusterIndex: rule.cluster ? (this.clusterIndexById.get(rule.cluster) ?? -2) : -1,
        holdingSince: new Float64Array(n).fill(NaN),
      };
    });
    this.recountMarked();
    this.version++;
  }

  get ruleCount(): number {
    return this.rules.length;
  }

  /** Feed one frame: its values and the time they describe. */
  update(values: AlertValues, tsMs: number): void {
    const prevT = this.lastTsMs;
    const restart = prevT !== prevT || tsMs < prevT || tsMs - prevT > this.options.maxGapMs;
    this.lastTsMs = tsMs;
    this.lastValues = values;
    const n = this.district.buildings.length;
    let changed = restart;
    for (const r of this.rules) {
      const q = r.rule.metric === 'computeLoad' ? values.computeQ : values.occupancyQ;
      const held = r.holdingSince;
      const forMs = r.rule.forMinutes * 60_000;
      // the threshold on the quantised scale: pct = q × 100 / Q_MAX > threshold ⇔ q > threshold × Q_MAX / 100
      // (90 % → 225 exactly, so "above 90 %" excludes q = 225 as the percentage comparison does)
      const limit = (r.rule.threshold * Q_MAX) / 100;
      const above = r.rule.op === 'gt';
      const only = r.clusterIndex;
      for (let i = 0; i < n; i++) {
        const before = held[i]!;
        let holds = false;
        if (only === -1 || this.clusterIndex[i] === only) {
          const v = q[i]!;
          if (v <= Q_MAX) holds = above ? v > limit : v < limit;
        }
        // NaN !== NaN: `x === x` is "x is a time"
        const since = !holds ? NaN : restart || before !== before ? tsMs : before;
        held[i] = since;
        if (!changed) {
          const wasMatch = before === before && prevT - before >= forMs;
          const isMatch = since === since && tsMs - since >= forMs;
          if (isMatch !== wasMatch) changed = true;
        }
      }
    }
    if (changed) {
      this.recountMarked();
      this.version++;
    }
  }

  private lastValues: AlertValues | null = null;

  private recountMarked(): void {
    this.marked.fill(0);
    let count = 0;
    const t = this.lastTsMs;
    for (const r of this.rules) {
      const forMs = r.rule.forMinutes * 60_000;
      const held = r.holdingSince;
      for (let i = 0; i < held.length; i++) {
        const since = held[i]!;
        if (since === since && t - since >= forMs && this.marked[i] === 0) {
          this.marked[i] = 1;
          count++;
        }
      }
    }
    this.markedCount = count;
  }

  /** Every (rule, building) match now, the longest-holding first. */
  matches(): AlertMatch[] {
    const out: AlertMatch[] = [];
    const t = this.lastTsMs;
    this.rules.forEach((r, ri) => {
      const forMs = r.rule.forMinutes * 60_000;
      const held = r.holdingSince;
      for (let i = 0; i < held.length; i++) {
        const since = held[i]!;
        if (since === since && t - since >= forMs) {
          const q = this.lastValues ? (r.rule.metric === 'computeLoad' ? this.lastValues.computeQ : this.lastValues.occupancyQ)[i] : undefined;
          const value = q === undefined || q > Q_MAX ? NaN : (q * 100) / Q_MAX;
          out.push({ rule: ri, buildingIndex: i, buildingId: this.district.buildings[i]!.id, sinceMs: since, value });
        }
      }
    });
    out.sort((a, b) => a.sinceMs - b.sinceMs || a.rule - b.rule || a.buildingIndex - b.buildingIndex);
    return out;
  }

  /** Time of the last frame fed (NaN before the first). */
  get timeMs(): number {
    return this.lastTsMs;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Persistence in the browser (the URL carries them in the view state, models/view.ts `al=`)

export const ALERTS_STORAGE_KEY = 'westbund.alerts';
const StoredAlerts = z.array(AlertRule).max(20);

/** Rules saved in this browser; [] when none, unreadable or storage is disabled. */
export function loadStoredAlerts(storage: Pick<Storage, 'getItem'> | null = safeStorage()): AlertRule[] {
  try {
    const raw = storage?.getItem(ALERTS_STORAGE_KEY);
    if (!raw) return [];
    const parsed = StoredAlerts.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

export function saveStoredAlerts(rules: readonly AlertRule[], storage: Pick<Storage, 'setItem' | 'removeItem'> | null = safeStorage()): void {
  try {
    if (rules.length === 0) storage?.removeItem(ALERTS_STORAGE_KEY);
    else storage?.setItem(ALERTS_STORAGE_KEY, JSON.stringify(rules));
  } catch {
    // storage can be disabled (kiosk profiles, private mode): the URL still carries the rules
  }
}

function safeStorage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null;
  }
}
