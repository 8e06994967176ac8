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
