/** Small deterministic randomness: the simulator must give the same output for the same seed and start time. */

export { mulberry32 } from '@models/random.ts';

/** Stateless hash of integers to [0, 1): for per-building constants and noise knots. */
export function hash01(a: number, b: number, c = 0): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35) ^ Math.imul(c + 0x27d4eb2f, 0x165667b1);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Smooth noise in [-1, 1] over time, knots every `periodMs`, per key. */
export function smoothNoise(seed: number, key: number, tMs: number, periodMs: number): number {
  const x = tMs / periodMs;
  const k = Math.floor(x);
  const f = x - k;
  const s = f * f * (3 - 2 * f);
  const a = hash01(seed, key, k) * 2 - 1;
  const b = hash01(seed, key, k + 1) * 2 - 1;
  return a + (b - a) * s;
}

/**
 * `smoothNoise(seed, firstKey + i, tMs, periodMs)` for keys i = 0 … count − 1, with the two knots of every key kept
 * between calls: they change once a period, so a step hashes nothing (or one knot per key when a period begins) instead
 * of two knots per key. Same arithmetic as smoothNoise, so the same values to the last bit.
 */
export class SmoothNoiseColumn {
  /** The noise of every key at the time of the last `at` (read it after `at`; a plain array read, no call, no boxing). */
  readonly values: Float64Array;
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private k = NaN;

  constructor(
    private readonly seed: number,
    private readonly firstKey: number,
    count: number,
    private readonly periodMs: number,
  ) {
    this.values = new Float64Array(count);
    this.a = new Float64Array(count);
    this.b = new Float64Array(count);
  }

  /** Move to time `tMs` (once per step) and fill `values`. */
  at(tMs: number): void {
    const x = tMs / this.periodMs;
    const k = Math.floor(x);
    const f = x - k;
    const s = f * f * (3 - 2 * f);
    const { a, b, seed, firstKey, values } = this;
    const count = values.length;
    if (k !== this.k) {
      if (k === this.k + 1) {
        a.set(b);
        for (let from = 0; from < count; from += CHUNK) knotsChunk(from, Math.min(from + CHUNK, count), b, seed, firstKey, k + 1);
      } else {
        for (let from = 0; from < count; from += CHUNK) {
          knotsChunk(from, Math.min(from + CHUNK, count), a, seed, firstKey, k);
          knotsChunk(from, Math.min(from + CHUNK, count), b, seed, firstKey, k + 1);
        }
      }
      this.k = k;
    }
    for (let from = 0; from < count; from += CHUNK) interpolateChunk(from, Math.min(from + CHUNK, count), values, a, b, s);
  }
}

/** Loops over every key run in chunks of this many, so V8 optimises them whole (see simulator.ts, CHUNK). */
const CHUNK = 2048;

/** The knots of keys [from, to) at period k. */
function knotsChunk(from: number, to: number, out: Float64Array, seed: number, firstKey: number, k: number): void {
  for (let i = from; i < to; i++) out[i] = hash01(seed, firstKey + i, k) * 2 - 1;
}

function interpolateChunk(from: number, to: number, values: Float64Array, a: Float64Array, b: Float64Array, s: number): void {
  for (let i = from; i < to; i++) values[i] = a[i]! + (b[i]! - a[i]!) * s;
}
