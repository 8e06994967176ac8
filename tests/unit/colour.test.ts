import { describe, expect, it } from 'vitest';
import { NA_RGB, RAMP_RGB, RAMP_SIZE, rampInto, rampPosition, STALE_RGB } from '@models/colour.ts';

/** Relative luminance (WCAG) of an sRGB triplet 0..255. */
function luminance(r: number, g: number, b: number): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

describe('colour scale', () => {
  it('is viridis: dark purple at the low end, yellow at the high end', () => {
    expect([...RAMP_RGB.slice(0, 3)]).toEqual([68, 1, 84]);
    expect([...RAMP_RGB.slice((RAMP_SIZE - 1) * 3)]).toEqual([253, 231, 37]);
  });

  it('gets brighter monotonically, so order survives greyscale and colour-vision deficiencies', () => {
    // Sampled every 8th entry: 8-bit rounding of neighbouring entries can wobble by less than a step.
    let previous = -1;
    for (let i = 0; i < RAMP_SIZE; i += 8) {
      const l = luminance(RAMP_RGB[i * 3]!, RAMP_RGB[i * 3 + 1]!, RAMP_RGB[i * 3 + 2]!);
      expect(l).toBeGreaterThan(previous);
      previous = l;
    }
  });

  it('never produces the stale grey or the not-applicable colour', () => {
    for (let i = 0; i < RAMP_SIZE; i++) {
      const [r, g, b] = [RAMP_RGB[i * 3]!, RAMP_RGB[i * 3 + 1]!, RAMP_RGB[i * 3 + 2]!];
      const dist = (c: readonly number[]) => Math.hypot(r - c[0]!, g - c[1]!, b - c[2]!);
      expect(dist(STALE_RGB)).toBeGreaterThan(40);
      expect(dist(NA_RGB)).toBeGreaterThan(30);
    }
  });

  it('maps display values to ramp positions, clamped to the domain', () => {
    expect(rampPosition(50, [0, 100])).toBe(0.5);
    expect(rampPosition(-5, [0, 100])).toBe(0);
    expect(rampPosition(250, [0, 100])).toBe(1);
    const out = new Float32Array(6);
    rampInto(1, out, 3);
    expect(out[3]).toBeCloseTo(253 / 255, 5);
    expect(out[0]).toBe(0);
  });
});
