/**
 * Precedence: the ONE place that decides whether a value may replace the current one, for building metrics, supplier
 * pools and company records alike, whatever wrote it (simulator, ingest, a restore from history at start-up).
 *
 *   1. Ingest beats simulated: a real reading always replaces a simulated value (or the data set's record, or nothing).
 *   2. An older reading never replaces a newer one: among real readings, the newer time wins (equal times: the later
 *      arrival wins, so a corrected resend of the same instant applies).
 *   3. The simulator never overwrites a real reading while it holds: for building metrics and pools while it is fresh
 *      (younger than STALE_AFTER_S on the wall clock), for company records until a newer real reading (they describe
 *      a state, not a sample, and do not go stale). `SIMULATOR=on` (a demo mode) lets the simulator override.
 *   4. Simulated values replace simulated values (the simulator's clock only moves forward).
 *
 * Two forms of the same rule: `replacesCode` on the numeric source codes of the live columns (no allocation: the
 * simulator calls it 2 × n times a tick), and `replaces` on sourced records (pools, companies).
 */
import type { ValueSource } from '@models/metrics.ts';

export const SOURCE_NONE = 0;
export const SOURCE_SIMULATED = 1;
export const SOURCE_INGEST = 2;
export type SourceCode = typeof SOURCE_NONE | typeof SOURCE_SIMULATED | typeof SOURCE_INGEST;

/** How long a real reading holds against the simulator, and whether the simulator may override it anyway. */
export interface PrecedenceRules {
  /** Wall-clock now, ms. */
  wallNowMs: number;
  /** A real reading blocks the simulator until it is this old (ms on the wall clock); Infinity: until replaced. */
  ingestHoldsMs: number;
  /** SIMULATOR=on: the simulator writes over real readings (they are still stored in history). */
  simulatorOverridesIngest: boolean;
}

/** May a value from `inSource` at `inTsMs` replace the current value from `curSource` at `curTsMs`? */
export function replacesCode(curSource: number, curTsMs: number, inSource: number, inTsMs: number, rules: PrecedenceRules): boolean {
  if (curSource !== SOURCE_INGEST) return true; // nothing, the data set or a simulated value: anything may replace it
  if (inSource === SOURCE_INGEST) return inTsMs >= curTsMs; // older never replaces newer
  return rules.simulatorOverridesIngest || rules.wallNowMs - curTsMs > rules.ingestHoldsMs;
}

export const sourceCode = (source: ValueSource | 'data' | null | undefined): SourceCode =>
  source === 'ingest' ? SOURCE_INGEST : source === 'simulated' ? SOURCE_SIMULATED : SOURCE_NONE;

export const sourceName = (code: number): ValueSource | null => (code === SOURCE_INGEST ? 'ingest' : code === SOURCE_SIMULATED ? 'simulated' : null);

/** Anything stamped with where it came from and the time it describes. */
export interface Stamped {
  source: ValueSource | 'data';
  tsMs: number;
}

/** `replacesCode` for records (pools, companies): may `incoming` replace `current` (undefined = nothing yet)? */
export function replaces(current: Stamped | undefined, incoming: Stamped, rules: PrecedenceRules): boolean {
  return current === undefined || replacesCode(sourceCode(current.source), current.tsMs, sourceCode(incoming.source), incoming.tsMs, rules);
}
