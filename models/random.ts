/** mulberry32: a small, fast, seeded 32-bit PRNG returning floats in [0, 1). Shared by the data generator, the
 * simulator and the benchmark so that "same seed, same output" holds everywhere. */
export function mulberry32(seed: number): () => number {
  // The state lives in a typed array: a uint32 at or above 2^30 kept in a closure variable is a heap number, so every
  // draw allocated one (the simulator draws tens of thousands a tick at 50,000 buildings). Same arithmetic, same output.
  const state = new Uint32Array(1);
  state[0] = seed >>> 0;
  return () => {
    const a = (state[0]! + 0x6d2b79f5) >>> 0;
    state[0] = a;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
